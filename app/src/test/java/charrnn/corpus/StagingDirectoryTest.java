package charrnn.corpus;

import charrnn.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class StagingDirectoryTest {
    @TempDir
    Path tmp;

    private List<String> names() throws IOException {
        return TestFiles.names(tmp);
    }

    @Test
    void publishedIntoPlaceAndItsShutdownHookRemoved() throws IOException {
        Path out = tmp.resolve("out");
        StagingDirectory s;
        try (StagingDirectory d = new StagingDirectory(out)) {
            s = d;
            assertTrue(d.path().getFileName().toString().startsWith(".out.tmp-"), d.path().toString());
            Files.writeString(d.path().resolve("ids.bin"), "ids");
            d.publish(out);
        }
        assertEquals(List.of("out"), names());
        assertEquals("ids", Files.readString(out.resolve("ids.bin")));
        assertFalse(Runtime.getRuntime().removeShutdownHook(s.hook), "the hook was removed on close");
    }

    @Test
    void closedWithoutPublishingItIsDeleted() throws IOException {
        StagingDirectory s;
        try (StagingDirectory d = new StagingDirectory(tmp.resolve("out"))) {
            s = d;
            Files.createDirectories(d.path().resolve("a/b"));
            Files.writeString(d.path().resolve("a/b/x"), "x");
        }
        assertEquals(List.of(), names());
        assertFalse(Runtime.getRuntime().removeShutdownHook(s.hook));
    }

    /** What the shutdown hook does when Ctrl-C or SIGTERM arrives mid-prepare. */
    @Test
    void theShutdownHookDeletesItAndNothingIsPublishedAfter() throws IOException {
        Path out = Files.createDirectory(tmp.resolve("out"));
        Files.writeString(out.resolve("manifest.json"), "the previous corpus");
        try (StagingDirectory d = new StagingDirectory(out)) {
            Files.writeString(d.path().resolve("ids.bin"), "half");
            d.hook.run();
            assertEquals(List.of("out"), names());
            assertThrows(InterruptedIOException.class, () -> d.publish(out));
        }
        assertEquals("the previous corpus", Files.readString(out.resolve("manifest.json")));
        assertEquals(List.of("out"), names());
    }
}
