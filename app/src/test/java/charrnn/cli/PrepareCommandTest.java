package charrnn.cli;

import charrnn.corpus.Json;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class PrepareCommandTest {
    @TempDir
    Path tmp;

    @Test
    void summaryOnStderrAndJsonOnStdout() throws Exception {
        Path f = Files.writeString(tmp.resolve("book.txt"), "Hello, world! Hello again.\n".repeat(20));
        CliRunner r = CliRunner.run("prepare", f.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.out());
        assertTrue(r.err().contains("vocabulary of 16 symbols"), r.err());
        assertTrue(r.err().contains("most frequent"), r.err());
        assertTrue(Files.exists(tmp.resolve("book/manifest.json")), "default output beside the corpus");

        CliRunner j = CliRunner.run("prepare", f.toString(), "-o", tmp.resolve("j").toString(), "--json");
        assertEquals(0, j.code(), j.err());
        JsonNode m = Json.MAPPER.readTree(j.out());
        assertEquals(540, m.get("codePoints").asLong());
        assertEquals(16, m.get("vocabSize").asInt());
        assertEquals("", j.err());
        assertEquals(Files.readString(tmp.resolve("j/manifest.json")) + "\n", j.out(), "the manifest as written");
    }

    @Test
    void aFolderAndAListOfLinesFromTheCommandLine() throws Exception {
        Path poems = Files.createDirectories(tmp.resolve("poems"));
        for (int i = 0; i < 12; i++) {
            Files.writeString(poems.resolve("p" + i + ".txt"), ("A poem, number " + i + ".\n").repeat(3));
        }
        CliRunner r = CliRunner.run("prepare", poems.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("12 documents (files, each ending with U+0003)"), r.err());
        assertTrue(r.err().contains("1 whole document)"), r.err());
        assertTrue(Files.exists(tmp.resolve("poems.prepared/manifest.json")), "beside the folder, named after it");

        Path names = Files.writeString(tmp.resolve("names.txt"), "Ada\nGrace\n\nEdsger\nBarbara\nAlan\n".repeat(4));
        CliRunner lines = CliRunner.run("prepare", names.toString(), "--documents", "lines", "--json");
        assertEquals(0, lines.code(), lines.err());
        JsonNode d = Json.MAPPER.readTree(lines.out()).get("documents");
        assertEquals("lines", d.get("mode").asText());
        assertEquals(20, d.get("count").asLong());
        assertEquals(10, d.get("boundary").asInt());

        CliRunner bad = CliRunner.run("prepare", names.toString(), "--documents", "pages");
        assertEquals(2, bad.code());
        assertTrue(bad.oneErrorLine().contains("--documents"), bad.err());
    }

    @Test
    void errorsAreOneLineWithDocumentedCodes() throws Exception {
        CliRunner missing = CliRunner.run("prepare", tmp.resolve("nope.txt").toString());
        assertEquals(3, missing.code());
        assertTrue(missing.oneErrorLine().contains("nope.txt: no such file"), missing.err());

        Path f = Files.writeString(tmp.resolve("c.txt"), "some text\n".repeat(10));
        CliRunner frac = CliRunner.run("prepare", f.toString(), "--val-fraction", "0.9");
        assertEquals(2, frac.code());
        assertTrue(frac.oneErrorLine().contains("--val-fraction"), frac.err());

        CliRunner unknown = CliRunner.run("prepare", f.toString(), "--frobnicate");
        assertEquals(2, unknown.code());
        assertTrue(unknown.oneErrorLine().contains("--frobnicate"), unknown.err());

        CliRunner noArgs = CliRunner.run("prepare");
        assertEquals(2, noArgs.code());
    }

    /** The defect: --force deleted a directory's notes and sub-folder. Now nothing in it is touched. */
    @Test
    void forceNeverDeletesWhatIsNotRnns() throws Exception {
        Path f = Files.writeString(tmp.resolve("c.txt"), "some text\n".repeat(10));
        Path dir = Files.createDirectories(tmp.resolve("mine/sub"));
        Files.writeString(dir.resolve("kept.txt"), "deep");
        Path notes = Files.writeString(tmp.resolve("mine/notes.txt"), "my notes");
        Files.writeString(tmp.resolve("mine/ids.bin"), "not ids");
        for (String[] extra : new String[][]{{}, {"--force"}}) {
            String[] args = new String[]{"prepare", f.toString(), "-o", tmp.resolve("mine").toString()};
            CliRunner r = CliRunner.run(java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                    java.util.Arrays.stream(extra)).toArray(String[]::new));
            assertEquals(2, r.code(), r.err());
            assertEquals("rnn: " + tmp.resolve("mine") + ": holds files that are not rnn's (notes.txt, sub/);"
                    + " choose another -o (rnn replaces only a prepared corpus)", r.oneErrorLine());
        }
        assertEquals("my notes", Files.readString(notes));
        assertEquals("deep", Files.readString(dir.resolve("kept.txt")));
        assertEquals("not ids", Files.readString(tmp.resolve("mine/ids.bin")));
        assertEquals(java.util.List.of("c.txt", "mine"), charrnn.TestFiles.names(tmp));
    }

    @Test
    void helpAndVersion() {
        CliRunner h = CliRunner.run("--help");
        assertEquals(0, h.code());
        assertTrue(h.out().contains("prepare"));
        CliRunner v = CliRunner.run("--version");
        assertEquals(0, v.code());
        assertTrue(v.out().startsWith("rnn "));
        CliRunner hc = CliRunner.run("help", "prepare");
        assertEquals(0, hc.code());
        assertTrue(hc.out().contains("--val-fraction"));
        // every command takes --help and -h (a usage error's advice is "Try 'rnn CMD --help'"),
        // with the exit codes at the end
        for (String cmd : new String[]{"prepare", "train", "sample", "eval", "info", "env"}) {
            for (String flag : new String[]{"--help", "-h"}) {
                CliRunner r = CliRunner.run(cmd, flag);
                assertEquals(0, r.code(), cmd + " " + flag + ": " + r.err());
                assertTrue(r.out().startsWith("Usage: rnn " + cmd + " "), r.out());
                assertTrue(r.out().contains("Exit codes: 0 ok"), r.out());
                assertEquals("", r.err());
            }
            // -V is the top level's only: in a command it is a usage error, not a version and exit 0
            assertEquals(2, CliRunner.run(cmd, "-V").code(), cmd + " -V");
        }
    }
}
