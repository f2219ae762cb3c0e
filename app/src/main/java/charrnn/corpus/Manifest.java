package charrnn.corpus;

/**
 * {@code manifest.json} of a prepared corpus: where it came from, how it was normalised and split.
 * Offsets and lengths count code points of the normalised text (ids in {@code ids.bin}).
 */
public record Manifest(
        String format,
        int formatVersion,
        Source source,
        long codePoints,
        int vocabSize,
        int idWidth,
        Split split,
        Normalisation normalisation) {

    public static final String FORMAT = "rnn-prepared-corpus";
    /** Written for corpora with 1-byte ids (up to 256 symbols), which this version introduced. */
    public static final int VERSION = 2;
    /** Still written when the ids take 2 or 4 bytes: the files are those of version 1, which earlier rnn reads. */
    public static final int VERSION_WIDE_IDS = 1;

    /** The raw file as read: absolute path, size in bytes, SHA-256 and code points before normalisation. */
    public record Source(String path, long bytes, String sha256, long codePoints) {
    }

    /** Contiguous split: train first, validation at the end. */
    public record Split(double valFraction, long trainStart, long trainLength, long valStart, long valLength) {
    }

    /** What was changed between the raw file and the ids, with counts, so nothing is silent. */
    public record Normalisation(
            boolean newlines, long crlfConverted, long loneCrConverted,
            boolean dropBom, boolean bomDropped,
            boolean stripBoilerplate, Boilerplate boilerplate,
            boolean lowercase, boolean ascii, long nonAsciiDropped,
            boolean replaceInvalid, long invalidReplaced) {
    }

    /**
     * Project Gutenberg markers: the 1-based line numbers of the first {@code *** START OF} and the
     * last {@code *** END OF} line (0 when absent), the number of START/END sections (several books
     * concatenated have several; text between them is dropped too), and the code points dropped.
     */
    public record Boilerplate(boolean found, long startLine, long endLine, int sections, long droppedCodePoints) {
    }
}
