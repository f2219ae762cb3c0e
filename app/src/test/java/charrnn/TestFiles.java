package charrnn;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Locates the shared corpora: present locally, skipped when absent, a failure when CI=true. */
public final class TestFiles {
    private TestFiles() {
    }

    public static Path repoRoot() {
        Path here = Paths.get("").toAbsolutePath();
        // Maven runs the tests in app/; an IDE may run them at the top.
        return Files.exists(here.resolve("app/pom.xml")) ? here : here.getParent();
    }

    /** The names in a directory, sorted. */
    public static java.util.List<String> names(Path dir) throws java.io.IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * The committed file {@code checkpoints/NAME} (a checkpoint fixture, or its corpus) copied to
     * {@code target} (made when missing), once.
     */
    public static Path fixture(String name, Path target) throws java.io.IOException {
        if (!Files.exists(target)) {
            Files.createDirectories(target.toAbsolutePath().getParent());
            try (var in = TestFiles.class.getResourceAsStream("/checkpoints/" + name)) {
                Files.copy(in, target);
            }
        }
        return target;
    }

    public static Path corpus(String name) {
        String env = System.getenv("RNN_CORPORA");
        Path dir = env != null ? Paths.get(env) : repoRoot().getParent().resolve("shared/corpora");
        Path f = dir.resolve(name);
        if (!Files.exists(f)) {
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail("corpus " + f + " is missing (set RNN_CORPORA to the folder holding it)");
            }
            Assumptions.abort("corpus " + f + " not present");
        }
        return f;
    }
}
