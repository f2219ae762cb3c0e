package charrnn.corpus;

import charrnn.RnnException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;

/**
 * Streams a file as Unicode code points, decoding UTF-8 by hand: strict (overlongs, surrogates and
 * values above U+10FFFF are errors), with the byte offset of the first bad sequence, and a bounded
 * buffer whatever the file's size. Optionally replaces bad bytes with U+FFFD and digests the bytes.
 */
final class Utf8Reader {
    /** Receives code points in file order. */
    interface Sink {
        void accept(int codePoint) throws IOException;
    }

    static final int REPLACEMENT = 0xFFFD;
    private static final int CHUNK = 1 << 20;

    private final Path file;
    private final boolean replaceInvalid;
    private long replaced;

    Utf8Reader(Path file, boolean replaceInvalid) {
        this.file = file;
        this.replaceInvalid = replaceInvalid;
    }

    /** Number of invalid sequences replaced by U+FFFD in the last {@link #read} call. */
    long replaced() {
        return replaced;
    }

    /**
     * Decodes the whole file into {@code sink}; feeds every byte to {@code digest} when not null.
     * Throws {@link RnnException} (bad data) at the first invalid sequence unless replacing.
     */
    void read(Sink sink, MessageDigest digest, ProgressListener progress) throws IOException {
        replaced = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK + 8);
            byte[] arr = new byte[CHUNK + 8];
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
                while (i < len) {
                    int b = arr[i] & 0xFF;
                    if (b < 0x80) {
                        sink.accept(b);
                        i++;
                        continue;
                    }
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
                        i += invalid(sink, base + i, 1);
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
                        i += invalid(sink, base + i, Math.max(1, j));
                        continue;
                    }
                    sink.accept(cp);
                    i += need + 1;
                }
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

    private int invalid(Sink sink, long offset, int skip) throws IOException {
        if (!replaceInvalid) {
            throw RnnException.badData(file + ": not valid UTF-8 at byte offset " + offset
                    + "; convert it to UTF-8 (e.g. iconv -f latin1 -t utf-8) or pass --replace-invalid");
        }
        replaced++;
        sink.accept(REPLACEMENT);
        return skip;
    }
}
