package charrnn.cli;

import charrnn.corpus.Json;
import charrnn.sample.SamplerModelFixture;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class SampleCommandTest {
    @TempDir
    static Path tmp;
    static Path model;

    @BeforeAll
    static void train() throws Exception {
        model = SamplerModelFixture.train(tmp);
    }

    @Test
    void argmaxEchoesTheSeedAndIsDeterministic() {
        CliRunner a = CliRunner.run("sample", "--model", model.toString(), "--seed", "the cat", "--argmax", "-n", "30");
        assertEquals(0, a.code(), a.err());
        assertTrue(a.out().startsWith("the cat"), a.out());
        assertEquals(7 + 30 + 1, a.out().length(), "seed, 30 characters and a newline: " + a.out());
        assertEquals(a.out(), CliRunner.run("sample", "-m", model.toString(), "-s", "the cat", "--argmax", "-n", "30").out());
        CliRunner noEcho = CliRunner.run("sample", "-m", model.toString(), "-s", "the cat", "--argmax", "-n", "30",
                "--no-echo-seed");
        assertEquals(a.out().substring(7), noEcho.out());
    }

    @Test
    void randomSeedMakesOutputReproducible() {
        String[] args = {"sample", "-m", model.toString(), "-n", "100", "--random-seed", "5", "-t", "0.8"};
        CliRunner a = CliRunner.run(args);
        CliRunner b = CliRunner.run(args);
        assertEquals(0, a.code(), a.err());
        assertEquals(a.out(), b.out());
        String[] other = args.clone();
        other[6] = "6";
        assertNotEquals(a.out(), CliRunner.run(other).out());
    }

    @Test
    void seedFileWithJsonGivesOneObjectPerSeedAndSample() throws Exception {
        Path seeds = Files.writeString(tmp.resolve("seeds.txt"), "the cat\nhello\n");
        CliRunner r = CliRunner.run("sample", "-m", model.toString(), "--seed-file", seeds.toString(), "--json",
                "-n", "20", "--num-samples", "2", "--random-seed", "1");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(4, lines.length, r.out());
        JsonNode first = Json.MAPPER.readTree(lines[0]);
        assertEquals("the cat", first.get("seed").asText());
        assertEquals(20, first.get("text").asText().codePointCount(0, first.get("text").asText().length()));
        assertEquals(1, first.get("settings").get("randomSeed").asLong());
        assertEquals("hello", Json.MAPPER.readTree(lines[2]).get("seed").asText());
        assertEquals(2, Json.MAPPER.readTree(lines[3]).get("settings").get("randomSeed").asLong());
    }

    @Test
    void numSamplesAreHeadedFromZeroLikeTheirSeedsAndNoEmptyLineFirst() throws Exception {
        String[] args = {"sample", "-m", model.toString(), "-n", "20", "--random-seed", "2", "-s", "the"};
        CliRunner r = CliRunner.run(concat(args, "--num-samples", "3"));
        assertEquals(0, r.code(), r.err());
        StringBuilder expected = new StringBuilder();
        for (int k = 0; k < 3; k++) {
            args[6] = String.valueOf(2 + k);  // sample k draws from random seed 2 + k
            expected.append("──── sample ").append(k).append(" ────\n").append(CliRunner.run(args).out());
        }
        assertEquals(expected.toString(), r.out());

        args[6] = "2";
        String[] json = CliRunner.run(concat(args, "--num-samples", "3", "--json")).out().split("\n");
        for (int k = 0; k < 3; k++) {
            JsonNode o = Json.MAPPER.readTree(json[k]);
            assertEquals(k, o.get("sample").asInt());
            assertEquals(2 + k, o.get("settings").get("randomSeed").asLong());
            assertTrue(r.out().contains("──── sample " + k + " ────\nthe" + o.get("text").asText() + "\n"), json[k]);
        }
    }

    @Test
    void jsonHelpNamesEveryFieldOfTheObject() throws Exception {
        String line = CliRunner.run("sample", "-m", model.toString(), "-n", "3", "--random-seed", "1", "--json").out();
        List<String> fields = new ArrayList<>();
        Json.MAPPER.readTree(line).fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("seed", "sample", "text", "settings"), fields);
        String help = CliRunner.run("sample", "--help").out().replaceAll("\\s+", " ");
        assertTrue(help.contains(" --json One JSON object per seed and sample on stdout: " + String.join(", ", fields)
                + ". "), help);
    }

    private static String[] concat(String[] a, String... more) {
        String[] all = Arrays.copyOf(a, a.length + more.length);
        System.arraycopy(more, 0, all, a.length, more.length);
        return all;
    }

    @Test
    void unknownSeedCharacters() {
        CliRunner r = CliRunner.run("sample", "-m", model.toString(), "-s", "the Zebra€", "-n", "5");
        assertEquals(3, r.code());
        String line = r.oneErrorLine();
        assertTrue(line.contains("'Z' (U+005A) at 4") && line.contains("'€' (U+20AC) at 9"), line);
        CliRunner skip = CliRunner.run("sample", "-m", model.toString(), "-s", "the Zebra€", "-n", "5", "--unknown",
                "skip", "--argmax");
        assertEquals(0, skip.code(), skip.err());
        assertTrue(skip.err().contains("warning: skipped"), skip.err());
    }

    @Test
    void badInputGetsOneLineAndTheDocumentedCode() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty-model"));
        Path truncated = tmp.resolve("truncated.zip");
        byte[] all = Files.readAllBytes(model.resolve("best.zip"));
        Files.write(truncated, Arrays.copyOf(all, all.length / 2));
        Object[][] cases = {
                {4, new String[]{"-m", tmp.resolve("missing").toString()}},
                {4, new String[]{"-m", empty.toString()}},
                {4, new String[]{"-m", truncated.toString()}},
                {2, new String[]{"-m", model.toString(), "-t", "0"}},
                {2, new String[]{"-m", model.toString(), "-t", "-1"}},
                {2, new String[]{"-m", model.toString(), "--top-p", "0"}},
                {2, new String[]{"-m", model.toString(), "--top-p", "1.5"}},
                {2, new String[]{"-m", model.toString(), "-n", "-3"}},
                {2, new String[]{"-m", model.toString(), "--top-k", "-1"}},
                {2, new String[]{"-m", model.toString(), "--unknown", "maybe"}},
                {2, new String[]{}},
        };
        for (Object[] c : cases) {
            String[] a = (String[]) c[1];
            String[] full = new String[a.length + 1];
            full[0] = "sample";
            System.arraycopy(a, 0, full, 1, a.length);
            CliRunner r = CliRunner.run(full);
            assertEquals(c[0], r.code(), String.join(" ", a) + ": " + r.err());
            r.oneErrorLine();
        }
    }

    @Test
    void evalMatchesValidationAndInfoDescribesTheModel() throws Exception {
        var loaded = charrnn.model.Checkpoint.load(model, false);
        var corpus = charrnn.corpus.PreparedCorpus.open(java.nio.file.Paths.get(loaded.info().state().corpusDir()));
        StringBuilder val = new StringBuilder();
        for (long i = corpus.valStart(); i < corpus.valStart() + corpus.valLength(); i++) {
            val.appendCodePoint(corpus.vocabulary().codePoint(corpus.id(i)));
        }
        Path valFile = Files.writeString(tmp.resolve("val.txt"), val + "\u20AC");
        CliRunner r = CliRunner.run("eval", "-m", model.toString(), valFile.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode o = Json.MAPPER.readTree(r.out());
        var expected = charrnn.engine.Engine.create(charrnn.engine.Engine.Kind.dl4j, loaded.net(), loaded.info().spec(),
                loaded.info().config().batch(), loaded.info().config().seqLength())
                .score(corpus, corpus.valStart(), corpus.valLength());
        assertEquals(expected.nats(), o.get("nats").asDouble(), 1e-6);
        assertEquals(expected.characters(), o.get("characters").asLong());
        assertEquals(1, o.get("unknown").asLong(), "the euro sign is counted, not silently dropped");
        assertEquals(Math.exp(expected.nats()), o.get("perplexity").asDouble(), 1e-6);

        CliRunner info = CliRunner.run("info", "-m", model.toString());
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().contains("LSTM, 2 layers x 24"), info.out());
        assertTrue(info.out().contains(loaded.info().corpus().sources().get(0).sha256()), info.out());
        CliRunner ij = CliRunner.run("info", "-m", model.toString(), "--json");
        JsonNode j = Json.MAPPER.readTree(ij.out());
        assertEquals(loaded.net().numParams(), j.get("parameters").asLong());
        assertEquals(1, j.get("formatVersion").asInt());
        assertEquals("cpu", j.get("backend").asText());
    }

    @Test
    void seedDashReadsTheSeedFromStandardInput() {
        var stdin = System.in;
        try {
            System.setIn(new java.io.ByteArrayInputStream("the cat".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            CliRunner piped = CliRunner.run("sample", "-m", model.toString(), "--seed", "-", "--argmax", "-n", "30");
            assertEquals(0, piped.code(), piped.err());
            assertEquals(CliRunner.run("sample", "-m", model.toString(), "--seed", "the cat", "--argmax", "-n", "30").out(),
                    piped.out());
        } finally {
            System.setIn(stdin);
        }
    }

    @Test
    void stopAtEndsEachSampleAtTheFirstOccurrenceAndKeepsIt() {
        CliRunner whole = CliRunner.run("sample", "-m", model.toString(), "-s", "the cat", "--argmax", "-n", "100",
                "--no-echo-seed");
        String stop = whole.out().substring(5, 7);
        int at = whole.out().indexOf(stop);
        CliRunner stopped = CliRunner.run("sample", "-m", model.toString(), "-s", "the cat", "--argmax", "-n", "100",
                "--no-echo-seed", "--stop-at", stop);
        assertEquals(0, stopped.code(), stopped.err());
        assertEquals(whole.out().substring(0, at + 2) + "\n", stopped.out());
        CliRunner empty = CliRunner.run("sample", "-m", model.toString(), "--stop-at", "");
        assertEquals(2, empty.code(), empty.err());
        assertEquals("rnn: --stop-at is empty; give the text that ends a sample, e.g. $'\\n\\n', or leave it out",
                empty.oneErrorLine());
        assertEquals("", empty.out(), "nothing generated");
    }
}
