package charrnn.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The build app/rnn runs is chosen from the parsed command line, so an option in an @file counts like any other. */
class BuildTest {
    @TempDir
    Path tmp;

    @Test
    void sparkInAnArgsFileChoosesTheSparkBuild() throws Exception {
        Path local = Files.writeString(tmp.resolve("local.args"), "# on two threads\ndata/alice.txt --spark 'local[2]'\n");
        Path cluster = Files.writeString(tmp.resolve("cluster.args"), "--spark spark://10.0.0.1:7077 --max-time 1m\n");
        Path none = Files.writeString(tmp.resolve("none.args"), "data/alice.txt --hidden 64\n");
        assertEquals("spark-local", Build.of(new String[]{"train", "@" + local}, "cpu"));
        assertEquals("spark", Build.of(new String[]{"train", "@" + cluster}, "cpu"));
        assertEquals("cpu", Build.of(new String[]{"train", "@" + none}, "cpu"));
        assertEquals("spark-local", Build.of(new String[]{"train", "--spark", "data/alice.txt"}, "cpu"));
        assertEquals("spark-local", Build.of(new String[]{"train", "data/alice.txt", "--spark"}, "cpu"));
        assertEquals("spark", Build.of(new String[]{"train", "--spark=yarn"}, "cpu"));
        assertEquals("cpu", Build.of(new String[]{"train", "--no-such-option"}, "cpu"), "the CPU build refuses it");
        assertEquals("cpu", Build.of(new String[]{"sample", "--model", "m"}, "cpu"));
        assertEquals("cpu", Build.of(new String[]{"train", "@" + none}, "cuda"));
        var refused = assertThrows(charrnn.RnnException.class, () -> Build.of(new String[]{"train", "@" + local}, "cuda"));
        assertEquals(2, refused.exitCode());
        assertEquals("--spark computes each executor's share with the fast engine on the CPU: leave out the CUDA backend"
                + " (RNN_BACKEND=cpu)", refused.getMessage());
    }
}
