package charrnn.corpus;

import charrnn.RnnException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * Streams a file as Unicode code points, decoding UTF-8 by hand: strict (overlongs, surrogates and
 * values above U+10FFFF are errors), with the byte offset of the first bad sequence, and a bounded
 * buffer whatever the file's size. Optionally marks bad sequences as {@link #INVALID} instead of
 * failing (the caller writes U+FFFD and counts them).
 */
final class Utf8Reader {
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
    private static final int CHUNK = 1 << 20;

    private final Path file;
    private final boolean replaceInvalid;

    Utf8Reader(Path file, boolean replaceInvalid) {
        this.file = file;
        this.replaceInvalid = replaceInvalid;
    }

    /**
     * Decodes the whole file into {@code sink}, and feeds its bytes to {@code digest} (may be null).
     * The reading, digesting and decoding run on a thread of their own, a chunk or two ahead of
     * the sink, which runs on the caller's thread. Throws {@link RnnException} (bad data) at the
     * first invalid sequence unless replacing, and what the sink throws.
     */
    void read(Sink sink, ProgressListener progress, MessageDigest digest) throws IOException {
        var filled = new ArrayBlockingQueue<Object>(BUFFERS);
        var free = new ArrayBlockingQueue<int[]>(BUFFERS);
        for (int b = 1; b < BUFFERS; b++) {
            free.add(new int[CHUNK + 8]);
        }
        Thread decoder = new Thread(() -> {
            Object last = END;
            try {
                decode((cps, n) -> {
                    filled.put(new Filled(cps, n));
                    return free.take();
                }, progress, digest);
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
        int[] pass(int[] cps, int n) throws InterruptedException;
    }

    private void decode(Handoff handoff, ProgressListener progress, MessageDigest digest)
            throws IOException, InterruptedException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK + 8);
            byte[] arr = new byte[CHUNK + 8];
            int[] cps = new int[CHUNK + 8];  // a byte decodes to at most one code point
            long base = 0;       // file offset of arr[0]
            int len = 0;         // valid bytes in arr
            boolean eof = false;
            while (true) {
                if (!eof) {
                    buf.clear();
                    buf.limit(CHUNK);
                    int n = ch.read(buf);
                    if (n < 0) {
                        eof = true;
                    } else {
                        buf.flip();
                        buf.get(arr, len, n);
                        if (digest != null) {
                            digest.update(arr, len, n);
                        }
                        len += n;
                    }
                }
                int i = 0;
                int k = 0;
                while (i < len) {
                    int b = arr[i];
                    if (b >= 0) {
                        cps[k++] = b;
                        i++;
                        continue;
                    }
                    b &= 0xFF;
                    int need;
                    int cp;
                    int min;
                    if (b >= 0xC2 && b <= 0xDF) {
                        need = 1;
                        cp = b & 0x1F;
                        min = 0x80;
                    } else if (b >= 0xE0 && b <= 0xEF) {
                        need = 2;
                        cp = b & 0x0F;
                        min = 0x800;
                    } else if (b >= 0xF0 && b <= 0xF4) {
                        need = 3;
                        cp = b & 0x07;
                        min = 0x10000;
                    } else {
                        i += invalid(base + i, 1);
                        cps[k++] = INVALID;
                        continue;
                    }
                    if (i + need >= len && !eof) {
                        break; // sequence continues in the next chunk
                    }
                    int j = 1;
                    for (; j <= need && i + j < len; j++) {
                        int c = arr[i + j] & 0xFF;
                        if ((c & 0xC0) != 0x80) {
                            break;
                        }
                        cp = (cp << 6) | (c & 0x3F);
                    }
                    if (j <= need || cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                        // A truncated or malformed sequence: skip the lead byte and the
                        // continuation bytes that followed it (one replacement per sequence).
                        i += invalid(base + i, Math.max(1, j));
                        cps[k++] = INVALID;
                        continue;
                    }
                    cps[k++] = cp;
                    i += need + 1;
                }
                cps = handoff.pass(cps, k);
                // keep the unfinished tail for the next round
                int tail = len - i;
                System.arraycopy(arr, i, arr, 0, tail);
                base += i;
                len = tail;
                if (progress != null) {
                    progress.bytesDone(base, size);
                }
                if (eof && len == 0) {
                    return;
                }
                if (eof) {
                    // only possible if the loop broke on a truncated sequence at the very end
                    throw new IllegalStateException("unreachable: undecoded tail at end of file");
                }
            }
        }
    }

    private int invalid(long offset, int skip) {
        if (!replaceInvalid) {
            throw RnnException.badData(file + ": not valid UTF-8 at byte offset " + offset
                    + "; convert it to UTF-8 (e.g. iconv -f latin1 -t utf-8) or pass --replace-invalid");
        }
        return skip;
    }
}
