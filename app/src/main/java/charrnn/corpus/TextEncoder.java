package charrnn.corpus;

import charrnn.RnnException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Encodes a text for a model that already has its vocabulary ({@code rnn eval}): the model's
 * corpus normalisation is applied (line endings, BOM, lowercase, ASCII), and characters outside
 * the vocabulary are dropped and counted, never silently.
 */
public final class TextEncoder {
    /** The encoded ids and what was left out. */
    public record Encoded(int[] ids, long codePoints, long unknown, String unknownExamples) {
    }

    private TextEncoder() {
    }

    public static Encoded encodeFile(Path file, Vocabulary vocab, Manifest.Normalisation norm) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw RnnException.badData(file + ": no such file");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw RnnException.badData(file + ": not valid UTF-8; convert it to UTF-8 first");
        }
        return encode(text, vocab, norm);
    }

    public static Encoded encode(String text, Vocabulary vocab, Manifest.Normalisation norm) {
        var ids = new java.util.ArrayList<Integer>();
        long[] unknown = {0};
        java.util.LinkedHashSet<String> examples = new java.util.LinkedHashSet<>();
        Normaliser n = Normaliser.of(norm, cp -> {
            int id = vocab.id(cp);
            if (id >= 0) {
                ids.add(id);
            } else {
                unknown[0]++;
                if (examples.size() < 10) {
                    examples.add(Vocabulary.describe(cp));
                }
            }
        });
        try {
            for (int cp : text.codePoints().toArray()) {
                n.accept(cp);
            }
            n.finish();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        long codePoints = ids.size() + unknown[0] + n.nonAscii();
        return new Encoded(ids.stream().mapToInt(Integer::intValue).toArray(), codePoints, unknown[0],
                String.join(", ", examples));
    }
}
