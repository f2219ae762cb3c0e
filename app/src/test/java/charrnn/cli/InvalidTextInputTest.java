package charrnn.cli;

import charrnn.sample.SamplerModelFixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Text that is not UTF-8, given to the commands that read a model's input: bad data (exit 3) naming file and offset. */
class InvalidTextInputTest {
    @TempDir
    static Path tmp;
    static Path model;
    static Path bad;

    @BeforeAll
    static void setUp() throws Exception {
        model = SamplerModelFixture.train(tmp);
        // "the cat\n", then a Latin-1 'é' (byte 12) in the second line
        bad = Files.write(tmp.resolve("bad.txt"), new byte[]{'t', 'h', 'e', ' ', 'c', 'a', 't', '\n', 'h', 'e', 'l', 'l',
                (byte) 0xE9, '\n'});
    }

    private static void assertBadUtf8(CliRunner r) {
        assertEquals(3, r.code(), r.err());
        assertEquals("rnn: " + bad + ": not valid UTF-8 at byte offset 12; convert it to UTF-8"
                + " (e.g. iconv -f latin1 -t utf-8)", r.oneErrorLine());
        assertEquals("", r.out());
    }

    @Test
    void sampleSeedFile() {
        assertBadUtf8(CliRunner.run("sample", "-m", model.toString(), "--seed-file", bad.toString(), "-n", "5"));
    }

    @Test
    void evalFile() {
        assertBadUtf8(CliRunner.run("eval", "-m", model.toString(), bad.toString()));
    }
}
