package charrnn.corpus;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Prepare's second pass out: where the ids of each document go. Whole documents to training or
 * validation, or each document's last fraction to validation and the rest to training; each part
 * after its label's ids (if any) and before the boundary (none for one stream). Training ids go to
 * {@code ids.bin}, validation ids to a part beside it that {@link #finish} appends, so the splits
 * stay contiguous. Counts every id written: the counts of {@code vocab.json}.
 */
final class SplitWriter implements Closeable {
    private final IdWriter train;
    private final IdWriter val;
    private final Path valPart;
    private final boolean whole;
    private final double fraction;
    private final int boundaryId;
    private final long[] counts;
    private IdWriter out;
    private int[] prefix;
    private long head;
    private long written;
    private long part;
    private long trainDocs;
    private long valDocs;

    /**
     * @param whole      whole documents held out (else each one's last {@code fraction})
     * @param boundaryId the id written after each part, -1 for none
     */
    SplitWriter(Path ids, Path valPart, int width, int symbols, boolean whole, double fraction, int boundaryId)
            throws IOException {
        this.counts = new long[symbols];
        this.train = new IdWriter(ids, width, counts);
        this.val = new IdWriter(valPart, width, counts);
        this.valPart = valPart;
        this.whole = whole;
        this.fraction = fraction;
        this.boundaryId = boundaryId;
    }

    /** A document of {@code length} code points (its boundary not included) begins. */
    void begin(long length, boolean heldOut) {
        begin(length, heldOut, null);
    }

    /** As above, each part of it written after {@code prefix} (its label's ids; null: none). */
    void begin(long length, boolean heldOut, int[] prefix) {
        out = whole && heldOut ? val : train;
        head = whole ? Long.MAX_VALUE : length - Math.round(length * fraction);
        written = 0;
        part = 0;
        this.prefix = prefix;
    }

    /** The next ids of the document; a document cut into two parts goes on in validation at its head's end. */
    void ids(int[] ids, int from, int to) throws IOException {
        while (from < to) {
            if (written == head) {
                endPart();
                out = val;
            }
            int end = written < head ? from + (int) Math.min(to - from, head - written) : to;
            if (part == 0 && prefix != null) {
                out.putAll(prefix, 0, prefix.length);
            }
            out.putAll(ids, from, end);
            part += end - from;
            written += end - from;
            from = end;
        }
    }

    /** The document ends. */
    void end() throws IOException {
        endPart();
    }

    private void endPart() throws IOException {
        if (part == 0) {
            return;
        }
        if (boundaryId >= 0) {
            out.putAll(new int[]{boundaryId}, 0, 1);
        }
        if (out == train) {
            trainDocs++;
        } else {
            valDocs++;
        }
        part = 0;
    }

    /** Appends the validation part to the training ids, forces them to disk and deletes the part. */
    void finish() throws IOException {
        train.flush();
        val.flush();
        for (long at = 0; at < val.ch.size(); ) {
            at += val.ch.transferTo(at, val.ch.size() - at, train.ch);
        }
        train.ch.force(true);
        close();
        Files.delete(valPart);
    }

    boolean whole() {
        return whole;
    }

    long trainLength() {
        return train.count;
    }

    long valLength() {
        return val.count;
    }

    long trainDocs() {
        return trainDocs;
    }

    long valDocs() {
        return valDocs;
    }

    /** How many times each id was written. */
    long[] counts() {
        return counts;
    }

    @Override
    public void close() throws IOException {
        try (train; val) {
            // both closed, also when one throws
        }
    }

    /** Ids appended to a file, little-endian, {@code width} bytes each, through a buffer. */
    private static final class IdWriter implements Closeable {
        final FileChannel ch;
        final byte[] buf = new byte[1 << 20];
        int pos;
        final int width;
        final long[] counts;
        long count;

        IdWriter(Path file, int width, long[] counts) throws IOException {
            this.ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
            this.width = width;
            this.counts = counts;
        }

        void putAll(int[] ids, int from, int to) throws IOException {
            while (from < to) {
                int end = Math.min(to, from + (buf.length - pos) / width);
                if (end == from) {
                    flush();
                    continue;
                }
                byte[] b = buf;
                long[] c = counts;
                int p = pos;
                if (width == 1) {
                    for (int k = from; k < end; k++) {
                        c[ids[k]]++;
                        b[p++] = (byte) ids[k];
                    }
                } else {
                    for (int k = from; k < end; k++) {
                        int id = ids[k];
                        c[id]++;
                        for (int j = 0; j < width; j++) {
                            b[p++] = (byte) (id >>> 8 * j);
                        }
                    }
                }
                pos = p;
                count += end - from;
                from = end;
            }
        }

        void flush() throws IOException {
            ByteBuffer b = ByteBuffer.wrap(buf, 0, pos);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            pos = 0;
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
