package charrnn.cli;

import charrnn.corpus.PrepareOptions;
import picocli.CommandLine.Option;

/**
 * How a text corpus is prepared: {@code rnn prepare}'s options, which {@code rnn train CORPUS} takes
 * too (a cached preparation made with other switches is prepared again).
 */
final class PrepareGroup {
    @Option(names = "--val-fraction", defaultValue = "0.1", paramLabel = "F",
            description = "Fraction held out for validation, taken from the end, in (0, 0.5].")
    double valFraction;

    @Option(names = "--keep-crlf", description = "Keep \\r\\n and lone \\r as they are (default: normalise to \\n).")
    boolean keepCrlf;

    @Option(names = "--keep-bom", description = "Keep a leading byte order mark (default: drop it).")
    boolean keepBom;

    @Option(names = "--keep-boilerplate",
            description = "Keep Project Gutenberg's header and licence (default: keep only the text between its"
                    + " *** START OF / *** END OF lines).")
    boolean keepBoilerplate;

    @Option(names = "--lowercase", description = "Lowercase every character.")
    boolean lowercase;

    @Option(names = "--ascii", description = "Drop every non-ASCII character (as the classic Alice tutorial does).")
    boolean ascii;

    @Option(names = "--replace-invalid", description = "Replace invalid UTF-8 with U+FFFD instead of failing.")
    boolean replaceInvalid;

    PrepareOptions options() {
        return new PrepareOptions(valFraction, !keepCrlf, !keepBom, !keepBoilerplate, lowercase, ascii, replaceInvalid);
    }
}
