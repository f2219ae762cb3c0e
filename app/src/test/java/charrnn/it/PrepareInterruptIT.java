package charrnn.it;

import charrnn.TestFiles;
import charrnn.train.TinyCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** SIGTERM while `rnn train` prepares its corpus on the fly leaves no temporary directory behind. */
class PrepareInterruptIT {
    @TempDir
    Path tmp;

    @Test
    void sigtermDuringTheOnTheFlyPrepareRemovesItsTemporaryDirectory() throws Exception {
        Path corpus = TinyCorpus.write(tmp, "The quick brown fox jumps over the lazy dog, again and again.\n", 200_000);
        Path model = tmp.resolve("model");
        Path log = tmp.resolve("train.log");
        Process p = InterruptIT.launch(tmp, log, "train", corpus.toString(), "--model", model.toString());
        // the run locks its model directory before it prepares: from then on the JVM is stepped, stopped
        // (SIGSTOP) at every look, so the prepare cannot end between seeing its directory and the signal
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (p.isAlive() && System.nanoTime() < deadline && !Files.exists(model.resolve(".lock"))) {
            Thread.sleep(5);
        }
        signal(p, "STOP");
        while (p.isAlive() && System.nanoTime() < deadline && !preparing(model)) {
            signal(p, "CONT");
            Thread.sleep(20);
            signal(p, "STOP");
        }
        assertTrue(p.isAlive() && preparing(model), "no prepare seen under way:\n" + Files.readString(log));
        signal(p, "TERM");
        signal(p, "CONT");
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "did not stop after SIGTERM");
        // the run removes the model directory it made, or at least everything temporary in it
        assertEquals(List.of(), leftovers(model).stream().filter(n -> n.contains(".tmp-")).toList(),
                Files.readString(log));
        assertFalse(Files.exists(model.resolve("corpus")), "nothing published");
    }

    private static boolean preparing(Path model) throws java.io.IOException {
        return leftovers(model).stream().anyMatch(n -> n.startsWith(".corpus.tmp-"));
    }

    private static void signal(Process p, String name) throws Exception {
        new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).start().waitFor();
    }

    /** The names in {@code dir}; none when it does not exist (yet, or any more: the run removes a directory it made). */
    private static List<String> leftovers(Path dir) throws java.io.IOException {
        try {
            return Files.isDirectory(dir) ? TestFiles.names(dir) : List.of();
        } catch (java.nio.file.NoSuchFileException | java.io.UncheckedIOException e) {
            return List.of();
        }
    }
}
