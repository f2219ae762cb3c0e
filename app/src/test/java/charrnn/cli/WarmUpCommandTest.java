package charrnn.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** The launcher records its class-data archive with {@code rnn warm-up}: it must run every command and clean up. */
class WarmUpCommandTest {
    private static long warmUpDirs() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("rnn-warm-up-")).count();
        }
    }

    @Test
    void runsEveryCommandAndLeavesNothingBehind() throws IOException {
        long before = warmUpDirs();
        CliRunner r = CliRunner.run("warm-up");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"sample\":7"), "eight samples as JSON:\n" + r.out());
        assertTrue(r.out().contains("nats"), "the eval result:\n" + r.out());
        assertEquals(before, warmUpDirs(), "the temporary directory is deleted");
        assertFalse(CliRunner.run("--help").out().contains("warm-up"), "hidden from --help");
    }
}
