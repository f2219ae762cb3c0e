package charrnn.corpus;

import charrnn.RnnException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A text encoded for a model that already has its vocabulary ({@code rnn eval}): streamed through
 * the model corpus's normalisation into a temporary file of ids (deleted on close), so memory does
 * not grow with the text. Characters outside the vocabulary are left out and counted, never silently.
 */
public final class EncodedText extends IdFile {
    private static final int EXAMPLES = 10;

    private final long codePoints;
    private final long unknown;
    private final String unknownExamples;

    private EncodedText(Path file, int width, long length, long codePoints, long unknown, String unknownExamples)
            throws IOException {
        super(file, width, length);
        this.codePoints = codePoints;
        this.unknown = unknown;
        this.unknownExamples = unknownExamples;
    }

    /** Encodes {@code text} (UTF-8; invalid input is bad data naming the byte offset) with the normalisation {@code norm}. */
    public static EncodedText encode(Path text, Vocabulary vocab, Manifest.Normalisation norm) throws IOException {
        return encode(text, vocab, norm, Path.of(System.getProperty("java.io.tmpdir")));
    }

    static EncodedText encode(Path text, Vocabulary vocab, Manifest.Normalisation norm, Path tmpDir)
            throws IOException {
        if (!Files.isRegularFile(text)) {
            throw RnnException.badData(text + ": no such file");
        }
        Path file = Files.createTempFile(tmpDir, "rnn-eval-", ".ids");
        file.toFile().deleteOnExit(); // Ctrl-C during the evaluation
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
            int width = Preparer.idWidth(vocab.size());
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            long[] known = {0};
            long[] unknown = {0};
            Set<String> examples = new LinkedHashSet<>();
            Normaliser normaliser = Normaliser.of(norm);
            Utf8Reader.Sink sink = (cps, n) -> {
                for (int i = 0; i < n; i++) {
                    int id = vocab.id(cps[i]);
                    if (id < 0) {
                        unknown[0]++;
                        if (examples.size() < EXAMPLES) {
                            examples.add(Vocabulary.describe(cps[i]));
                        }
                        continue;
                    }
                    if (buf.remaining() < width) {
                        drain(buf, out);
                    }
                    IdFile.put(buf, width, id);
                    known[0]++;
                }
            };
            normaliser.read(Utf8Reader.strict(text), sink, null, null);
            drain(buf, out);
            return new EncodedText(file, width, known[0],
                    known[0] + unknown[0] + normaliser.nonAscii(), unknown[0], String.join(", ", examples));
        } catch (IOException | RuntimeException | Error e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    private static void drain(ByteBuffer buf, FileChannel out) throws IOException {
        buf.flip();
        while (buf.hasRemaining()) {
            out.write(buf);
        }
        buf.clear();
    }

    /** Code points of the text after its line endings and BOM, those left out included. */
    public long codePoints() {
        return codePoints;
    }

    /** Code points left out because the vocabulary does not have them. */
    public long unknown() {
        return unknown;
    }

    /** The first few distinct characters left out, described. */
    public String unknownExamples() {
        return unknownExamples;
    }

    @Override
    public void close() throws IOException {
        super.close();
        Files.deleteIfExists(file());
    }
}
