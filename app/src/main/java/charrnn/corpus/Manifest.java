package charrnn.corpus;

import charrnn.RnnException;
import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnore;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code manifest.json} of a prepared corpus: where it came from, how it was normalised, cut into
 * documents and split. Offsets and lengths count code points of the normalised text (ids in
 * {@code ids.bin}).
 */
public record Manifest(
        String format,
        int formatVersion,
        // a corpus prepared before folders were read has one "source"
        @JsonAlias("source") @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<Source> sources,
        long codePoints,
        int vocabSize,
        int idWidth,
        Split split,
        Normalisation normalisation,
        Documents documents) {

    public static final String FORMAT = "rnn-prepared-corpus";
    /** Written for corpora with 1-byte ids (up to 256 symbols), which this version introduced. */
    public static final int VERSION = 2;
    /** Still written when the ids take 2 or 4 bytes: the files are those of version 1, which earlier rnn reads. */
    public static final int VERSION_WIDE_IDS = 1;

    /**
     * A file as read: absolute path, size in bytes, SHA-256, code points before normalisation, and
     * the documents it gave (0 in a manifest from before documents), and their label when it is the
     * file's folder's name ({@code --label-from parent}).
     */
    public record Source(String path, long bytes, String sha256, long codePoints, long documents, String label) {
    }

    /**
     * Train first, validation after it. With several documents the validation part holds whole
     * documents or each document's last fraction, moved there in corpus order (see {@link Documents}).
     */
    public record Split(double valFraction, long trainStart, long trainLength, long valStart, long valLength) {
    }

    /** What was changed between the raw files and the ids, with counts, so nothing is silent. */
    public record Normalisation(
            boolean newlines, long crlfConverted, long loneCrConverted,
            boolean dropBom, boolean bomDropped,
            boolean stripBoilerplate, Boilerplate boilerplate,
            boolean lowercase, boolean ascii, long nonAsciiDropped,
            boolean replaceInvalid, long invalidReplaced,
            boolean skipInvalid, long filesSkipped) {
    }

    /**
     * Project Gutenberg markers: the 1-based line numbers of the first {@code *** START OF} and the
     * last {@code *** END OF} line of the first file that has them (0 when absent), the number of
     * START/END sections (several books concatenated have several; text between them is dropped too),
     * and the code points dropped (after normalisation).
     */
    public record Boilerplate(boolean found, long startLine, long endLine, int sections, long droppedCodePoints) {
    }

    /**
     * How the text is cut into documents: {@code mode} none (one stream, as a single file is by
     * default), files (each file one document, each followed by {@code boundary}, U+0003 END OF
     * TEXT) or lines (each non-empty line, {@code boundary} the newline); how many went to each
     * split, and {@code heldOut}: "documents" (whole documents spread through the corpus) or
     * "document ends" (the last fraction of every document). {@code labelFrom}: where labels came
     * from ("parent", "column"; null: none), and each label's documents and characters of text.
     */
    public record Documents(String mode, Integer boundary, long count, long train, long validation, String heldOut,
                            String labelFrom, List<Label> labels) {
    }

    /** A label and the documents under it, with their characters (label and boundary not counted). */
    public record Label(String label, long documents, long characters) {
    }

    /** The documents of a manifest that recorded none: one stream. */
    @JsonIgnore
    public Documents documentsOrNone() {
        return documents != null ? documents : new Documents(PrepareOptions.Documents.NONE.label(), null, 1, 1, 1,
                "document ends", null, null);
    }

    /**
     * The ids fed before a document under label {@code given} (with the corpus's normalisation):
     * U+0001, the label, U+0002. A model without labels is a usage error; an unknown label is bad
     * data naming the known ones.
     */
    @JsonIgnore
    public int[] labelPrefix(String given, Vocabulary vocab) {
        List<Label> known = documentsOrNone().labels();
        if (known == null || known.isEmpty()) {
            throw RnnException.usage("--label: this model was trained without labels; train it with --label-from parent"
                    + " or --label-column");
        }
        int[] cps = given.codePoints().toArray();
        int[] out = new int[cps.length + 1];
        String label = new String(out, 0, Normaliser.of(normalisation).apply(cps, cps.length, out));
        if (known.stream().noneMatch(l -> l.label().equals(label))) {
            throw RnnException.badData("--label " + given + ": not a label of this model; its labels: "
                    + String.join(", ", known.stream().map(Label::label).toList()));
        }
        int[] ids = new int[label.codePointCount(0, label.length()) + 2];
        ids[0] = vocab.id(Preparer.LABEL_START);
        int k = 1;
        for (int cp : label.codePoints().toArray()) {
            ids[k++] = vocab.id(cp);
        }
        ids[k] = vocab.id(Preparer.LABEL_END);
        return ids;
    }

    /** The corpus for a person: its file, or its first file and how many more. */
    @JsonIgnore
    public String describe() {
        return sources.size() == 1 ? sources.get(0).path()
                : sources.get(0).path() + " and " + (sources.size() - 1) + " more files";
    }

    /** The corpus's fingerprint: its file's SHA-256, or with several files the SHA-256 of their list. */
    @JsonIgnore
    public String sha256() {
        if (sources.size() == 1) {
            return sources.get(0).sha256();
        }
        StringBuilder sb = new StringBuilder();
        for (Source s : sources) {
            sb.append(s.sha256()).append(' ').append(s.path()).append('\n');
        }
        return HexFormat.of().formatHex(Preparer.sha256().digest(sb.toString().getBytes(StandardCharsets.UTF_8)));
    }
}
