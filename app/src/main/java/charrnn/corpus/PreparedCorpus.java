package charrnn.corpus;

import charrnn.RnnException;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A prepared corpus read back from disk: manifest, vocabulary and the ids of the whole normalised
 * corpus, which stay in their file ({@link IdFile}).
 */
public final class PreparedCorpus extends IdFile {
    private final Path dir;
    private final Manifest manifest;
    private final Vocabulary vocabulary;

    private PreparedCorpus(Path dir, Manifest manifest, Vocabulary vocabulary) throws IOException {
        super(dir.resolve(Preparer.IDS), manifest.idWidth(), manifest.codePoints());
        this.dir = dir;
        this.manifest = manifest;
        this.vocabulary = vocabulary;
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
            return new PreparedCorpus(dir, m, v);
        } catch (IOException | RuntimeException e) {
            if (e instanceof RnnException r) {
                throw r;
            }
            throw RnnException.badData(what + " (" + e.getMessage().lines().findFirst().orElse("")
                    + "); prepare it again");
        }
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
