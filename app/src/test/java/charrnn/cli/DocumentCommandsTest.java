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
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** What scripts do with a model of documents: whole documents out, novel ones, and scores. */
class DocumentCommandsTest {
    @TempDir
    static Path tmp;
    static Path names;
    static Path model;
    static final Set<String> TRAINING = new HashSet<>();

    /** A list of made-up names of two syllables, one per line, and a small GRU trained on it. */
    @BeforeAll
    static void train() throws Exception {
        String[] a = {"ka", "lo", "mi", "ra", "su", "te", "vi", "no"};
        String[] b = {"ren", "lia", "mon", "dra", "sel", "tor"};
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < b.length; j++) {
                if ((i + j) % 3 != 0) { // some pairs never appear: the model can make them
                    String name = Character.toUpperCase(a[i].charAt(0)) + a[i].substring(1) + b[j];
                    TRAINING.add(name);
                    text.append(name).append('\n').append(i == j ? "\n" : "");
                }
            }
        }
        names = Files.writeString(tmp.resolve("names.txt"), text.toString().repeat(6));
        model = tmp.resolve("names-model");
        CliRunner r = CliRunner.run("train", names.toString(), "--documents", "lines", "--model", model.toString(),
                "--hidden", "32", "--seq-length", "16", "--batch", "8", "--max-steps", "150", "--eval-every", "50",
                "--sample-every", "0", "--lr", "1e-2", "-q");
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void aDocumentIsOneLineOfAListAndEndsAtItsBoundary() throws Exception {
        CliRunner r = CliRunner.run("sample", "-m", model.toString(), "--document", "--num-samples", "20",
                "--random-seed", "3", "-n", "40");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(20, lines.size(), "one document per line, no header: " + r.out());
        CliRunner j = CliRunner.run("sample", "-m", model.toString(), "--document", "--num-samples", "20",
                "--random-seed", "3", "-n", "40", "--json");
        List<String> texts = new ArrayList<>();
        int complete = 0;
        for (String line : j.out().lines().toList()) {
            JsonNode o = Json.MAPPER.readTree(line);
            texts.add(o.get("text").asText());
            complete += o.get("complete").asBoolean() ? 1 : 0;
            assertTrue(o.get("settings").get("document").asBoolean());
        }
        assertEquals(lines, texts, "the same documents as text and as JSON");
        assertTrue(complete >= 18, complete + " of 20 documents ended within 40 characters: " + texts);
        int known = 0;
        for (String t : texts) {
            assertFalse(t.contains("\n"), t);
            known += TRAINING.contains(t) ? 1 : 0;
        }
        assertTrue(known >= 10, "a trained model mostly writes names of its list: " + texts);
    }

    @Test
    void novelDocumentsAreNeverCopiesOfTrainingDocuments() throws Exception {
        CliRunner r = CliRunner.run("sample", "-m", model.toString(), "--document", "--novel", "--num-samples", "30",
                "--random-seed", "1", "-n", "40", "-t", "1.2");
        assertEquals(0, r.code(), r.err());
        List<String> docs = r.out().lines().toList();
        for (String d : docs) {
            assertFalse(TRAINING.contains(d), d + " is a training name: " + docs);
        }
        assertTrue(r.err().matches("(?s).*--novel: [0-9,]+ drawn documents were copies of the "
                + TRAINING.size() + " training documents.*"), r.err());
        assertEquals(30, docs.size() + leftOut(r.err()), r.err());
        // argmax draws the same copy every time: it is given up after the draws and said so
        CliRunner argmax = CliRunner.run("sample", "-m", model.toString(), "--document", "--novel", "--argmax",
                "-n", "40");
        assertEquals(0, argmax.code(), argmax.err());
        String plain = CliRunner.run("sample", "-m", model.toString(), "--document", "--argmax", "-n", "40").out().strip();
        if (TRAINING.contains(plain)) {
            assertEquals("", argmax.out());
            assertTrue(argmax.err().contains("1 still copies after 101 draws were left out"), argmax.err());
        } else {
            assertEquals(plain, argmax.out().strip());
            assertTrue(argmax.err().contains("--novel: 0 drawn documents were copies"), argmax.err());
        }
    }

    /** A document's sample is the same drawn alone or among others (its warm-up included). */
    @Test
    void aDocumentDependsOnlyOnItsOwnSeed() throws Exception {
        CliRunner four = CliRunner.run("sample", "-m", model.toString(), "--document", "--num-samples", "4",
                "--random-seed", "9", "-n", "40", "--json");
        JsonNode third = Json.MAPPER.readTree(four.out().lines().toList().get(2));
        assertEquals(11, third.get("settings").get("randomSeed").asLong());
        CliRunner alone = CliRunner.run("sample", "-m", model.toString(), "--document", "--random-seed", "11",
                "-n", "40");
        assertEquals(third.get("text").asText() + "\n", alone.out());
    }

    private static int leftOut(String err) {
        var m = java.util.regex.Pattern.compile("([0-9,]+) still copies").matcher(err);
        return m.find() ? Integer.parseInt(m.group(1).replace(",", "")) : 0;
    }

    @Test
    void scoreGivesOneObjectPerLineAndTrainingNamesScoreBetterThanNoise() throws Exception {
        Path candidates = Files.writeString(tmp.resolve("candidates.txt"),
                "Karen\n\nqxzqxzqxzq\nLomon\nKaren©\n");
        CliRunner r = CliRunner.run("score", "-m", model.toString(), candidates.toString());
        assertEquals(0, r.code(), r.err());
        List<JsonNode> scores = new ArrayList<>();
        for (String line : r.out().lines().toList()) {
            scores.add(Json.MAPPER.readTree(line));
        }
        assertEquals(4, scores.size(), "the empty line is not a document: " + r.out());
        assertEquals(List.of(1L, 3L, 4L, 5L), scores.stream().map(s -> s.get("line").asLong()).toList());
        assertEquals(List.of(1L, 2L, 3L, 4L), scores.stream().map(s -> s.get("document").asLong()).toList());
        JsonNode karen = scores.get(0);
        assertEquals(5, karen.get("characters").asLong());
        assertEquals(0, karen.get("unknown").asLong());
        // five characters and the end of the line
        assertEquals(karen.get("nats").asDouble() / 6, karen.get("natsPerChar").asDouble(), 1e-12);
        assertEquals(karen.get("natsPerChar").asDouble() / Math.log(2), karen.get("bitsPerChar").asDouble(), 1e-12);
        assertEquals(Math.exp(karen.get("natsPerChar").asDouble()), karen.get("perplexity").asDouble(), 1e-9);
        assertTrue(karen.get("natsPerChar").asDouble() < scores.get(1).get("natsPerChar").asDouble() - 1,
                r.out());
        assertEquals(1, scores.get(3).get("unknown").asLong(), "© is not in the vocabulary");
        assertEquals(6, scores.get(3).get("characters").asLong());
        assertTrue(r.err().contains("scored 4 documents, 26 characters"), r.err());

        CliRunner files = CliRunner.run("score", "-m", model.toString(), candidates.toString(), "--documents", "files");
        assertEquals(0, files.code(), files.err());
        assertEquals(1, files.out().lines().count(), "the file as one document: " + files.out());
    }

    /**
     * Labels steer: a list of words written in capitals under "up" and in small letters under "low";
     * documents drawn under a label score better under it than under the other.
     */
    @Test
    void documentsUnderALabelScoreBetterUnderTheirOwnLabel() throws Exception {
        String[] syllables = {"ka", "lo", "mi", "ra", "su", "te", "vi", "no", "be", "du"};
        StringBuilder text = new StringBuilder();
        java.util.Random r = new java.util.Random(7);
        for (int i = 0; i < 300; i++) {
            String w = syllables[r.nextInt(10)] + syllables[r.nextInt(10)] + syllables[r.nextInt(10)];
            text.append(i % 2 == 0 ? "up\t" + w.toUpperCase() : "low\t" + w).append('\n');
        }
        Path list = Files.writeString(tmp.resolve("cased.txt"), text.toString());
        Path m = tmp.resolve("cased-model");
        CliRunner t = CliRunner.run("train", list.toString(), "--documents", "lines", "--label-column", "--model",
                m.toString(), "--hidden", "32", "--seq-length", "24", "--batch", "16", "--max-steps", "200",
                "--eval-every", "100", "--sample-every", "0", "--lr", "1e-2", "-q");
        assertEquals(0, t.code(), t.err());
        CliRunner info = CliRunner.run("info", "-m", m.toString());
        assertTrue(info.out().contains("labels        low: 150 documents, 900 characters; up: 150 documents, 900"
                + " characters"), info.out());
        int better = 0;
        int drawn = 0;
        for (String label : new String[]{"up", "low"}) {
            CliRunner d = CliRunner.run("sample", "-m", m.toString(), "--document", "--label", label,
                    "--num-samples", "10", "--random-seed", "1", "-n", "20");
            assertEquals(0, d.code(), d.err());
            Path docs = Files.writeString(tmp.resolve(label + ".txt"), d.out());
            double[][] s = new double[2][];
            String[] both = {"up", "low"};
            for (int k = 0; k < 2; k++) {
                CliRunner sc = CliRunner.run("score", "-m", m.toString(), docs.toString(), "--label", both[k], "-q");
                assertEquals(0, sc.code(), sc.err());
                s[k] = sc.out().lines().mapToDouble(l -> {
                    try {
                        return Json.MAPPER.readTree(l).get("nats").asDouble();
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }).toArray();
            }
            int own = label.equals("up") ? 0 : 1;
            for (int i = 0; i < s[0].length; i++) {
                drawn++;
                better += s[own][i] < s[1 - own][i] ? 1 : 0;
            }
        }
        assertEquals(20, drawn);
        assertTrue(better >= 18, better + " of 20 documents score better under their own label");
        CliRunner unknown = CliRunner.run("sample", "-m", m.toString(), "--document", "--label", "middle");
        assertEquals(3, unknown.code());
        assertTrue(unknown.oneErrorLine().contains("--label middle: not a label of this model; its labels: low, up"),
                unknown.err());
    }

    @Test
    void documentsNeedAModelOfDocumentsAndNovelNeedsDocument() throws Exception {
        Path stream = SamplerModelFixture.train(Files.createDirectories(tmp.resolve("stream")));
        CliRunner r = CliRunner.run("sample", "-m", stream.toString(), "--document");
        assertEquals(2, r.code());
        assertTrue(r.oneErrorLine().contains("was trained on one stream, without documents"), r.err());
        CliRunner n = CliRunner.run("sample", "-m", model.toString(), "--novel");
        assertEquals(2, n.code());
        assertTrue(n.oneErrorLine().contains("--novel compares whole documents: it needs --document"), n.err());
        CliRunner label = CliRunner.run("sample", "-m", model.toString(), "--document", "--label", "x");
        assertEquals(2, label.code());
        assertTrue(label.oneErrorLine().contains("this model was trained without labels"), label.err());
        CliRunner missing = CliRunner.run("score", "-m", model.toString(), tmp.resolve("nope.txt").toString());
        assertEquals(3, missing.code());
        assertTrue(missing.oneErrorLine().contains("nope.txt: no such file or folder"), missing.err());
    }
}
