package charrnn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class AtomicFilesTest {
    @TempDir
    Path tmp;

    private List<String> names() throws IOException {
        return TestFiles.names(tmp);
    }

    @Test
    void writeCreatesAndReplacesLeavingNoTemporary() throws IOException {
        Path f = tmp.resolve("a.json");
        AtomicFiles.write(f, "first".getBytes(StandardCharsets.UTF_8));
        assertEquals("first", Files.readString(f));
        AtomicFiles.write(f, out -> out.write("second, longer".getBytes(StandardCharsets.UTF_8)));
        assertEquals("second, longer", Files.readString(f));
        assertEquals(List.of("a.json"), names());
    }

    @Test
    void failedWriteKeepsTheOldFileAndRemovesItsTemporary() throws IOException {
        Path f = Files.writeString(tmp.resolve("a.json"), "old");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write("half".getBytes(StandardCharsets.UTF_8));
            throw new IOException("disk full");
        }));
        assertEquals("disk full", e.getMessage());
        assertEquals("old", Files.readString(f));
        assertEquals(List.of("a.json"), names());
    }

    @Test
    void tempBesideIsHiddenInTheSameDirectoryAndUnique() {
        Path f = tmp.resolve("out");
        Path a = AtomicFiles.tempBeside(f);
        assertEquals(tmp, a.getParent());
        assertTrue(a.getFileName().toString().startsWith(".out.tmp-" + ProcessHandle.current().pid() + "-"), a.toString());
        assertNotEquals(a, AtomicFiles.tempBeside(f));
    }

    @Test
    void moveIntoPlaceReplacesADirectory() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("dir"));
        Files.writeString(dir.resolve("old.txt"), "old");
        Path next = Files.createDirectory(tmp.resolve("next"));
        Files.writeString(next.resolve("new.txt"), "new");
        AtomicFiles.moveIntoPlace(next, dir);
        assertEquals(List.of("dir"), names());
        assertEquals(List.of("new.txt"), TestFiles.names(dir));
        Path fresh = Files.createDirectory(tmp.resolve("fresh"));
        AtomicFiles.moveIntoPlace(fresh, tmp.resolve("absent"));
        assertEquals(List.of("absent", "dir"), names());
    }

    @Test
    void deleteTreeRemovesNestedFilesAndIgnoresAMissingPath() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("root/a/b"));
        Files.writeString(root.resolve("x.txt"), "x");
        Files.writeString(tmp.resolve("root/y.txt"), "y");
        Path outside = Files.writeString(tmp.resolve("outside.txt"), "stays");
        Files.createSymbolicLink(tmp.resolve("root/link"), outside);
        AtomicFiles.deleteTree(tmp.resolve("root"));
        assertEquals(List.of("outside.txt"), names());
        assertEquals("stays", Files.readString(outside), "a link is removed, not what it points to");
        AtomicFiles.deleteTree(tmp.resolve("missing"));
        AtomicFiles.deleteTree(outside);
        assertEquals(List.of(), names());
    }
}
