package charrnn.corpus;

import charrnn.cli.Settings;
import charrnn.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Figures of the Gutenberg Alice that can be checked by hand (shared/corpora/SOURCES.md). */
class AliceCorpusTest {
    @TempDir
    Path tmp;

    @Test
    void rawFiguresWithBoilerplateKept() throws IOException {
        Path alice = TestFiles.corpus("alice.txt");
        var o = new PrepareOptions(0.1, true, true, false, false, false, false, false, null, null);
        Manifest m = new Preparer(o, x -> { }, null).prepare(alice, tmp.resolve("a"), false);
        assertEquals(167_497, m.sources().get(0).codePoints());
        assertEquals(167_497, m.sources().get(0).bytes());
        assertEquals("146e69455b17fac23bee136d0121ced326e0b99caf206df0281cb67241963875", m.sources().get(0).sha256());
        assertEquals(3_734, m.normalisation().crlfConverted());
        assertEquals(0, m.normalisation().loneCrConverted());
        assertEquals(167_497 - 3_734, m.codePoints());
        assertEquals(84, m.vocabSize()); // 85 distinct minus '\r'
        assertEquals(19, m.normalisation().boilerplate().startLine());
        assertEquals(3377, m.normalisation().boilerplate().endLine());
    }

    @Test
    void defaultKeepsLines20To3376() throws IOException {
        Path alice = TestFiles.corpus("alice.txt");
        Manifest m = new Preparer(Settings.prepare().get(), x -> { }, null).prepare(alice, tmp.resolve("a"), false);
        List<String> lines = List.of(Files.readString(alice, StandardCharsets.UTF_8).split("\n", -1));
        StringBuilder expected = new StringBuilder();
        for (int n = 20; n <= 3376; n++) {
            expected.append(lines.get(n - 1).replace("\r", "")).append('\n');
        }
        PreparedCorpus c = PreparedCorpus.open(tmp.resolve("a"));
        StringBuilder got = new StringBuilder();
        for (long i = 0; i < c.length(); i++) {
            got.appendCodePoint(c.vocabulary().codePoint(c.id(i)));
        }
        assertEquals(expected.toString(), got.toString());
        assertEquals(expected.codePointCount(0, expected.length()), m.codePoints());
        assertTrue(got.toString().startsWith("\n\n\n\n\n"), "starts after the START line");
        assertTrue(got.toString().contains("Alice was beginning to get very tired"));
        assertFalse(got.toString().contains("PROJECT GUTENBERG"));
        assertTrue(m.split().valLength() > 14_000);
    }
}
