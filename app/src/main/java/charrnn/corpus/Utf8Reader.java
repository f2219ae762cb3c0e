package charrnn.corpus;

import charrnn.RnnException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * Streams a file as Unicode code points through the JDK's UTF-8 decoder: strict (overlongs,
 * surrogates and values above U+10FFFF are errors), with the byte offset of the first bad sequence,
 * and a bounded buffer whatever the file's size. Optionally marks bad sequences as {@link #INVALID}
 * instead of failing (the caller writes U+FFFD and counts them).
 */
public final class Utf8Reader {
    /**
     * Receives the code points of the file in order, a chunk at a time ({@code cps[0..n)}), with
     * {@link #INVALID} where a bad sequence was replaced (when replacing).
     */
    interface Sink {
        void accept(int[] cps, int n) throws IOException;
    }

    /** Stands for a replaced invalid sequence in a chunk: the sink decides what it becomes (U+FFFD). */
    static final int INVALID = -1;

    static final int REPLACEMENT = 0xFFFD;
    /** Bytes of a file's start that must look like text. */
    private static final int SNIFF = 8192;
    /** Bytes read per round (tests place sequences across it). */
    static final int CHUNK = 1 << 20;

    private final Path file;
    private final boolean replaceInvalid;
    /** Prepare's reader: refuses a binary file by name, and its errors may advise --replace-invalid. */
    private final boolean forPrepare;

    /** For {@code rnn prepare}, which has {@code --replace-invalid}. */
    Utf8Reader(Path file, boolean replaceInvalid) {
        this(file, replaceInvalid, true);
    }

    private Utf8Reader(Path file, boolean replaceInvalid, boolean forPrepare) {
        this.file = file;
        this.replaceInvalid = replaceInvalid;
        this.forPrepare = forPrepare;
    }

    /** Strict, for commands without {@code --replace-invalid}. */
    static Utf8Reader strict(Path file) {
        return new Utf8Reader(file, false, false);
    }

    /** A small file as a string, strictly: invalid UTF-8 is bad data naming the file and the byte offset. */
    public static String readString(Path file) throws IOException {
        StringBuilder sb = new StringBuilder();
        strict(file).read((cps, n) -> {
            for (int i = 0; i < n; i++) {
                sb.appendCodePoint(cps[i]);
            }
        }, null, null);
        return sb.toString();
    }

    /**
     * Decodes the whole file into {@code sink}, and feeds its bytes to {@code digest} (may be null).
     * The reading, digesting and decoding run on a thread of their own, a chunk or two ahead of
     * the sink, which runs on the caller's thread. Throws {@link RnnException} (bad data) at the
     * first invalid sequence unless replacing, and what the sink throws.
     */
    void read(Sink sink, ProgressListener progress, MessageDigest digest) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (java.nio.file.AccessDeniedException e) {
            throw RnnException.badData(file + ": not readable (check its permissions)");
        }
        try (ch) {
            read(ch, sink, progress, digest);
        }
    }

    private void read(FileChannel ch, Sink sink, ProgressListener progress, MessageDigest digest) throws IOException {
        if (ch.size() < CHUNK) {
            // a small file (a folder of poems): the caller's thread, and its buffers again
            Buffers b = SMALL.get();
            try {
                decode(ch, (cps, n) -> {
                    sink.accept(cps, n);
                    return cps;
                }, progress, digest, b.in.clear(), b.chars.clear(), b.cps);
                return;
            } catch (InterruptedException e) {
                throw new IllegalStateException(e); // never: the hand-off does not wait
            }
        }
        var filled = new ArrayBlockingQueue<Object>(BUFFERS);
        var free = new ArrayBlockingQueue<int[]>(BUFFERS);
        for (int b = 1; b < BUFFERS; b++) {
            free.add(new int[CHUNK]);
        }
        Thread decoder = new Thread(() -> {
            Object last = END;
            try {
                decode(ch, (cps, n) -> {
                    filled.put(new Filled(cps, n));
                    return free.take();
                }, progress, digest, ByteBuffer.allocate(CHUNK), CharBuffer.allocate(CHUNK), new int[CHUNK]);
            } catch (InterruptedException e) {
                return; // the caller stopped reading
            } catch (Throwable e) {
                last = e;
            }
            try {
                filled.put(last);
            } catch (InterruptedException e) {
                // the caller stopped reading
            }
        }, "rnn-utf8-decoder");
        decoder.setDaemon(true);
        decoder.start();
        try {
            while (true) {
                Object o = filled.take();
                if (o instanceof Filled f) {
                    sink.accept(f.cps, f.n);
                    free.add(f.cps);
                } else if (o == END) {
                    return;
                } else if (o instanceof IOException e) {
                    throw e;
                } else if (o instanceof RuntimeException e) {
                    throw e;
                } else {
                    throw new IllegalStateException("decoder failed", (Throwable) o);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while reading " + file);
        } finally {
            decoder.interrupt();
        }
    }

    private static final int BUFFERS = 3;
    private static final Object END = new Object();

    private record Filled(int[] cps, int n) {
    }

    /** Takes a decoded chunk and returns the array to decode the next one into. */
    private interface Handoff {
        int[] pass(int[] cps, int n) throws IOException, InterruptedException;
    }

    /** Buffers of {@link #CHUNK} for a thread's small files (a char per byte at most, a code point per char). */
    private record Buffers(ByteBuffer in, CharBuffer chars, int[] cps) {
    }

    private static final ThreadLocal<Buffers> SMALL = ThreadLocal.withInitial(() ->
            new Buffers(ByteBuffer.allocate(CHUNK), CharBuffer.allocate(CHUNK), new int[CHUNK]));

    private void decode(FileChannel ch, Handoff handoff, ProgressListener progress, MessageDigest digest,
                        ByteBuffer in, CharBuffer chars, int[] cps) throws IOException, InterruptedException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        long size = ch.size();
        long base = 0; // file offset of in's first byte
        for (boolean eof = false; !eof; ) {
            int n = ch.read(in);
            eof = n < 0;
            if (base == 0 && n > 0 && forPrepare) {
                checkText(file, in.array(), in.position());
            }
            if (n > 0 && digest != null) {
                digest.update(in.array(), in.position() - n, n);
            }
            in.flip();
            int k = 0;
            while (true) {
                // a sequence cut by the end of the chunk stays in 'in' for the next round
                CoderResult r = decoder.decode(in, chars, eof);
                k = codePoints(chars, cps, k);
                if (r.isUnderflow()) {
                    break;
                }
                if (r.isError()) {
                    // the JDK's malformed length: one replacement per maximal subpart
                    invalid(base + in.position());
                    in.position(in.position() + r.length());
                    cps[k++] = INVALID;
                }
            }
            if (eof) {
                decoder.flush(chars);
                k = codePoints(chars, cps, k);
            }
            cps = handoff.pass(cps, k);
            base += in.position();
            in.compact();
            if (progress != null) {
                progress.bytesDone(base, size);
            }
        }
    }

    /** Appends the decoded chars to {@code cps} from {@code k} as code points, and empties them. */
    private static int codePoints(CharBuffer chars, int[] cps, int k) {
        char[] a = chars.array();
        int n = chars.position();
        for (int i = 0; i < n; i++) {
            char c = a[i];
            // the decoder writes a surrogate pair whole, never one half
            if (Character.isHighSurrogate(c)) {
                cps[k++] = Character.toCodePoint(c, a[++i]);
            } else {
                cps[k++] = c;
            }
        }
        chars.clear();
        return k;
    }

    /** Refuses a file whose first bytes, {@code head[0..min(n, SNIFF))}, are not text (a NUL, or many control bytes). */
    private static void checkText(Path file, byte[] head, int n) {
        n = Math.min(n, SNIFF);
        int control = 0;
        for (int i = 0; i < n; i++) {
            int b = head[i] & 0xFF;
            if (b == 0) {
                throw RnnException.badData(file + ": looks like a binary file (NUL byte at offset " + i
                        + "); give a plain text file");
            }
            if (b < 0x20 && b != '\n' && b != '\r' && b != '\t' && b != '\f' && b != 0x1B) {
                control++;
            }
        }
        if (n >= 64 && control * 10 > n) {
            throw RnnException.badData(file + ": looks like a binary file (" + control + " control bytes in the first "
                    + n + "); give a plain text file");
        }
    }

    private void invalid(long offset) {
        if (!replaceInvalid) {
            throw RnnException.badData(file + ": not valid UTF-8 at byte offset " + offset
                    + "; convert it to UTF-8 (e.g. iconv -f latin1 -t utf-8)"
                    + (forPrepare ? " or pass --replace-invalid" : ""));
        }
    }
}
