package charrnn.corpus;

import java.io.IOException;
import java.security.MessageDigest;
import java.util.regex.Pattern;

/**
 * The rules that make a file's code points a corpus's text, for {@code rnn prepare}, {@code rnn eval}
 * and {@code rnn score} alike: a leading BOM dropped, CRLF and lone CR as LF, invalid sequences as
 * U+FFFD, lowercase, non-ASCII dropped (each when its option says so), and which lines are Project
 * Gutenberg's START and END lines. One instance per file; what was changed is counted. Every switch
 * lives here, so a new one applies to every path.
 */
final class Normaliser {
    /** Characters of a line enough to recognise a Gutenberg marker. */
    static final int MARKER_PREFIX = 96;
    // case-insensitive: markers are found in the normalised text, which --lowercase has lowered
    private static final Pattern START = Pattern.compile("^\\*\\*\\* ?START OF (THE|THIS) PROJECT GUTENBERG",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern END = Pattern.compile("^\\*\\*\\* ?END OF (THE|THIS) PROJECT GUTENBERG",
            Pattern.CASE_INSENSITIVE);

    private final boolean newlines;
    private final boolean dropBom;
    private final boolean lowercase;
    private final boolean ascii;
    private boolean first = true;
    private boolean pendingCr;
    private boolean bomDropped;
    private long crlf;
    private long loneCr;
    private long nonAscii;
    private long replaced;

    Normaliser(boolean newlines, boolean dropBom, boolean lowercase, boolean ascii) {
        this.newlines = newlines;
        this.dropBom = dropBom;
        this.lowercase = lowercase;
        this.ascii = ascii;
    }

    static Normaliser of(PrepareOptions o) {
        return new Normaliser(o.normaliseNewlines(), o.dropBom(), o.lowercase(), o.ascii());
    }

    /** The normalisation a prepared corpus recorded; none recorded (an old model): line endings only. */
    static Normaliser of(Manifest.Normalisation n) {
        return n == null ? new Normaliser(true, false, false, false)
                : new Normaliser(n.newlines(), n.dropBom(), n.lowercase(), n.ascii());
    }

    static boolean isSectionStart(CharSequence line) {
        return START.matcher(line).lookingAt();
    }

    static boolean isSectionEnd(CharSequence line) {
        return END.matcher(line).lookingAt();
    }

    /**
     * Normalises the next code points of the file, {@code cps[0..n)} ({@link Utf8Reader#INVALID}
     * for a replaced sequence), into {@code out}, which holds at least {@code n + 1}; returns how many
     * it wrote. A CR at the end of a chunk waits for the next one.
     */
    int apply(int[] cps, int n, int[] out) {
        int i = 0;
        int m = 0;
        if (first && n > 0) {
            first = false;
            if (dropBom && cps[0] == 0xFEFF) {
                bomDropped = true;
                i = 1;
            }
        }
        for (; i < n; i++) {
            int cp = cps[i];
            if (pendingCr) {
                pendingCr = false;
                out[m++] = '\n';
                if (cp == '\n') {
                    crlf++;
                    continue;
                }
                loneCr++;
            }
            if (cp <= '\r') {
                if (cp == Utf8Reader.INVALID) {
                    cp = Utf8Reader.REPLACEMENT;
                    replaced++;
                } else if (cp == '\r' && newlines) {
                    pendingCr = true;
                    continue;
                }
            }
            if (lowercase) {
                cp = Character.toLowerCase(cp);
            }
            if (ascii && cp > 127) {
                nonAscii++;
                continue;
            }
            out[m++] = cp;
        }
        return m;
    }

    /**
     * Reads a file with {@code reader} through this normaliser into {@code sink}, a chunk of
     * normalised code points at a time; returns the code points read before normalisation.
     */
    long read(Utf8Reader reader, Utf8Reader.Sink sink, ProgressListener progress, MessageDigest digest)
            throws IOException {
        int[][] out = {new int[0]};
        long[] raw = {0};
        reader.read((cps, n) -> {
            if (out[0].length < n + 1) {
                out[0] = new int[n + 1];
            }
            raw[0] += n;
            sink.accept(out[0], apply(cps, n, out[0]));
        }, progress, digest);
        sink.accept(out[0], finish(out[0]));
        return raw[0];
    }

    /** At the end of the file: a CR still waiting for its LF is a lone CR; returns 0 or 1 code point written. */
    int finish(int[] out) {
        if (!pendingCr) {
            return 0;
        }
        pendingCr = false;
        loneCr++;
        out[0] = '\n';
        return 1;
    }

    boolean bomDropped() {
        return bomDropped;
    }

    long crlf() {
        return crlf;
    }

    long loneCr() {
        return loneCr;
    }

    long nonAscii() {
        return nonAscii;
    }

    long replaced() {
        return replaced;
    }
}
