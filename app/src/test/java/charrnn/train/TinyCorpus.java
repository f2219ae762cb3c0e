package charrnn.train;

import charrnn.corpus.PrepareOptions;
import charrnn.corpus.PreparedCorpus;
import charrnn.corpus.Preparer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small corpora for tests that train. */
public final class TinyCorpus {
    private TinyCorpus() {
    }

    /** A repetitive text a tiny network learns in seconds. */
    public static final String PATTERN = "hello world, the cat sat on the mat.\n";

    public static Path write(Path dir, String text, int repeats) throws IOException {
        Path f = dir.resolve("tiny.txt");
        Files.writeString(f, text.repeat(repeats));
        return f;
    }

    public static PreparedCorpus prepared(Path dir) throws IOException {
        Path f = write(dir, PATTERN, 120);
        new Preparer(PrepareOptions.defaults(), m -> { }, null).prepare(f, dir.resolve("prepared"), false);
        return PreparedCorpus.open(dir.resolve("prepared"));
    }
}
