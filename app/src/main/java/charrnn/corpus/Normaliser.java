package charrnn.corpus;

import java.io.IOException;
import java.util.regex.Pattern;

/**
 * The rules that make a file's code points a corpus's text, for {@code rnn prepare} and
 * {@code rnn eval} alike: a leading BOM dropped, CRLF and lone CR as LF, lowercase, non-ASCII
 * dropped (each when its option says so), and which lines are Project Gutenberg's START and END
 * lines. Code points are fed one at a time and come out of the sink; what was changed is counted.
 */
final class Normaliser {
    /** Receives the normalised code points. */
    @FunctionalInterface
    interface Sink {
        void accept(int cp) throws IOException;
    }

    /** Characters of a line enough to recognise a Gutenberg marker. */
    static final int MARKER_PREFIX = 96;
    private static final Pattern START = Pattern.compile("^\\*\\*\\* ?START OF (THE|THIS) PROJECT GUTENBERG");
    private static final Pattern END = Pattern.compile("^\\*\\*\\* ?END OF (THE|THIS) PROJECT GUTENBERG");

    private final boolean newlines;
    private final boolean dropBom;
    private final boolean lowercase;
    private final boolean ascii;
    private final Sink sink;
    private boolean first = true;
    private boolean pendingCr;
    private boolean bomDropped;
    private long crlf;
    private long loneCr;
    private long nonAscii;

    Normaliser(boolean newlines, boolean dropBom, boolean lowercase, boolean ascii, Sink sink) {
        this.newlines = newlines;
        this.dropBom = dropBom;
        this.lowercase = lowercase;
        this.ascii = ascii;
        this.sink = sink;
    }

    static Normaliser of(PrepareOptions o, Sink sink) {
        return new Normaliser(o.normaliseNewlines(), o.dropBom(), o.lowercase(), o.ascii(), sink);
    }

    /** The normalisation a prepared corpus recorded; none recorded (an old model): line endings only. */
    static Normaliser of(Manifest.Normalisation n, Sink sink) {
        return n == null ? new Normaliser(true, false, false, false, sink)
                : new Normaliser(n.newlines(), n.dropBom(), n.lowercase(), n.ascii(), sink);
    }

    static boolean isSectionStart(CharSequence line) {
        return START.matcher(line).lookingAt();
    }

    static boolean isSectionEnd(CharSequence line) {
        return END.matcher(line).lookingAt();
    }

    void accept(int cp) throws IOException {
        boolean atStart = first;
        first = false;
        if (atStart && dropBom && cp == 0xFEFF) {
            bomDropped = true;
            return;
        }
        if (newlines) {
            if (pendingCr) {
                pendingCr = false;
                if (cp == '\n') {
                    crlf++;
                    emit('\n');
                    return;
                }
                loneCr++;
                emit('\n');
            }
            if (cp == '\r') {
                pendingCr = true;
                return;
            }
        }
        emit(cp);
    }

    /** At the end of the text: a CR still waiting for its LF is a lone CR. */
    void finish() throws IOException {
        if (pendingCr) {
            pendingCr = false;
            loneCr++;
            emit('\n');
        }
    }

    private void emit(int cp) throws IOException {
        if (lowercase) {
            cp = Character.toLowerCase(cp);
        }
        if (ascii && cp > 127) {
            nonAscii++;
            return;
        }
        sink.accept(cp);
    }

    /**
     * True when every code point but CR and LF comes out as it went in, after the first (no
     * lowercase, no ASCII option) and no CR waits: the case prepare's encoder takes without a call.
     */
    boolean passesThrough() {
        return !lowercase && !ascii && !pendingCr && !first;
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
}
