package charrnn.corpus;

import charrnn.RnnException;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A prepared corpus read back from disk: manifest, vocabulary and the memory-mapped ids. Reading an
 * id is a memory access; a window of ids is one positional read of the file (training's path, see
 * {@link #read}); the corpus is never loaded into the heap.
 */
public final class PreparedCorpus implements IdSequence {
    private static final int SEGMENT_SHIFT = 30; // 1 GiB segments, a multiple of every id width

    private final Path dir;
    private final Manifest manifest;
    private final Vocabulary vocabulary;
    private final MappedByteBuffer[] segments;
    private final int width;
    private final FileChannel channel;

    private PreparedCorpus(Path dir, Manifest manifest, Vocabulary vocabulary, MappedByteBuffer[] segments,
                           FileChannel channel) {
        this.dir = dir;
        this.manifest = manifest;
        this.vocabulary = vocabulary;
        this.segments = segments;
        this.width = manifest.idWidth();
        this.channel = channel;
    }

    public static boolean isPrepared(Path dir) {
        return Files.isDirectory(dir) && Files.exists(dir.resolve(Preparer.MANIFEST));
    }

    public static PreparedCorpus open(Path dir) {
        String what = dir + ": not a usable prepared corpus";
        if (!isPrepared(dir)) {
            throw RnnException.badData(what + " (no " + Preparer.MANIFEST + "); run 'rnn prepare' on the text first");
        }
        try {
            Manifest m = Json.MAPPER.readValue(dir.resolve(Preparer.MANIFEST).toFile(), Manifest.class);
            if (!Manifest.FORMAT.equals(m.format()) || m.formatVersion() < Manifest.VERSION_WIDE_IDS
                    || m.formatVersion() > Manifest.VERSION) {
                throw RnnException.badData(what + " (format " + m.format() + " v" + m.formatVersion()
                        + ", expected " + Manifest.FORMAT + " v" + Manifest.VERSION_WIDE_IDS + " to v"
                        + Manifest.VERSION + "); prepare it again");
            }
            if (m.idWidth() != 1 && m.idWidth() != 2 && m.idWidth() != 4) {
                throw RnnException.badData(what + " (ids of " + m.idWidth() + " bytes); prepare it again");
            }
            JsonNode vj = Json.MAPPER.readTree(dir.resolve(Preparer.VOCAB).toFile());
            Vocabulary v = Vocabulary.fromJson(vj);
            if (v.size() != m.vocabSize()) {
                throw RnnException.badData(what + " (vocabulary has " + v.size() + " symbols, manifest says "
                        + m.vocabSize() + "); prepare it again");
            }
            Path ids = dir.resolve(Preparer.IDS);
            long bytes = Files.size(ids);
            if (bytes != m.codePoints() * m.idWidth()) {
                throw RnnException.badData(what + " (" + Preparer.IDS + " has " + bytes + " bytes, expected "
                        + m.codePoints() * m.idWidth() + "); prepare it again");
            }
            return new PreparedCorpus(dir, m, v, map(ids, bytes), FileChannel.open(ids, StandardOpenOption.READ));
        } catch (IOException | RuntimeException e) {
            if (e instanceof RnnException r) {
                throw r;
            }
            throw RnnException.badData(what + " (" + e.getMessage().lines().findFirst().orElse("")
                    + "); prepare it again");
        }
    }

    private static MappedByteBuffer[] map(Path ids, long bytes) throws IOException {
        int n = (int) ((bytes + (1L << SEGMENT_SHIFT) - 1) >>> SEGMENT_SHIFT);
        MappedByteBuffer[] segs = new MappedByteBuffer[Math.max(n, 1)];
        try (FileChannel ch = FileChannel.open(ids, StandardOpenOption.READ)) {
            for (int i = 0; i < segs.length; i++) {
                long pos = (long) i << SEGMENT_SHIFT;
                long len = Math.min(1L << SEGMENT_SHIFT, bytes - pos);
                segs[i] = ch.map(FileChannel.MapMode.READ_ONLY, pos, Math.max(len, 0));
                segs[i].order(ByteOrder.LITTLE_ENDIAN);
            }
        }
        return segs;
    }

    /** The id at position {@code i} of the whole (normalised) corpus. */
    @Override
    public int id(long i) {
        long b = i * width;
        MappedByteBuffer s = segments[(int) (b >>> SEGMENT_SHIFT)];
        int off = (int) (b & ((1L << SEGMENT_SHIFT) - 1));
        return width == 1 ? s.get(off) & 0xFF : width == 2 ? s.getShort(off) & 0xFFFF : s.getInt(off);
    }

    /** One positional read of the file (see {@link IdSequence#read}); the memory map is not touched. */
    @Override
    public void read(long from, int[] dst, int off, int len) {
        if (from < 0 || len < 0 || from + len > length()) {
            throw new IndexOutOfBoundsException("ids [" + from + ", " + (from + len) + ") of " + length());
        }
        ByteBuffer buf = ByteBuffer.allocate(len * width).order(ByteOrder.LITTLE_ENDIAN);
        try {
            while (buf.hasRemaining()) {
                if (channel.read(buf, from * width + buf.position()) < 0) {
                    throw new EOFException(dir.resolve(Preparer.IDS) + " is shorter than its manifest says");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        buf.flip();
        for (int k = 0; k < len; k++) {
            dst[off + k] = width == 1 ? buf.get() & 0xFF : width == 2 ? buf.getShort() & 0xFFFF : buf.getInt();
        }
    }

    @Override
    public long length() {
        return manifest.codePoints();
    }

    public Path dir() {
        return dir;
    }

    public Manifest manifest() {
        return manifest;
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }

    public long trainStart() {
        return manifest.split().trainStart();
    }

    public long trainLength() {
        return manifest.split().trainLength();
    }

    public long valStart() {
        return manifest.split().valStart();
    }

    public long valLength() {
        return manifest.split().valLength();
    }
}
