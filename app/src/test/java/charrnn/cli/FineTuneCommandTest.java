package charrnn.cli;

import charrnn.corpus.Json;
import charrnn.corpus.Preparer;
import charrnn.model.Checkpoint;
import charrnn.train.TinyCorpus;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/** {@code rnn train CORPUS --init-from MODEL} end to end, through the CLI. */
class FineTuneCommandTest {
    @TempDir
    Path tmp;

    private static final String[] CADENCE = {"--seq-length", "20", "--batch", "8", "--eval-every", "4",
            "--sample-every", "0", "--checkpoint-every", "3", "-q"};

    private static String[] train(String... args) {
        List<String> a = new java.util.ArrayList<>(List.of("train"));
        a.addAll(List.of(args));
        a.addAll(List.of(CADENCE));
        return a.toArray(String[]::new);
    }

    /** A 2 x 24 GRU (the default cell) trained 4 steps on the tiny pattern. */
    private Path parent() {
        Path m = tmp.resolve("parent");
        Path text;
        try {
            text = TinyCorpus.write(Files.createDirectories(tmp.resolve("p")), TinyCorpus.PATTERN, 40);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        CliRunner r = CliRunner.run(train(text.toString(), "--model", m.toString(), "--layers", "2", "--hidden", "24",
                "--max-steps", "4"));
        assertEquals(0, r.code(), r.err());
        return m;
    }

    /** Holds 'Q', 'Z', 'j', 'x' and more that the tiny pattern lacks. */
    private Path child() throws Exception {
        return TinyCorpus.write(Files.createDirectories(tmp.resolve("c")), "Quick brown fox jumps; ZZZ at the mat.\n",
                40);
    }

    private static Map<String, String> contents(Path dir) throws Exception {
        Map<String, String> m = new TreeMap<>();
        try (var s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                m.put(dir.relativize(p).toString(), Preparer.sha256(p));
            }
        }
        return m;
    }

    private static List<Path> checkpoints(Path dir) throws Exception {
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".zip")).sorted().toList();
        }
    }

    @Test
    void aModelFineTunedOnACorpusWithNewSymbolsTrainsSamplesScoresAndKeepsItsParentInEveryCheckpoint()
            throws Exception {
        Path parent = parent();
        Map<String, String> before = contents(parent);
        var p = Checkpoint.load(parent, false);
        Path text = child();
        Path m = tmp.resolve("child");
        // the parent's shape may be given; --dropout and the optimisation are free
        CliRunner r = CliRunner.run(train(text.toString(), "--init-from", parent.toString(), "--model", m.toString(),
                "--hidden", "24", "--dropout", "0.3", "--lr", "1e-3", "--max-steps", "6", "--json"));
        assertEquals(0, r.code(), r.err());
        assertEquals(6, Json.MAPPER.readTree(r.out()).get("steps").asInt());
        CliRunner resumed = CliRunner.run("train", "--resume", m.toString(), "--max-steps", "8", "-q");
        assertEquals(0, resumed.code(), resumed.err());
        assertEquals(before, contents(parent), "the parent is byte for byte as it was");

        String parentFile = parent.resolve(Checkpoint.BEST).toAbsolutePath().normalize().toString();
        List<Path> files = checkpoints(m);
        assertEquals(List.of("best.zip", "last.zip", "step-000003.zip", "step-000006.zip", "step-000008.zip"),
                files.stream().map(f -> f.getFileName().toString()).toList());
        for (Path f : files) {
            var info = Checkpoint.load(f, false).info();
            assertNotNull(info.parent(), f + " keeps the parent");
            assertEquals(parentFile, info.parent().checkpoint(), f.toString());
            assertEquals(4, info.parent().steps());
            assertEquals(p.info().corpus().sources().get(0).sha256(), info.parent().corpusSha256());
            assertEquals(p.info().state().bestValLoss(), info.parent().bestValLoss(), 0.0);
            assertEquals(0.3, info.spec().dropout());
            assertEquals(1e-3, info.config().lr());
        }
        assertEquals(8, Checkpoint.load(m.resolve(Checkpoint.LAST), false).info().state().step(),
                "the child counts its own steps from 0");

        CliRunner info = CliRunner.run("info", "-m", m.toString());
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().contains(String.format("parent        %s: step 4, best val loss %.4f%n", parentFile,
                p.info().state().bestValLoss())), info.out());
        assertTrue(info.out().contains(String.format("              corpus %s (sha256 %s)%n",
                p.info().corpus().sources().get(0).path(), p.info().corpus().sources().get(0).sha256())), info.out());
        assertTrue(info.out().contains("11 new symbols: ';' (U+003B), 'Q' (U+0051), 'Z' (U+005A), 'b' (U+0062)"),
                info.out());
        var json = Json.MAPPER.readTree(CliRunner.run("info", "-m", m.toString(), "--json").out()).get("parent");
        assertEquals(parentFile, json.get("checkpoint").asText());
        assertEquals(p.info().corpus().sources().get(0).sha256(), json.get("corpusSha256").asText());
        assertEquals(4, json.get("steps").asLong());
        assertEquals(p.info().state().bestValLoss(), json.get("bestValLoss").asDouble(), 0.0);

        // the new symbols are the model's: a seed made of them samples, a text of them scores in full
        CliRunner sample = CliRunner.run("sample", "-m", m.toString(), "--seed", "ZZZ Quix", "-n", "20",
                "--random-seed", "1");
        assertEquals(0, sample.code(), sample.err());
        assertTrue(sample.out().startsWith("ZZZ Quix"), sample.out());
        Path newText = Files.writeString(tmp.resolve("new.txt"), "Quick jumps; ZZZ fox.\n");
        CliRunner eval = CliRunner.run("eval", "-m", m.toString(), newText.toString(), "--json");
        assertEquals(0, eval.code(), eval.err());
        var scored = Json.MAPPER.readTree(eval.out());
        assertEquals(0, scored.get("unknown").asInt());
        assertEquals(21, scored.get("characters").asInt(), "every transition scored");
    }

    /** --hidden's default follows --cell (296 for a GRU), but a fine-tuned model takes its parent's size. */
    @Test
    void withoutShapeOptionsTheChildHasItsParentsShapeNotTheDefaultSize() throws Exception {
        Path parent = parent();
        Path text = child();
        for (String[] options : new String[][]{{}, {"--cell", "gru"}, {"--layers", "2", "--cell", "gru"}}) {
            Path m = tmp.resolve("child" + options.length);
            List<String> a = new java.util.ArrayList<>(List.of(text.toString(), "--init-from", parent.toString(),
                    "--model", m.toString(), "--max-steps", "1"));
            a.addAll(List.of(options));
            CliRunner r = CliRunner.run(train(a.toArray(String[]::new)));
            assertEquals(0, r.code(), r.err());
            var spec = Checkpoint.load(m.resolve(Checkpoint.LAST), false).info().spec();
            assertEquals(List.of("gru", 2, 24), List.of(spec.cell(), spec.layers(), spec.hidden()),
                    String.join(" ", options));
        }
    }

    @Test
    void initFromIsAUsageErrorWithResumeAndWithAnotherShapeAndAMissingParentIsABadModel() throws Exception {
        Path parent = parent();
        Path text = child();
        Path m = tmp.resolve("child");
        CliRunner both = CliRunner.run("train", "--resume", parent.toString(), "--init-from", parent.toString(), "-q");
        assertEquals(2, both.code(), both.err());
        assertTrue(both.oneErrorLine().startsWith("rnn: --init-from cannot be combined with --resume"), both.err());
        for (String[] option : new String[][]{{"--cell", "rnn"}, {"--layers", "1"}, {"--hidden", "32"}}) {
            CliRunner r = CliRunner.run(train(text.toString(), "--init-from", parent.toString(), "--model", m.toString(),
                    option[0], option[1]));
            assertEquals(2, r.code(), r.err());
            assertTrue(r.oneErrorLine().startsWith("rnn: " + option[0] + " " + option[1] + " differs from the"
                    + " --init-from model's"), r.err());
        }
        CliRunner missing = CliRunner.run(train(text.toString(), "--init-from", tmp.resolve("none").toString(),
                "--model", m.toString()));
        assertEquals(4, missing.code(), missing.err());
        assertEquals("rnn: " + tmp.resolve("none") + ": no such model directory or checkpoint file",
                missing.oneErrorLine());
        assertFalse(Files.exists(m), "nothing made");
    }

    /** A checkpoint written before the parent field existed: its rnn/checkpoint.json has no "parent". */
    @Test
    void aCheckpointWithoutParentStillLoads() throws Exception {
        Path parent = parent();
        Path old = tmp.resolve("old.zip");
        try (ZipFile in = new ZipFile(parent.resolve(Checkpoint.LAST).toFile());
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(old))) {
            for (ZipEntry e : java.util.Collections.list(in.entries())) {
                out.putNextEntry(new ZipEntry(e.getName()));
                try (InputStream data = in.getInputStream(e)) {
                    if (e.getName().equals(Checkpoint.INFO_ENTRY)) {
                        ObjectNode info = (ObjectNode) Json.MAPPER.readTree(data);
                        assertTrue(info.has("parent"));
                        info.remove("parent");
                        out.write(Json.MAPPER.writeValueAsBytes(info));
                    } else {
                        data.transferTo(out);
                    }
                }
                out.closeEntry();
            }
        }
        assertNull(Checkpoint.load(old, false).info().parent());
        CliRunner info = CliRunner.run("info", "-m", old.toString());
        assertEquals(0, info.code(), info.err());
        assertFalse(info.out().contains("parent"), info.out());
    }
}
