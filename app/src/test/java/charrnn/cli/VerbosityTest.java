package charrnn.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import charrnn.train.TinyCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** -q and -v hold for the run they are given to, and only for it. */
class VerbosityTest {
    @TempDir
    Path tmp;

    @Test
    void quietSilencesStderrForItsRunOnly() throws Exception {
        Path text = TinyCorpus.write(tmp, TinyCorpus.PATTERN, 10);
        CliRunner quiet = CliRunner.run("prepare", text.toString(), "-o", tmp.resolve("a").toString(), "-q");
        assertEquals(0, quiet.code(), quiet.err());
        assertEquals("", quiet.err());
        CliRunner normal = CliRunner.run("prepare", text.toString(), "-o", tmp.resolve("b").toString());
        assertEquals(0, normal.code(), normal.err());
        assertTrue(normal.err().contains("vocabulary"), "the next run is not quiet: " + normal.err());
    }

    @Test
    void verboseShowsTheCauseAndLibraryLogsForItsRunOnly() throws Exception {
        Path bad = Files.writeString(tmp.resolve("bad.zip"), "not a zip at all");
        var root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger("org.nd4j");
        CliRunner verbose = CliRunner.run("info", "-m", bad.toString(), "-v");
        assertEquals(4, verbose.code());
        assertTrue(verbose.err().contains("\tat "), "a stack trace with --verbose: " + verbose.err());
        assertEquals(Level.INFO, root.getLevel());
        CliRunner plain = CliRunner.run("info", "-m", bad.toString());
        assertEquals(4, plain.code());
        plain.oneErrorLine();
        assertEquals(Level.WARN, root.getLevel(), "the next run is not verbose");
    }
}
