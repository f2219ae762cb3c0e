package charrnn.cli;

import charrnn.AtomicFiles;

import charrnn.model.Checkpoint;
import charrnn.model.ModelSpec;
import charrnn.model.Networks;
import charrnn.model.Hyperparameters;
import charrnn.train.TinyCorpus;
import charrnn.train.RunOptions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class TrainCommandTest {
    @TempDir
    Path tmp;

    private static final String[] TINY = {"--cell", "lstm", "--layers", "2", "--hidden", "24", "--seq-length", "20",
            "--batch", "8", "--dropout", "0.2", "--lr-schedule", "char-rnn", "--lr-decay", "0.9",
            "--lr-decay-after", "1", "--eval-every", "4", "--sample-every", "0", "--checkpoint-every", "3", "-q"};

    private String[] args(String... more) {
        List<String> a = new ArrayList<>(List.of("train"));
        a.addAll(Arrays.asList(more));
        a.addAll(Arrays.asList(TINY));
        return a.toArray(String[]::new);
    }

    /** --min-lr's default is the decimal tenth of --lr, and rnn info shows both rates as typed. */
    @Test
    void theDefaultMinimumRateIsATenthAndInfoShowsItPlainly() throws Exception {
        assertEquals(3e-4, Hyperparameters.defaultMinLr(3e-3));
        assertEquals(4e-4, Hyperparameters.defaultMinLr(4e-3));
        assertEquals(1e-5, Hyperparameters.defaultMinLr(1e-4));
        assertEquals(3e-4, Settings.config().get().minLr());
        Path corpus = TinyCorpus.write(tmp, TinyCorpus.PATTERN + "and the dog ate the frog!\n", 40);
        Path m = tmp.resolve("m");
        CliRunner train = CliRunner.run("train", corpus.toString(), "--model", m.toString(), "--max-steps", "1",
                "--cell", "gru", "--hidden", "8", "--seq-length", "10", "--batch", "4",
                "--sample-every", "0", "-q");
        assertEquals(0, train.code(), train.err());
        assertEquals(3e-4, Checkpoint.load(m.resolve("last.zip"), false).info().config().minLr());
        CliRunner info = CliRunner.run("info", "-m", m.toString());
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().contains("lr 0.003, wsd to 0.0003 over the last 0.2 of the budget"), info.out());
    }

    /** A folder trains as its documents, resumes from its files, and rnn info names them. */
    @Test
    void aFolderOfDocumentsTrainsAndResumes() throws Exception {
        Path poems = Files.createDirectories(tmp.resolve("poems"));
        for (int i = 0; i < 10; i++) {
            Files.writeString(poems.resolve("p" + i + ".txt"), (TinyCorpus.PATTERN + i + "\n").repeat(8));
        }
        Path m = tmp.resolve("m");
        CliRunner train = CliRunner.run(args(poems.toString(), "--model", m.toString(), "--max-steps", "3"));
        assertEquals(0, train.code(), train.err());
        var manifest = charrnn.corpus.PreparedCorpus.open(m.resolve("corpus")).manifest();
        assertEquals(10, manifest.documents().count());
        assertEquals(1, manifest.documents().validation());
        AtomicFiles.deleteTree(m.resolve("corpus")); // resumed from the files the manifest lists
        CliRunner more = CliRunner.run("train", "--resume", m.toString(), "--max-steps", "5", "-q");
        assertEquals(0, more.code(), more.err());
        CliRunner info = CliRunner.run("info", "-m", m.toString());
        assertTrue(info.out().contains(poems.resolve("p0.txt").toAbsolutePath() + " and 9 more files"), info.out());
    }

    /**
     * rnn eval and training's validation share their scoring: the validation split's text scores the
     * validation loss, under either protocol.
     */
    @ParameterizedTest
    @ValueSource(strings = {"--streams", "--no-streams"})
    void evalOfTheValidationTextPrintsTheValidationLoss(String protocol) throws Exception {
        Path corpus = TinyCorpus.write(tmp, TinyCorpus.PATTERN + "and the dog ate the frog!\n", 40);
        Path m = tmp.resolve("m");
        CliRunner train = CliRunner.run(args(corpus.toString(), "--model", m.toString(), "--max-steps", "5",
                "--eval-chars", "0", "--json", protocol));
        assertEquals(0, train.code(), train.err());
        double val = charrnn.corpus.Json.MAPPER.readTree(train.out()).get("lastValLoss").asDouble();
        var prepared = charrnn.corpus.PreparedCorpus.open(m.resolve("corpus"));
        StringBuilder text = new StringBuilder();
        for (long i = prepared.valStart(); i < prepared.valStart() + prepared.valLength(); i++) {
            text.appendCodePoint(prepared.vocabulary().codePoint(prepared.id(i)));
        }
        Path valText = Files.writeString(tmp.resolve("val.txt"), text);
        CliRunner eval = CliRunner.run("eval", "-m", m.resolve("last.zip").toString(), valText.toString(), "--json");
        assertEquals(0, eval.code(), eval.err());
        var o = charrnn.corpus.Json.MAPPER.readTree(eval.out());
        assertEquals(val, o.get("nats").asDouble(), 0.0);
        assertEquals(prepared.valLength() - 1, o.get("characters").asLong());
        String how = protocol.equals("--streams") ? "streams" : "windows";
        assertEquals(how, o.get("protocol").asText());
        assertEquals(how, charrnn.corpus.Json.MAPPER.readTree(train.out()).get("valProtocol").asText());
        // the other protocol on request: the same characters, another figure
        CliRunner other = CliRunner.run("eval", "-m", m.resolve("last.zip").toString(), valText.toString(), "--json",
                "--protocol", how.equals("streams") ? "windows" : "streams");
        var p = charrnn.corpus.Json.MAPPER.readTree(other.out());
        assertEquals(prepared.valLength() - 1, p.get("characters").asLong());
        assertNotEquals(val, p.get("nats").asDouble());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--streams", "--no-streams"})
    void resumedTrainingEqualsUninterruptedTraining(String protocol) throws Exception {
        Path corpus = TinyCorpus.write(tmp, TinyCorpus.PATTERN + "and the dog ate the frog!\n", 40);
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        // 16 steps cross an epoch boundary (so the learning-rate decay and the new order are covered)
        CliRunner whole = CliRunner.run(args(corpus.toString(), "--model", a.toString(), "--max-steps", "16", protocol));
        assertEquals(0, whole.code(), whole.err());
        CliRunner half = CliRunner.run(args(corpus.toString(), "--model", b.toString(), "--max-steps", "8", protocol));
        assertEquals(0, half.code(), half.err());
        CliRunner rest = CliRunner.run("train", "--resume", b.toString(), "--max-steps", "16", "--eval-every", "4",
                "--sample-every", "0", "--checkpoint-every", "3", "-q");
        assertEquals(0, rest.code(), rest.err());

        var la = Checkpoint.load(a.resolve("last.zip"), true);
        var lb = Checkpoint.load(b.resolve("last.zip"), true);
        assertEquals(16, la.info().state().step());
        assertEquals(16, lb.info().state().step());
        assertEquals(la.info().state().epoch(), lb.info().state().epoch());
        assertTrue(la.info().state().epoch() >= 1, "the run crossed an epoch");
        assertClose(la.net().params(), lb.net().params());
        assertClose(la.net().getUpdater().getStateViewArray(), lb.net().getUpdater().getStateViewArray());
        assertEquals(la.info().state().bestValLoss(), lb.info().state().bestValLoss(), 1e-5);

        // metrics.csv: one history, appended across the resume
        List<String> ma = Files.readAllLines(a.resolve("metrics.csv"));
        List<String> mb = Files.readAllLines(b.resolve("metrics.csv"));
        assertEquals(ma.size(), mb.size());
        for (int i = 0; i < ma.size(); i++) {
            assertEquals(ma.get(i).split(",")[0], mb.get(i).split(",")[0]);
        }
        // --keep 3 of the step checkpoints at 3, 6, 9, 12, 15 and the final 16
        try (var s = Files.list(a)) {
            assertEquals(List.of("step-000012.zip", "step-000015.zip", "step-000016.zip"),
                    s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("step-")).sorted().toList());
        }
    }

    /**
     * A resumed run scores the validation text the resumed run did (its --eval-chars, not today's default), so its
     * figures compare with the best so far; an --eval-chars that differs is a warning.
     */
    @Test
    void aResumedRunEvaluatesTheTextTheResumedRunDid() throws Exception {
        Path corpus = TinyCorpus.write(tmp, TinyCorpus.PATTERN + "and the dog ate the frog!\n", 40);
        Path whole = tmp.resolve("whole");
        Path m = tmp.resolve("m");
        assertEquals(0, CliRunner.run(args(corpus.toString(), "--model", whole.toString(), "--max-steps", "8",
                "--eval-chars", "30")).code());
        assertEquals(0, CliRunner.run(args(corpus.toString(), "--model", m.toString(), "--max-steps", "4",
                "--eval-chars", "30")).code());
        assertEquals(30L, Checkpoint.load(m.resolve("last.zip"), false).info().state().evalChars());

        CliRunner rest = CliRunner.run("train", "--resume", m.toString(), "--max-steps", "8", "--eval-every", "4",
                "--sample-every", "0", "--checkpoint-every", "3");
        assertEquals(0, rest.code(), rest.err());
        assertTrue(rest.err().contains("Evaluating the first 30 characters of the validation split, as the resumed run"
                + " did (--eval-chars changes it)"), rest.err());
        assertEquals(30L, Checkpoint.load(m.resolve("last.zip"), false).info().state().evalChars());
        List<String> a = Files.readAllLines(whole.resolve("metrics.csv"));
        List<String> b = Files.readAllLines(m.resolve("metrics.csv"));
        assertEquals(Double.parseDouble(a.get(a.size() - 1).split(",")[4]),
                Double.parseDouble(b.get(b.size() - 1).split(",")[4]), 1e-4, "step 8's validation loss");

        CliRunner other = CliRunner.run("train", "--resume", m.toString(), "--max-steps", "12", "--eval-every", "4",
                "--sample-every", "0", "--checkpoint-every", "3", "-q", "--eval-chars", "0");
        assertEquals(0, other.code(), other.err());
        assertTrue(other.err().startsWith("warning: --eval-chars 0: the resumed run's best validation loss ("),
                other.err());
        assertTrue(other.err().contains("was measured on the first 30 characters of the validation split; best.zip"
                + " changes only for a lower figure on the new text"), other.err());
        assertEquals(0L, Checkpoint.load(m.resolve("last.zip"), false).info().state().evalChars());
    }

    /**
     * DL4J's layers cannot train from a carried state: on --engine dl4j a plain RNN trains on windows,
     * and asking for streams is one line; the fast engine trains a plain RNN on streams.
     */
    @Test
    void dl4jsLayersTrainOnWindowsAndRefuseStreams() throws Exception {
        Path corpus = TinyCorpus.write(tmp, TinyCorpus.PATTERN, 40);
        Path m = tmp.resolve("rnn");
        CliRunner r = CliRunner.run("train", corpus.toString(), "--model", m.toString(), "--cell", "rnn", "--engine",
                "dl4j", "--max-steps", "2", "--batch", "4", "--seq-length", "10", "--sample-every", "0");
        assertEquals(0, r.code(), r.err());
        assertFalse(Checkpoint.load(m.resolve("last.zip"), false).info().config().streams());
        Path s = tmp.resolve("rnn-streams");
        CliRunner f = CliRunner.run("train", corpus.toString(), "--model", s.toString(), "--cell", "rnn", "--streams",
                "--max-steps", "2", "--batch", "4", "--seq-length", "10", "--sample-every", "0");
        assertEquals(0, f.code(), f.err());
        assertTrue(Checkpoint.load(s.resolve("last.zip"), false).info().config().streams());
        for (String[] bad : new String[][]{{"--cell", "rnn", "--engine", "dl4j", "--streams"}, {"--engine", "dl4j", "--streams"}}) {
            List<String> a = new ArrayList<>(List.of("train", corpus.toString(), "--model", tmp.resolve("x").toString(),
                    "--max-steps", "2", "--batch", "4", "--seq-length", "10"));
            a.addAll(List.of(bad));
            CliRunner e = CliRunner.run(a.toArray(String[]::new));
            assertEquals(2, e.code(), e.err());
            assertEquals("rnn: --streams needs the fast engine (--engine fast, on the CPU): DL4J's"
                    + " layers cannot train from a carried state; use --no-streams", e.oneErrorLine());
        }
    }

    private static void assertClose(INDArray x, INDArray y) {
        assertArrayEquals(x.shape(), y.shape());
        double diff = x.sub(y).amaxNumber().doubleValue();
        assertTrue(diff < 1e-5, "max abs difference " + diff);
    }

    @Test
    void aSecondTrainingOfTheSameModelIsRefusedAtOnce() throws Exception {
        Path corpus = TinyCorpus.write(tmp, TinyCorpus.PATTERN, 40);
        Path m = tmp.resolve("m");
        assertEquals(0, CliRunner.run(args(corpus.toString(), "--model", m.toString(), "--max-steps", "2")).code());
        byte[] last = Files.readAllBytes(m.resolve("last.zip"));
        try (var held = charrnn.train.ModelLock.acquire(m)) {
            CliRunner r = CliRunner.run("train", "--resume", m.toString(), "--max-steps", "4", "-q");
            assertEquals(2, r.code(), r.err());
            assertEquals("rnn: " + m + ": another rnn train (process " + ProcessHandle.current().pid() + ") is training"
                    + " this model; wait for it to finish or stop it, or choose another --model", r.oneErrorLine());
            CliRunner fresh = CliRunner.run(args(corpus.toString(), "--model", m.toString(), "--max-steps", "1", "--force"));
            assertEquals(2, fresh.code(), fresh.err());
        }
        assertArrayEquals(last, Files.readAllBytes(m.resolve("last.zip")), "the model was not touched");
        assertEquals(0, CliRunner.run("train", "--resume", m.toString(), "--max-steps", "3", "-q").code(),
                "the lock is released when its run ends");
    }

    @Test
    void anExperimentKeptInAnArgsFileTrainsLikeTheSameOptionsOnTheCommandLine() throws Exception {
        Path corpus = TinyCorpus.write(tmp, TinyCorpus.PATTERN, 40);
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        assertEquals(0, CliRunner.run(args(corpus.toString(), "--model", a.toString(), "--max-steps", "3")).code());
        Path file = Files.writeString(tmp.resolve("experiment.args"), "# a tiny model\n" + corpus + "\n--model "
                + b + "\n--max-steps 3\n" + String.join(" ", TINY) + "\n");
        CliRunner r = CliRunner.run("train", "@" + file);
        assertEquals(0, r.code(), r.err());
        assertEquals(Checkpoint.load(a.resolve("last.zip"), false).net().params(),
                Checkpoint.load(b.resolve("last.zip"), false).net().params());
    }

    @Test
    void aBatchTooLargeIsOneErrorLineAndAMissingCorpusLeavesNoModelDirectory() throws Exception {
        Path corpus = TinyCorpus.write(tmp, TinyCorpus.PATTERN, 40);
        CliRunner big = CliRunner.run("train", corpus.toString(), "--model", tmp.resolve("big").toString(), "--batch",
                "500", "--seq-length", "20");
        assertEquals(2, big.code());
        assertEquals("rnn: --batch 500 needs 500 windows of 20 characters but the training split has 66; lower"
                + " --batch or --seq-length", big.oneErrorLine());
        assertEquals(1, big.err().strip().split("\n").length, big.err());
        Path models = tmp.resolve("models");
        CliRunner missing = CliRunner.run("train", tmp.resolve("missing.txt").toString(), "--model",
                models.resolve("missing").toString());
        assertEquals(3, missing.code());
        assertEquals("rnn: " + tmp.resolve("missing.txt") + ": no such file or prepared directory", missing.oneErrorLine());
        assertFalse(Files.exists(models), "no empty model directory left behind");
        Path prepared = tmp.resolve("prepared");
        assertEquals(0, CliRunner.run("prepare", corpus.toString(), "-o", prepared.toString(), "-q").code());
        CliRunner bigPrepared = CliRunner.run("train", prepared.toString(), "--model", models.resolve("big").toString(),
                "--batch", "500", "--seq-length", "20");
        assertEquals(2, bigPrepared.code());
        assertFalse(Files.exists(models.resolve("big")), "a run refused before its first step leaves no model directory");
    }

    /** --spark takes the next argument only when it is a master: else that is the corpus, and the master the default. */
    @Test
    void sparkTakesAMasterOnlyWhenTheNextArgumentIsOne() {
        var cmd = new TrainCommand();
        new picocli.CommandLine(cmd).parseArgs("--spark", "data/alice.txt", "--max-steps", "3");
        assertEquals("", cmd.run.spark);
        assertEquals(List.of(Path.of("data/alice.txt")), cmd.corpus);
        for (String master : new String[]{"local[2]", "local[*]", "local", "spark://127.0.0.1:7077", "yarn",
                "k8s://https://10.0.0.1:6443", "spark://a:7077,b:7077"}) {
            cmd = new TrainCommand();
            new picocli.CommandLine(cmd).parseArgs("--spark", master, "corpus.txt");
            assertEquals(master, cmd.run.spark);
            assertEquals(List.of(Path.of("corpus.txt")), cmd.corpus);
        }
        cmd = new TrainCommand();
        new picocli.CommandLine(cmd).parseArgs("corpus.txt", "--spark");
        assertEquals("", cmd.run.spark);
        cmd = new TrainCommand();
        new picocli.CommandLine(cmd).parseArgs("corpus.txt");
        assertNull(cmd.run.spark, "no --spark: a local run");
    }

    /** The default build has no Spark: --spark is one line that says how to get the Spark build, before anything is written. */
    @Test
    void sparkInTheDefaultBuildIsOneLineAndWritesNothing() throws Exception {
        Assumptions.assumeTrue(java.util.ServiceLoader.load(charrnn.engine.ClusterEngines.class).findFirst().isEmpty(),
                "tests run in the Spark build");
        Path corpus = TinyCorpus.write(tmp, TinyCorpus.PATTERN, 40);
        Path model = tmp.resolve("model");
        CliRunner r = CliRunner.run("train", corpus.toString(), "--model", model.toString(), "--spark", "local[2]");
        assertEquals(2, r.code());
        assertEquals("rnn: --spark needs rnn's Spark build: run rnn through app/rnn, which builds it on first use"
                + " (app/target-spark), or build it with mvn -Pcpu,spark package", r.oneErrorLine());
        assertFalse(Files.exists(model));
        CliRunner bad = CliRunner.run("train", corpus.toString(), "--model", model.toString(), "--spark=nowhere");
        assertEquals(2, bad.code());
        assertEquals("rnn: --spark: 'nowhere' is not a Spark master; give local[N] (N at least 1), spark://HOST:PORT,"
                + " yarn or k8s://URL (or --spark alone for local[*])", bad.oneErrorLine());
        CliRunner dl4j = CliRunner.run("train", corpus.toString(), "--model", model.toString(), "--spark",
                "--engine", "dl4j");
        assertEquals(2, dl4j.code());
        assertEquals("rnn: --spark computes each executor's share with the fast engine on the CPU: leave out"
                + " --engine dl4j", dl4j.oneErrorLine());
        assertFalse(Files.exists(model));
    }

    /** A master Spark refuses (no threads, no workers) is a usage error found before anything is prepared or written. */
    @Test
    void aMasterSparkRefusesIsAUsageErrorBeforeAnythingIsWritten() throws Exception {
        Path corpus = TinyCorpus.write(tmp, TinyCorpus.PATTERN, 40);
        Path model = tmp.resolve("model");
        for (String master : new String[]{"local[0]", "local[00]", "local-cluster[0,1,1024]"}) {
            var cmd = new TrainCommand();
            new picocli.CommandLine(cmd).parseArgs("--spark", master, "corpus.txt");
            assertEquals(master, cmd.run.spark, "taken as the master, not as the corpus");
            CliRunner r = CliRunner.run("train", corpus.toString(), "--model", model.toString(), "--spark", master);
            assertEquals(2, r.code(), r.err());
            assertEquals("rnn: --spark: '" + master + "' is not a Spark master; give local[N] (N at least 1),"
                    + " spark://HOST:PORT, yarn or k8s://URL (or --spark alone for local[*])", r.oneErrorLine());
            assertFalse(Files.exists(model), master);
        }
    }

    /** rnn train TEXT takes prepare's switches; a resume keeps the model corpus's, and a changed switch prepares again. */
    @Test
    void trainTakesPreparesSwitchesAndAChangedSwitchPreparesTheCorpusAgain() throws Exception {
        Path corpus = Files.writeString(tmp.resolve("mixed.txt"), "Hello World, The Cat Sat.\r\n".repeat(80));
        Path m = tmp.resolve("m");
        CliRunner lower = CliRunner.run(args(corpus.toString(), "--model", m.toString(), "--max-steps", "1",
                "--lowercase", "--val-fraction", "0.2"));
        assertEquals(0, lower.code(), lower.err());
        var manifest = charrnn.corpus.PreparedCorpus.open(m.resolve("corpus")).manifest();
        assertTrue(manifest.normalisation().lowercase());
        assertEquals(0.2, manifest.split().valFraction());
        var vocabulary = Checkpoint.load(m.resolve("last.zip"), false).vocabulary();
        assertTrue(vocabulary.contains('h') && !vocabulary.contains('H'), "lowercased");

        charrnn.AtomicFiles.deleteTree(m.resolve("corpus")); // gone: the resume prepares the text again, with its switches
        CliRunner resumed = CliRunner.run("train", "--resume", m.toString(), "--max-steps", "2", "-q");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(charrnn.corpus.PreparedCorpus.open(m.resolve("corpus")).manifest().normalisation().lowercase());
        CliRunner changed = CliRunner.run("train", "--resume", m.toString(), "--ascii", "-q");
        assertEquals(2, changed.code(), changed.err());
        assertEquals("rnn: --ascii cannot change when resuming: the checkpoint fixes the corpus's preparation, the"
                + " model and its optimisation (start a new --model to change them)", changed.oneErrorLine());

        CliRunner plain = CliRunner.run(args(corpus.toString(), "--model", m.toString(), "--max-steps", "1", "--force"));
        assertEquals(0, plain.code(), plain.err());
        assertFalse(charrnn.corpus.PreparedCorpus.open(m.resolve("corpus")).manifest().normalisation().lowercase(),
                "prepared again without --lowercase");
        assertTrue(Checkpoint.load(m.resolve("last.zip"), false).vocabulary().contains('H'));

        Path p = tmp.resolve("p");
        CliRunner prepared = CliRunner.run("train", m.resolve("corpus").toString(), "--model", p.toString(),
                "--lowercase", "--keep-crlf");
        assertEquals(2, prepared.code(), prepared.err());
        assertEquals("rnn: --lowercase, --keep-crlf: " + m.resolve("corpus") + " is prepared already; give the text"
                + " file, or prepare it again with rnn prepare", prepared.oneErrorLine());
        assertFalse(Files.exists(p));
    }

    /** A --model that names an existing file is a usage error naming it, for a fresh run, a resume and a fine-tune. */
    @Test
    void aModelThatIsAFileIsAUsageError() throws Exception {
        Path corpus = TinyCorpus.write(tmp, TinyCorpus.PATTERN, 40);
        Path m = tmp.resolve("m");
        assertEquals(0, CliRunner.run(args(corpus.toString(), "--model", m.toString(), "--max-steps", "1")).code());
        Path file = Files.writeString(tmp.resolve("notes.txt"), "mine");
        String[][] runs = {{"train", corpus.toString(), "--model", file.toString()},
                {"train", "--resume", m.toString(), "--model", file.toString()},
                {"train", corpus.toString(), "--init-from", m.toString(), "--model", file.toString()}};
        for (String[] run : runs) {
            CliRunner r = CliRunner.run(run);
            assertEquals(2, r.code(), r.err());
            assertEquals("rnn: " + file + ": is a file, not a model directory; choose another --model", r.oneErrorLine());
            assertEquals("mine", Files.readString(file));
        }
    }

    /** A run whose set-up fails after its corpus is prepared (here: the training step does not fit the heap) removes
     *  the model directory it made, .lock and corpus/ included. */
    @Test
    void aSetUpThatFailsRemovesTheModelDirectoryItMade() throws Exception {
        Path corpus = TinyCorpus.write(tmp, TinyCorpus.PATTERN, 10_000);
        Path model = tmp.resolve("model");
        CliRunner r = CliRunner.run("train", corpus.toString(), "--model", model.toString(), "--layers", "1",
                "--hidden", "512", "--seq-length", "10000", "--batch", "30", "-q");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.oneErrorLine().contains("of Java heap"), r.err());
        assertFalse(Files.exists(model), "the model directory this run made is removed");
        Path existing = Files.createDirectories(tmp.resolve("existing"));
        assertEquals(2, CliRunner.run("train", corpus.toString(), "--model", existing.toString(), "--layers", "1",
                "--hidden", "512", "--seq-length", "10000", "--batch", "30", "-q").code());
        assertTrue(Files.isDirectory(existing), "a directory the user had stays");
    }

    /** --spark-corpus tells a cluster's executors where the corpus is: without --spark it is a usage error, before anything is written. */
    @Test
    void sparkCorpusWithoutSparkIsOneLine() throws Exception {
        Path corpus = TinyCorpus.write(tmp, TinyCorpus.PATTERN, 40);
        Path model = tmp.resolve("model");
        CliRunner r = CliRunner.run("train", corpus.toString(), "--model", model.toString(), "--spark-corpus",
                "hdfs://namenode/corpora/tiny");
        assertEquals(2, r.code());
        assertEquals("rnn: --spark-corpus names the corpus for a cluster's executors: it needs --spark", r.oneErrorLine());
        assertFalse(Files.exists(model));
    }

    /** The default model is a 2 x 296 GRU; --hidden's default follows --cell (the 2 x 256 LSTM's parameter count). */
    @Test
    void theDefaultModelIsTheGruAtTheLstmsParameterCount() {
        var cmd = new TrainCommand();
        new picocli.CommandLine(cmd).parseArgs();
        assertEquals(new ModelSpec("gru", 2, 296, 0.1, 2), cmd.model.spec());
        for (String[] c : new String[][]{{"lstm", "256"}, {"rnn", "256"}, {"GRU", "296"}}) {
            cmd = new TrainCommand();
            new picocli.CommandLine(cmd).parseArgs("--cell", c[0]);
            assertEquals(Integer.parseInt(c[1]), cmd.model.spec().hidden(), c[0]);
        }
        // an explicit size wins, also when it is the other cell's default
        for (String[] c : new String[][]{{"gru", "256"}, {"lstm", "296"}, {"gru", "100"}}) {
            cmd = new TrainCommand();
            new picocli.CommandLine(cmd).parseArgs("--cell", c[0], "--hidden", c[1]);
            assertEquals(Integer.parseInt(c[1]), cmd.model.spec().hidden(), String.join(" ", c));
        }
        // tiny-shakespeare's 65 symbols: the two defaults' parameter counts, as the cells say
        var config = Settings.config().get();
        assertEquals(867_937, Networks.build(new ModelSpec("gru", 2, 296, 0.1, 65), config).numParams());
        assertEquals(871_745, Networks.build(new ModelSpec("lstm", 2, 256, 0.1, 65), config).numParams());
    }

    @Test
    void aBudgetGivenReplacesTheTenMinuteDefault() {
        var cmd = new TrainCommand();
        new picocli.CommandLine(cmd).parseArgs();
        var options = TrainOptionGroups.options(cmd.budget, cmd.evaluation);
        assertEquals(List.of(0, 0L, 600.0), List.of(options.epochs(), options.maxSteps(), options.maxSeconds()));
        assertEquals(100, options.sampleEvery(), "a preview at each evaluation");
        new picocli.CommandLine(cmd).parseArgs("--max-steps", "7", "--eval-every", "30");
        options = TrainOptionGroups.options(cmd.budget, cmd.evaluation);
        assertEquals(List.of(0, 7L, 0.0), List.of(options.epochs(), options.maxSteps(), options.maxSeconds()));
        assertEquals(30, options.sampleEvery());
    }

    @Test
    void aDivergedRunExits5AndKeepsItsCheckpoints() throws Exception {
        Path corpus = TinyCorpus.write(tmp, TinyCorpus.PATTERN, 40);
        Path m = tmp.resolve("m");
        assertEquals(0, CliRunner.run(args(corpus.toString(), "--model", m.toString(), "--max-steps", "2")).code());
        var l = Checkpoint.load(m.resolve("last.zip"), true);
        l.net().params().assign(Double.NaN); // what an exploding update leaves behind
        Checkpoint.save(m.resolve("last.zip"), l.net(), l.vocabulary(), l.info());
        byte[] last = Files.readAllBytes(m.resolve("last.zip"));
        CliRunner r = CliRunner.run("train", "--resume", m.toString(), "--max-steps", "4", "-q");
        assertEquals(5, r.code(), r.err());
        assertTrue(r.err().contains("training diverged at step 3: the loss is NaN"), r.err());
        assertTrue(r.err().contains("Done (diverged): 2 steps"), r.err());
        assertArrayEquals(last, Files.readAllBytes(m.resolve("last.zip")));
    }

    /** The run ends on a step checkpoint (6) but evaluates after it: last.zip must hold that evaluation. */
    @Test
    void lastZipHoldsTheFinalEvaluation() throws Exception {
        Path corpus = TinyCorpus.write(tmp, TinyCorpus.PATTERN, 40);
        Path m = tmp.resolve("m");
        CliRunner r = CliRunner.run(args(corpus.toString(), "--model", m.toString(), "--max-steps", "6", "--json"));
        assertEquals(0, r.code(), r.err());
        var summary = charrnn.corpus.Json.MAPPER.readTree(r.out());
        var state = Checkpoint.load(m.resolve("last.zip"), false).info().state();
        assertEquals(6, state.step());
        assertEquals(summary.get("lastValLoss").asDouble(), state.lastValLoss(), 0.0);
        assertEquals(summary.get("bestValLoss").asDouble(), state.bestValLoss(), 0.0);
    }

    @Test
    void truncatedCheckpointsAreRefusedCleanly() throws Exception {
        Path corpus = TinyCorpus.write(tmp, TinyCorpus.PATTERN, 40);
        Path m = tmp.resolve("m");
        assertEquals(0, CliRunner.run(args(corpus.toString(), "--model", m.toString(), "--max-steps", "2")).code());
        byte[] all = Files.readAllBytes(m.resolve("last.zip"));
        Random r = new Random(7);
        for (int i = 0; i < 6; i++) {
            int len = i == 0 ? 0 : r.nextInt(all.length);
            Path bad = tmp.resolve("bad" + i + ".zip");
            Files.write(bad, Arrays.copyOf(all, len));
            CliRunner res = CliRunner.run("train", "--resume", bad.toString(), "--max-steps", "3", "-q");
            assertEquals(4, res.code(), "truncated at " + len + ": " + res.err());
            assertTrue(res.oneErrorLine().contains(bad.toString()), res.err());
        }
        Path garbage = Files.writeString(tmp.resolve("garbage.zip"), "not a zip at all");
        assertEquals(4, CliRunner.run("train", "--resume", garbage.toString(), "-q").code());
    }

    @Test
    void resumingWithAnotherVocabularyIsRefused() throws Exception {
        Path corpus = TinyCorpus.write(tmp, TinyCorpus.PATTERN, 40);
        Path m = tmp.resolve("m");
        assertEquals(0, CliRunner.run(args(corpus.toString(), "--model", m.toString(), "--max-steps", "2")).code());
        Path other = Files.writeString(tmp.resolve("other.txt"), "XYZ xyz 123 QRS!\n".repeat(60));
        CliRunner r = CliRunner.run("train", other.toString(), "--resume", m.toString(), "-q");
        assertEquals(4, r.code(), r.err());
        assertTrue(r.oneErrorLine().contains("vocabulary"), r.err());
        // changing the model on resume is a usage error
        CliRunner h = CliRunner.run("train", "--resume", m.toString(), "--hidden", "64", "-q");
        assertEquals(2, h.code());
        assertTrue(h.oneErrorLine().contains("--hidden"), h.err());
        // starting again over an existing model needs --force
        CliRunner again = CliRunner.run(args(corpus.toString(), "--model", m.toString(), "--max-steps", "1"));
        assertEquals(2, again.code());
        assertTrue(again.oneErrorLine().contains("--resume"), again.err());
        assertEquals(0, CliRunner.run(args(corpus.toString(), "--model", m.toString(), "--max-steps", "1", "--force")).code());
    }

    @Test
    void badOptionsAreUsageErrors() throws Exception {
        Path corpus = TinyCorpus.write(tmp, TinyCorpus.PATTERN, 40);
        String[][] bad = {
                {"--hidden", "-5"}, {"--layers", "0"}, {"--batch", "0"}, {"--seq-length", "-1"},
                {"--lr", "0"}, {"--lr", "1.5"}, {"--lr", "abc"}, {"--cell", "gpt"}, {"--dropout", "1"},
                {"--optimizer", "sgd"}, {"--max-time", "ten minutes"}, {"--clip", "-1"}, {"--eval-every", "0"},
                {"--epochs", "-2"}, {"--lr-decay", "1.5"}};
        for (String[] b : bad) {
            List<String> a = new ArrayList<>(List.of("train", corpus.toString(), "--model", tmp.resolve("x").toString()));
            a.addAll(Arrays.asList(b));
            CliRunner r = CliRunner.run(a.toArray(String[]::new));
            assertEquals(2, r.code(), String.join(" ", b) + ": " + r.err());
            String line = r.oneErrorLine();
            assertTrue(line.contains(b[0]) || line.contains(b[1]), line);
        }
        assertFalse(Files.exists(tmp.resolve("x/last.zip")), "nothing trained");
        CliRunner missing = CliRunner.run("train", tmp.resolve("missing.txt").toString(), "--model",
                tmp.resolve("y").toString());
        assertEquals(3, missing.code());
        missing.oneErrorLine();
    }

    @Test
    void jsonSummaryOnStdout() throws Exception {
        Path corpus = TinyCorpus.write(tmp, TinyCorpus.PATTERN, 40);
        Path m = tmp.resolve("j");
        CliRunner r = CliRunner.run(args(corpus.toString(), "--model", m.toString(), "--max-steps", "10",
                "--eval-every", "4", "--json"));
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.out().lines().count(), "one line: " + r.out());
        var o = charrnn.corpus.Json.MAPPER.readTree(r.out());
        List<String> fields = new ArrayList<>();
        o.fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("stop", "steps", "epoch", "elapsedSeconds", "bestValLoss", "bestValBitsPerChar", "bestStep",
                "bestElapsedSeconds", "lastValLoss", "valProtocol", "best", "last"), fields);
        // evaluations at 4, 8 and the end (10): the summary agrees with metrics.csv and the checkpoint
        List<String[]> rows = Files.readAllLines(m.resolve("metrics.csv")).stream().skip(1).map(l -> l.split(","))
                .toList();
        assertEquals(List.of("4", "8", "10"), rows.stream().map(x -> x[0]).toList());
        String[] best = rows.stream().min(java.util.Comparator.comparingDouble(x -> Double.parseDouble(x[4]))).get();
        assertEquals("steps", o.get("stop").asText());
        assertEquals(10, o.get("steps").asInt());
        assertEquals(Double.parseDouble(best[4]), o.get("bestValLoss").asDouble(), 1e-5);
        assertEquals(o.get("bestValLoss").asDouble() / Math.log(2), o.get("bestValBitsPerChar").asDouble(), 1e-12);
        assertEquals(Long.parseLong(best[0]), o.get("bestStep").asLong());
        assertEquals(Double.parseDouble(rows.get(2)[4]), o.get("lastValLoss").asDouble(), 1e-5);
        assertEquals("windows", o.get("valProtocol").asText());
        assertEquals(m.resolve("best.zip").toString(), o.get("best").asText());
        assertEquals(m.resolve("last.zip").toString(), o.get("last").asText());
        var info = charrnn.corpus.Json.MAPPER.readTree(CliRunner.run("info", "--model", m.resolve("last.zip").toString(), "--json")
                .out());
        assertEquals(info.at("/state/epoch").asInt(), o.get("epoch").asInt());
        assertEquals(info.at("/state/elapsedSeconds").asDouble(), o.get("elapsedSeconds").asDouble(), 1e-9);
        assertTrue(o.get("bestElapsedSeconds").asDouble() > 0
                && o.get("bestElapsedSeconds").asDouble() <= o.get("elapsedSeconds").asDouble());
    }
}
