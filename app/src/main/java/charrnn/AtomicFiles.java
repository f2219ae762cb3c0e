package charrnn;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Files that a crash or {@code kill -9} at any moment leaves either as they were or complete: each is
 * written beside its place under a temporary name, forced to disk and renamed into place. Also
 * removes directory trees (what such a write leaves when it fails).
 */
public final class AtomicFiles {
    /** Writes a file's content; must not close {@code out} (it is forced to disk after). */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    /** Replaces {@code file} with what {@code content} writes; on failure the old file stays and nothing is left. */
    public static void write(Path file, Content content) throws IOException {
        Path tmp = tempBeside(file);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
                content.writeTo(out);
                out.flush();
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static void write(Path file, byte[] bytes) throws IOException {
        write(file, out -> out.write(bytes));
    }

    /**
     * A name for the temporary stand-in of {@code path}, in the same directory (so that the rename is
     * atomic): {@code .NAME.tmp-PID-NANOS}, hidden, and unique across processes and calls.
     */
    public static Path tempBeside(Path path) {
        Path abs = path.toAbsolutePath();
        return abs.resolveSibling("." + abs.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-"
                + System.nanoTime());
    }

    /**
     * Puts the finished directory {@code tmp} in the place of {@code dir}. A directory cannot be
     * renamed over another, so an existing {@code dir} is moved aside first and deleted after; if
     * the second rename fails it is moved back.
     */
    public static void moveIntoPlace(Path tmp, Path dir) throws IOException {
        if (!Files.exists(dir)) {
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            return;
        }
        Path old = tempBeside(dir);
        Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
        try {
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Files.move(old, dir, StandardCopyOption.ATOMIC_MOVE);
            throw e;
        }
        deleteTree(old);
    }

    /** Deletes {@code path} and, if it is a directory, everything in it; nothing when it does not exist. */
    public static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(path)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
