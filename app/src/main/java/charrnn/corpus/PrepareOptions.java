package charrnn.corpus;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Settings of {@code rnn prepare}; {@code documents} null: chosen by {@link #resolve}. */
public record PrepareOptions(
        double valFraction,
        boolean normaliseNewlines,
        boolean dropBom,
        boolean stripBoilerplate,
        boolean lowercase,
        boolean ascii,
        boolean replaceInvalid,
        boolean skipInvalid,
        Documents documents,
        Labels labels) {

    /** How a corpus is cut into documents ({@code --documents}). */
    public enum Documents {
        NONE, FILES, LINES;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Documents of(String label) {
            return valueOf(label.toUpperCase(Locale.ROOT));
        }
    }

    /** Where documents' labels come from: the file's folder ({@code --label-from parent}) or a {@code label<TAB>} column. */
    public enum Labels {
        PARENT, COLUMN;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** With the documents chosen for {@code paths}: files for a folder or several paths, else one stream. */
    public PrepareOptions resolve(List<Path> paths) {
        if (documents != null) {
            return this;
        }
        boolean many = paths.size() > 1 || Files.isDirectory(paths.get(0));
        return new PrepareOptions(valFraction, normaliseNewlines, dropBom, stripBoilerplate, lowercase, ascii,
                replaceInvalid, skipInvalid, many ? Documents.FILES : Documents.NONE, labels);
    }

    /** The switches {@code m}'s corpus was prepared with; a manifest that recorded none was prepared with these. */
    public static PrepareOptions of(Manifest m) {
        var n = m.normalisation();
        double f = m.split().valFraction();
        Documents d = Documents.of(m.documentsOrNone().mode());
        String from = m.documentsOrNone().labelFrom();
        Labels l = from == null ? null : Labels.valueOf(from.toUpperCase(Locale.ROOT));
        return n == null ? new PrepareOptions(f, true, true, true, false, false, false, false, d, l)
                : new PrepareOptions(f, n.newlines(), n.dropBom(), n.stripBoilerplate(), n.lowercase(), n.ascii(),
                n.replaceInvalid(), n.skipInvalid(), d, l);
    }
}
