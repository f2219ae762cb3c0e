package charrnn.it;

import charrnn.TestFiles;
import charrnn.model.Checkpoint;
import charrnn.train.TinyCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Runs the real launcher (app/rnn) as a child process, after Maven's package phase has built the
 * jar: SIGINT during training must leave a loadable checkpoint, exit 130, and resume.
 */
class InterruptIT {
    @TempDir
    Path tmp;

    /**
     * The launcher with SIGINT and SIGTERM at their defaults: a suite started in the background of a
     * non-interactive shell (`mvn -B verify &`, nohup) passes SIGINT down as ignored, and a JVM that
     * inherits it ignored never sees it.
     */
    static Process launch(Path workDir, Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("env", "--default-signal=INT,TERM"));
        cmd.add(TestFiles.repoRoot().resolve("app/rnn").toString());
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(false)
                .redirectOutput(log.resolveSibling(log.getFileName() + ".out").toFile())
                .redirectError(log.toFile()).start();
    }

    /** A tiny training of {@code model} through the launcher, under way once its log shows {@code line}. */
    private Process trainUntil(String line, Path model, Path log, String checkpointEvery) throws Exception {
        Path corpus = TinyCorpus.write(tmp, TinyCorpus.PATTERN, 200);
        Process p = launch(tmp, log, "train", corpus.toString(), "--model", model.toString(), "--layers", "1",
                "--hidden", "32", "--seq-length", "20", "--batch", "8", "--eval-every", "5", "--sample-every", "0",
                "--checkpoint-every", checkpointEvery, "--max-time", "5m");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.readString(log).contains(line) && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(p.isAlive(), "training ended early:\n" + Files.readString(log));
        return p;
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"INT", "TERM"})
    void aSignalWritesAResumableCheckpointAndExits130(String signal) throws Exception {
        Path model = tmp.resolve("model");
        Path log = tmp.resolve("train.log");
        Process p = trainUntil("step 5 ", model, log, "0");
        if (signal.equals("INT")) {
            // a second training of the same model, from another process, is refused at once
            Process second = launch(tmp, tmp.resolve("second.log"), "train", "--resume", model.toString(), "-q");
            assertTrue(second.waitFor(60, TimeUnit.SECONDS));
            String secondErr = Files.readString(tmp.resolve("second.log"));
            assertEquals(2, second.exitValue(), secondErr);
            assertTrue(secondErr.contains("another rnn train (process " + p.pid() + ")"), secondErr);
        }
        new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "did not stop after SIG" + signal);
        String err = Files.readString(log);
        assertEquals(130, p.exitValue(), err);
        assertTrue(err.contains("--resume"), err);
        assertFalse(err.contains("Exception"), err);

        var loaded = Checkpoint.load(model.resolve("last.zip"), true);
        long step = loaded.info().state().step();
        assertTrue(step >= 5, "checkpoint at step " + step);

        Process r = launch(tmp, tmp.resolve("resume.log"), "train", "--resume", model.toString(), "--max-steps",
                Long.toString(step + 3), "-q");
        assertTrue(r.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, r.exitValue(), Files.readString(tmp.resolve("resume.log")));
        assertEquals(step + 3, Checkpoint.load(model.resolve("last.zip"), false).info().state().step());
    }

    @Test
    void aSecondInterruptQuitsAtOnceAndLeavesTheLastCheckpointLoadable() throws Exception {
        Path model = tmp.resolve("model");
        Path log = tmp.resolve("train.log");
        Process p = trainUntil("step 10 ", model, log, "5");
        // the second signal arrives while the first one's step and checkpoint are still under way
        new ProcessBuilder("sh", "-c", "kill -INT " + p.pid() + "; kill -INT " + p.pid()).start().waitFor();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "did not quit after the second SIGINT");
        assertEquals(130, p.exitValue(), Files.readString(log));
        long step = Checkpoint.load(model.resolve("last.zip"), false).info().state().step();
        assertTrue(step >= 5, "checkpoint at step " + step);
        // the halted process held the model's lock: the kernel released it
        Process r = launch(tmp, tmp.resolve("resume.log"), "train", "--resume", model.toString(), "--max-steps",
                Long.toString(step + 1), "-q");
        assertTrue(r.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, r.exitValue(), Files.readString(tmp.resolve("resume.log")));
    }
}
