package charrnn.it;

import charrnn.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The launcher's class-data archive must hold rnn's own classes and picocli's, whose class files are
 * Java 5's (a dynamic archive left them out, so they were loaded and verified from the jar at every
 * start). Runs the real launcher with JVM options of its own, so it records an archive for them.
 */
class ClassDataArchiveIT {
    @TempDir
    Path tmp;

    @Test
    void theArchiveMapsRnnsAndPicocliClasses() throws Exception {
        Path log = tmp.resolve("classes.log");
        var pb = new ProcessBuilder(TestFiles.repoRoot().resolve("app/rnn").toString(), "--version")
                .directory(tmp.toFile())
                .redirectOutput(tmp.resolve("out.txt").toFile())
                .redirectError(tmp.resolve("err.txt").toFile());
        // the last JVM the launcher starts (the command itself) writes the log
        pb.environment().put("RNN_JAVA_OPTS", "-Xmx1g -XX:+UseSerialGC -Xlog:class+load=info:file=" + log);
        pb.environment().remove("RNN_CDS");
        Process p = pb.start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "launcher did not finish");
        String err = Files.readString(tmp.resolve("err.txt"));
        assertEquals(0, p.exitValue(), err);
        assertTrue(Files.readString(tmp.resolve("out.txt")).startsWith("rnn "), "the version line on stdout");
        assertFalse(err.contains("could not record"), err);

        List<String> lines = Files.readAllLines(log);
        for (String cls : List.of("charrnn.cli.Main", "picocli.CommandLine", "picocli.CommandLine$Model$CommandSpec")) {
            String line = lines.stream().filter(l -> l.contains(" " + cls + " source:")).findFirst()
                    .orElseThrow(() -> new AssertionError(cls + " was not loaded"));
            assertTrue(line.contains("source: shared objects file"), "from the archive: " + line);
        }
    }
}
