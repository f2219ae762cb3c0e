package charrnn.cli;

import charrnn.sample.SamplerModelFixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** eval's output streams, and the text inputs of eval and sample that are not UTF-8. */
class EvalCommandTest {
    @TempDir
    static Path tmp;
    static Path model;
    static Path bad;

    @BeforeAll
    static void setUp() throws Exception {
        model = SamplerModelFixture.train(tmp);
        // "the cat\n", then a Latin-1 'é' (byte 12) in the second line
        bad = Files.write(tmp.resolve("bad.txt"), new byte[]{'t', 'h', 'e', ' ', 'c', 'a', 't', '\n', 'h', 'e', 'l', 'l',
                (byte) 0xE9, '\n'});
    }

    @Test
    void stdoutCarriesOnlyTheResultAndTheLeftOutWarningGoesToStderr() throws Exception {
        Path f = Files.writeString(tmp.resolve("text.txt"), "the cat sat on the mat. Zebra€\nhello world\n");
        CliRunner r = CliRunner.run("eval", "-m", model.toString(), f.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().matches(java.util.regex.Pattern.quote(f.toString())
                + ": \\d+\\.\\d{4} nats/char, \\d+\\.\\d{4} bits/char, perplexity \\d+\\.\\d{3} over 39 predicted characters \\(windows\\)\n"),
                r.out());
        assertEquals("3 of 43 characters are not in the model's vocabulary and were left out: 'Z' (U+005A), 'b' (U+0062), '€' (U+20AC)\n",
                r.err());

        CliRunner j = CliRunner.run("eval", "-m", model.toString(), f.toString(), "--json");
        assertEquals(0, j.code(), j.err());
        assertTrue(j.out().startsWith("{") && j.out().endsWith("}\n") && j.out().indexOf('\n') == j.out().length() - 1,
                j.out());
        assertTrue(j.err().startsWith("3 of 43 characters"), j.err());
    }

    private static void assertBadUtf8(CliRunner r) {
        assertEquals(3, r.code(), r.err());
        assertEquals("rnn: " + bad + ": not valid UTF-8 at byte offset 12; convert it to UTF-8"
                + " (e.g. iconv -f latin1 -t utf-8)", r.oneErrorLine());
        assertEquals("", r.out());
    }

    @Test
    void sampleSeedFileNotUtf8() {
        assertBadUtf8(CliRunner.run("sample", "-m", model.toString(), "--seed-file", bad.toString(), "-n", "5"));
    }

    @Test
    void evalFileNotUtf8() {
        assertBadUtf8(CliRunner.run("eval", "-m", model.toString(), bad.toString()));
    }

    /** A model of a --lowercase --ascii corpus scores a text as that corpus was prepared: lowercased, non-ASCII dropped. */
    @Test
    void evalAppliesTheModelCorpussNormalisation() throws Exception {
        Path text = Files.writeString(tmp.resolve("mixed.txt"), ("The Cat sat on the Mat, naïvely. \u00c9t\u00e9!\r\n").repeat(60));
        Path prepared = tmp.resolve("lower");
        assertEquals(0, CliRunner.run("prepare", text.toString(), "-o", prepared.toString(), "--lowercase", "--ascii",
                "-q").code());
        Path m = tmp.resolve("lower-model");
        CliRunner train = CliRunner.run("train", prepared.toString(), "--model", m.toString(), "--layers", "1",
                "--hidden", "16", "--seq-length", "20", "--batch", "4", "--max-steps", "3", "--sample-every", "0", "-q");
        assertEquals(0, train.code(), train.err());
        Path normalised = Files.writeString(tmp.resolve("normalised.txt"),
                "the cat sat on the mat, navely. t!\n".repeat(60));
        CliRunner raw = CliRunner.run("eval", "-m", m.toString(), text.toString(), "--json");
        CliRunner same = CliRunner.run("eval", "-m", m.toString(), normalised.toString(), "--json");
        assertEquals(0, raw.code(), raw.err());
        assertEquals("", raw.err(), "nothing is left out: the normalisation drops what the model never saw");
        var a = charrnn.corpus.Json.MAPPER.readTree(raw.out());
        var b = charrnn.corpus.Json.MAPPER.readTree(same.out());
        assertEquals(b.get("nats").asDouble(), a.get("nats").asDouble(), 0.0);
        assertEquals(b.get("characters").asLong(), a.get("characters").asLong());
    }
}
