package charrnn.corpus;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Ids of {@code width} bytes (little-endian) in a file, never loaded into the heap: an id is a read
 * of the file's memory map, a window of ids one positional read of the file (training's path, see
 * {@link IdSequence#read}).
 */
public class IdFile implements IdSequence, Closeable {
    private static final int SEGMENT_SHIFT = 30; // 1 GiB segments, a multiple of every id width

    private final Path file;
    private final int width;
    private final long length;
    private final MappedByteBuffer[] segments;
    private final FileChannel channel;

    IdFile(Path file, int width, long length) throws IOException {
        this.file = file;
        this.width = width;
        this.length = length;
        long bytes = length * width;
        this.segments = new MappedByteBuffer[(int) Math.max(1, (bytes + (1L << SEGMENT_SHIFT) - 1) >>> SEGMENT_SHIFT)];
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        for (int i = 0; i < segments.length; i++) {
            long pos = (long) i << SEGMENT_SHIFT;
            segments[i] = channel.map(FileChannel.MapMode.READ_ONLY, pos, Math.max(0, Math.min(1L << SEGMENT_SHIFT, bytes - pos)));
            segments[i].order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    /** The ids of a prepared corpus's {@code ids.bin} (or a copy of it): {@code length} ids of {@code width} bytes. */
    public static IdFile open(Path file, int width, long length) throws IOException {
        return new IdFile(file, width, length);
    }

    @Override
    public int id(long i) {
        long b = i * width;
        MappedByteBuffer s = segments[(int) (b >>> SEGMENT_SHIFT)];
        int off = (int) (b & ((1L << SEGMENT_SHIFT) - 1));
        return width == 1 ? s.get(off) & 0xFF : width == 2 ? s.getShort(off) & 0xFFFF : s.getInt(off);
    }

    /** One positional read of the file; the memory map is not touched. */
    @Override
    public void read(long from, int[] dst, int off, int len) {
        if (from < 0 || len < 0 || from + len > length) {
            throw new IndexOutOfBoundsException("ids [" + from + ", " + (from + len) + ") of " + length);
        }
        ByteBuffer buf = ByteBuffer.allocate(len * width).order(ByteOrder.LITTLE_ENDIAN);
        try {
            while (buf.hasRemaining()) {
                if (channel.read(buf, from * width + buf.position()) < 0) {
                    throw new EOFException(file + ": shorter than " + length + " ids");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        buf.flip();
        decode(buf, width, dst, off, len);
    }

    /** Reads {@code len} ids of {@code width} bytes from {@code buf} (little-endian order set) into {@code dst}. */
    public static void decode(ByteBuffer buf, int width, int[] dst, int off, int len) {
        for (int k = 0; k < len; k++) {
            dst[off + k] = width == 1 ? buf.get() & 0xFF : width == 2 ? buf.getShort() & 0xFFFF : buf.getInt();
        }
    }

    /** Appends one id of {@code width} bytes (little-endian in {@code buf}'s order), as this class reads it. */
    static void put(ByteBuffer buf, int width, int id) {
        if (width == 1) {
            buf.put((byte) id);
        } else if (width == 2) {
            buf.putShort((short) id);
        } else {
            buf.putInt(id);
        }
    }

    Path file() {
        return file;
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
