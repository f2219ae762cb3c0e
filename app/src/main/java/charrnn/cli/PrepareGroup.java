package charrnn.cli;

import charrnn.RnnException;
import charrnn.corpus.PrepareOptions;
import picocli.CommandLine.Option;

/**
 * How a text corpus is prepared: {@code rnn prepare}'s options, which {@code rnn train CORPUS} takes
 * too (a cached preparation made with other switches is prepared again).
 */
final class PrepareGroup {
    @Option(names = "--documents", paramLabel = "files|lines|none",
            description = "What a document is: each file (the default for a folder or several files; each ends with"
                    + " U+0003), each non-empty line (names, titles: each ends with its newline), or none (one"
                    + " stream, the default for one file).")
    PrepareOptions.Documents documents;

    enum LabelFrom { parent }

    @Option(names = "--label-from", paramLabel = "parent",
            description = "Label each document with its folder's name (corpus/poe/, corpus/dickinson/): the model learns"
                    + " to write under a label (rnn sample --document --label).")
    LabelFrom labelFrom;

    @Option(names = "--label-column",
            description = "With --documents lines: each line is label<TAB>text.")
    boolean labelColumn;

    @Option(names = "--val-fraction", defaultValue = "0.1", paramLabel = "F",
            description = "Fraction held out for validation, in (0, 0.5]: whole documents spread through the corpus"
                    + " when that comes near F, else the last F of each document (of the text, for one stream).")
    double valFraction;

    @Option(names = "--keep-crlf", description = "Keep \\r\\n and lone \\r as they are (default: normalise to \\n).")
    boolean keepCrlf;

    @Option(names = "--keep-bom", description = "Keep a leading byte order mark (default: drop it).")
    boolean keepBom;

    @Option(names = "--keep-boilerplate",
            description = "Keep Project Gutenberg's header and licence (default: keep only the text between its"
                    + " *** START OF / *** END OF lines; not with --documents lines).")
    boolean keepBoilerplate;

    @Option(names = "--lowercase", description = "Lowercase every character.")
    boolean lowercase;

    @Option(names = "--ascii", description = "Drop every non-ASCII character (as the classic Alice tutorial does).")
    boolean ascii;

    @Option(names = "--replace-invalid", description = "Replace invalid UTF-8 with U+FFFD instead of failing.")
    boolean replaceInvalid;

    @Option(names = "--skip-invalid", description = "Skip a file that is not UTF-8 text (named on stderr) instead of failing.")
    boolean skipInvalid;

    PrepareOptions options() {
        if (labelFrom != null && labelColumn) {
            throw RnnException.usage("--label-from and --label-column are two sources of labels; give one");
        }
        return new PrepareOptions(valFraction, !keepCrlf, !keepBom, !keepBoilerplate, lowercase, ascii, replaceInvalid,
                skipInvalid, documents, labelFrom != null ? PrepareOptions.Labels.PARENT
                : labelColumn ? PrepareOptions.Labels.COLUMN : null);
    }
}
