package charrnn.corpus;

import charrnn.AtomicFiles;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The temporary directory a prepare writes into, beside its output: moved into place when complete,
 * deleted otherwise, also when the JVM shuts down first (Ctrl-C or SIGTERM during the prepare, which
 * would otherwise leave it behind). The shutdown hook exists only while the directory does.
 */
final class StagingDirectory implements AutoCloseable {
    private final Path path;
    final Thread hook;
    private boolean abandoned; // guarded by this

    StagingDirectory(Path out) throws IOException {
        this.path = Files.createDirectory(AtomicFiles.tempBeside(out));
        this.hook = new Thread(this::abandon, "rnn-prepare-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    Path path() {
        return path;
    }

    /** Puts the finished directory in the place of {@code out}, unless the JVM is shutting down. */
    synchronized void publish(Path out) throws IOException {
        if (abandoned) {
            throw new InterruptedIOException("shutting down; " + out + " left as it was");
        }
        AtomicFiles.moveIntoPlace(path, out);
    }

    /** The shutdown hook: deletes the directory while the prepare may still write into it. */
    synchronized void abandon() {
        abandoned = true;
        for (int attempt = 0; attempt < 3 && Files.exists(path); attempt++) {
            try {
                AtomicFiles.deleteTree(path);
            } catch (IOException | RuntimeException e) {
                // a file appeared or vanished during the walk: try again
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            return; // shutting down: the hook deletes it
        }
        AtomicFiles.deleteTree(path);
    }
}
