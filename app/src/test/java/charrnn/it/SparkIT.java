package charrnn.it;

import charrnn.TestFiles;
import charrnn.model.Checkpoint;
import charrnn.train.TinyCorpus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code rnn train --spark} through the real launcher, which builds the Spark build (app/target-spark)
 * on its first use: a step split over {@code local[2]}'s executors trains the parameters a local run
 * trains, and the model it writes samples and resumes without Spark.
 */
class SparkIT {
    @TempDir
    Path tmp;

    /** The Spark build first, so that no test's stderr starts with the launcher's build line (whichever runs first). */
    @BeforeAll
    static void buildTheSparkBuild() throws Exception {
        Process p = new ProcessBuilder(TestFiles.repoRoot().resolve("app/rnn").toString(), "--build", "spark")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(15, TimeUnit.MINUTES), "the Spark build did not finish");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.strip().endsWith("app/target-spark"), out);
    }

    private static final String[] TINY = {"--layers", "2", "--hidden", "32", "--seq-length", "20", "--batch", "64",
            "--dropout", "0.1", "--max-steps", "4", "--eval-every", "2", "--sample-every", "0", "--checkpoint-every", "0"};

    /** The launcher's exit code, with stderr (the first Spark run builds the Spark jar: minutes). */
    private record Run(int code, String out, String err) {
    }

    private Run rnn(Map<String, String> env, String... args) throws IOException, InterruptedException {
        return launch(env, "app/rnn", args);
    }

    /** One of the project's scripts ({@code app/rnn}, {@code app/spark-submit}) with {@code args}. */
    private Run launch(Map<String, String> env, String script, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(TestFiles.repoRoot().resolve(script).toString());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(15, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("rnn " + String.join(" ", args) + " did not finish:\n" + Files.readString(err));
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private Run rnn(String... args) throws IOException, InterruptedException {
        return rnn(Map.of(), args);
    }

    private static String[] with(String[] base, String... more) {
        String[] all = Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    /**
     * The same seed, batch and steps with and without {@code --spark local[2]}: the same parameters up to
     * the order of float additions (each share's gradient is summed apart, then the two are added), the
     * same validation losses. Dropout is on: its masks are drawn per window, whichever executor computes it.
     */
    @ParameterizedTest
    @CsvSource({"lstm, --no-streams, false", "gru, --streams, true"})
    void localTwoTrainsTheParametersOfALocalRun(String cell, String protocol, boolean argsFile) throws Exception {
        Path corpus = TinyCorpus.write(tmp, TinyCorpus.PATTERN, 200);
        String[] common = with(TINY, "--cell", cell, protocol);
        Run local = rnn(with(with(new String[]{"train", corpus.toString(), "--model", tmp.resolve("local").toString()},
                common), "-q"));
        assertEquals(0, local.code(), local.err());
        String[] sparkArgs = with(new String[]{corpus.toString(), "--model", tmp.resolve("spark").toString(),
                "--spark", "local[2]"}, common);
        // options in an @file are options: the launcher runs the Spark build for a --spark inside one too
        Run spark = argsFile ? rnn("train", "@" + Files.write(tmp.resolve("spark.args"), List.of(sparkArgs)))
                : rnn(with(new String[]{"train"}, sparkArgs));
        assertEquals(0, spark.code(), spark.err());
        assertTrue(spark.err().contains("Spark: master local[2], 2 executor cores: each step's 64 windows in as many shares"),
                spark.err());
        assertTrue(spark.err().contains("Spark: 4 steps computed by executor driver"), spark.err());
        assertFalse(spark.err().contains("WARN") || spark.err().contains("INFO") || spark.err().contains("ERROR"),
                "Spark's logs stay quiet:\n" + spark.err());
        System.out.printf("%s %s: parameters of local[2] and a local run differ by up to %s%n", cell, protocol,
                Checkpoint.load(tmp.resolve("local/last.zip"), false).net().params()
                        .sub(Checkpoint.load(tmp.resolve("spark/last.zip"), false).net().params()).amaxNumber());

        var a = Checkpoint.load(tmp.resolve("local/last.zip"), true);
        var b = Checkpoint.load(tmp.resolve("spark/last.zip"), true);
        assertEquals(4, b.info().state().step());
        assertEquals(a.info().state().step(), b.info().state().step());
        INDArray pa = a.net().params();
        INDArray pb = b.net().params();
        double maxDiff = pa.sub(pb).amaxNumber().doubleValue();
        assertTrue(maxDiff < 1e-5, "parameters differ by up to " + maxDiff); // measured: 2e-7
        assertEquals(a.info().state().bestValLoss(), b.info().state().bestValLoss(), 1e-4);
        if (protocol.equals("--streams")) {
            assertNotNull(b.streams(), "the carried state is in the checkpoint");
            for (int l = 0; l < 2; l++) {
                float[] ha = a.streams().h(l);
                float[] hb = b.streams().h(l);
                assertEquals(64 * 32, hb.length);
                for (int k = 0; k < ha.length; k++) {
                    assertEquals(ha[k], hb[k], 1e-5, "layer " + l + ", window " + k / 32 + ", unit " + k % 32);
                }
            }
        }
    }

    /** A model trained on Spark is an ordinary checkpoint: it samples and resumes without Spark. */
    @Test
    void aModelTrainedOnSparkSamplesAndResumesLocally() throws Exception {
        Path corpus = TinyCorpus.write(tmp, TinyCorpus.PATTERN, 200);
        Path model = tmp.resolve("model");
        Run spark = rnn(with(new String[]{"train", corpus.toString(), "--model", model.toString(), "--spark", "-q"},
                TINY));
        assertEquals(0, spark.code(), spark.err());
        Run sample = rnn("sample", "--model", model.toString(), "--length", "40", "--random-seed", "1");
        assertEquals(0, sample.code(), sample.err());
        assertEquals(40 + 1, sample.out().codePointCount(0, sample.out().length()), "40 characters and a newline: "
                + sample.out());
        Run resumed = rnn("train", "--resume", model.toString(), "--max-steps", "6", "-q");
        assertEquals(0, resumed.code(), resumed.err());
        assertEquals(6, Checkpoint.load(model.resolve("last.zip"), false).info().state().step());
        Run back = rnn("train", "--resume", model.toString(), "--max-steps", "8", "--spark", "local[2]", "-q");
        assertEquals(0, back.code(), back.err());
        assertEquals(8, Checkpoint.load(model.resolve("last.zip"), false).info().state().step());
    }

    /**
     * --spark-corpus: the executors read a copy of the prepared corpus through Hadoop (a file: URI here;
     * hdfs:// takes the same path through Hadoop's FileSystem) or at a path, and train the parameters a
     * run reading its own copy trains; a copy prepared from the same text at another path is the same
     * corpus. A copy of another corpus, truncated ids, a relative path and nothing there are one line
     * each, exit 3 or 2.
     */
    @Test
    void theExecutorsReadACopyOfTheCorpusAtAPathOrAHadoopUri() throws Exception {
        Path corpus = TinyCorpus.write(tmp, TinyCorpus.PATTERN, 200);
        Run own = rnn(with(new String[]{"train", corpus.toString(), "--model", tmp.resolve("own").toString(),
                "--spark", "local[2]"}, TINY));
        assertEquals(0, own.code(), own.err());
        assertTrue(own.err().contains("Spark: executors read the corpus at " + tmp.resolve("own/corpus/ids.bin")),
                own.err());
        INDArray expected = Checkpoint.load(tmp.resolve("own/last.zip"), false).net().params();
        // a copy in a directory whose name a URI must escape
        Path copy = Files.createDirectories(tmp.resolve("shared/tiny [1]"));
        for (String f : new String[]{"manifest.json", "vocab.json", "ids.bin"}) {
            Files.copy(tmp.resolve("own/corpus").resolve(f), copy.resolve(f));
        }
        // the same text prepared from another path, by rnn prepare
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.copy(corpus, elsewhere.resolve("tiny.txt"));
        Run prepared = rnn("prepare", elsewhere.resolve("tiny.txt").toString(), "-o", elsewhere.resolve("prepared").toString(),
                "-q");
        assertEquals(0, prepared.code(), prepared.err());
        Map<String, String> where = Map.of(copy.toUri().toString(), "through Hadoop at file:" + copy.resolve("ids.bin"),
                elsewhere.resolve("prepared").toString(), "at " + elsewhere.resolve("prepared/ids.bin"));
        int k = 0;
        for (var w : where.entrySet()) {
            Path model = tmp.resolve("copy-" + k++);
            Run r = rnn(with(new String[]{"train", corpus.toString(), "--model", model.toString(), "--spark", "local[2]",
                    "--spark-corpus", w.getKey()}, TINY));
            assertEquals(0, r.code(), r.err());
            assertTrue(r.err().contains("Spark: executors read the corpus " + w.getValue()), r.err());
            assertEquals(0.0, expected.sub(Checkpoint.load(model.resolve("last.zip"), false).net().params())
                    .amaxNumber().doubleValue(), 1e-6, w.getKey());
        }

        Path other = TinyCorpus.write(Files.createDirectories(tmp.resolve("other")), "another text, another vocabulary ", 200);
        Run wrong = rnn(with(new String[]{"train", other.toString(), "--model", tmp.resolve("wrong").toString(),
                "--spark", "local[2]", "--spark-corpus", copy.toString()}, TINY));
        assertEquals(3, wrong.code(), wrong.err());
        String again = "; copy the prepared corpus " + tmp.resolve("wrong/corpus") + " there (its manifest.json, vocab.json"
                + " and ids.bin)";
        assertEquals("rnn: --spark-corpus " + copy + ": another corpus than this run's (its manifest.json or vocab.json"
                + " differs from " + tmp.resolve("wrong/corpus") + "'s)" + again, wrong.err().strip());
        assertFalse(Files.exists(tmp.resolve("wrong/last.zip")));

        Path cut = Files.createDirectories(tmp.resolve("cut"));
        for (String f : new String[]{"manifest.json", "vocab.json"}) {
            Files.copy(copy.resolve(f), cut.resolve(f));
        }
        byte[] ids = Files.readAllBytes(copy.resolve("ids.bin"));
        Files.write(cut.resolve("ids.bin"), Arrays.copyOf(ids, ids.length - 100));
        Run truncated = rnn(with(new String[]{"train", corpus.toString(), "--model", tmp.resolve("cut-model").toString(),
                "--spark", "local[2]", "--spark-corpus", cut.toUri().toString()}, TINY));
        assertEquals(3, truncated.code(), truncated.err());
        assertEquals("rnn: --spark-corpus " + cut.toUri() + ": its ids.bin has " + (ids.length - 100) + " bytes, expected "
                + ids.length + "; copy the prepared corpus " + tmp.resolve("cut-model/corpus") + " there (its"
                + " manifest.json, vocab.json and ids.bin)", truncated.err().strip());
        assertFalse(Files.exists(tmp.resolve("cut-model/last.zip")));

        Run relative = rnn(with(new String[]{"train", corpus.toString(), "--model", tmp.resolve("rel").toString(),
                "--spark", "local[2]", "--spark-corpus", "shared/tiny"}, TINY));
        assertEquals(2, relative.code(), relative.err());
        assertEquals("rnn: --spark-corpus shared/tiny: give an absolute path every node sees, or a URI (hdfs://...)",
                relative.err().strip());
        assertFalse(Files.exists(tmp.resolve("rel")), "refused before anything is prepared");

        String nowhere = tmp.resolve("nowhere").toString();
        Run missing = rnn(with(new String[]{"train", corpus.toString(), "--model", tmp.resolve("missing").toString(),
                "--spark", "local[2]", "--spark-corpus", nowhere}, TINY));
        assertEquals(3, missing.code(), missing.err());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());
        assertTrue(missing.err().startsWith("rnn: --spark-corpus " + nowhere + ": cannot read it ("), missing.err());
    }

    /** spark-submit runs rnn's main class: its exit codes and one-line errors come through unchanged. */
    @Test
    void sparkSubmitPassesRnnsErrorsThrough() throws Exception {
        String jar = TestFiles.repoRoot().resolve("app/target-spark/rnn-spark.jar").toString();
        Run none = launch(Map.of(), "app/spark-submit", "--master", "local[2]", "--class", "charrnn.cli.Main", jar,
                "train", "nonexistent.txt", "--spark");
        assertEquals(3, none.code(), none.err());
        assertEquals("rnn: nonexistent.txt: no such file or prepared directory", none.err().strip());
        assertEquals("", none.out());
    }

    /** What --spark cannot run on is one line, a documented exit code, and no model directory. */
    @Test
    void anUnreachableMasterAndTheCudaBackendAreOneLineEach() throws Exception {
        Path corpus = TinyCorpus.write(tmp, TinyCorpus.PATTERN, 200);
        Path model = tmp.resolve("model");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // free once closed: nothing listens there
        }
        String master = "spark://127.0.0.1:" + port;
        Run r = rnn("train", corpus.toString(), "--model", model.toString(), "--spark", master);
        assertEquals(7, r.code(), r.err());
        assertEquals("rnn: cannot reach the Spark master " + master + " (Connection refused); start it, or check --spark",
                r.err().strip());
        assertFalse(Files.exists(model), "nothing written");

        Run yarn = rnn("train", corpus.toString(), "--model", model.toString(), "--spark", "yarn");
        assertEquals(2, yarn.code(), yarn.err());
        assertTrue(yarn.err().strip().startsWith("rnn: --spark yarn: this build has Spark's core only"), yarn.err());
        assertEquals(1, yarn.err().strip().lines().count(), yarn.err());

        // Spark's loggers are off from the command's start: its loopback-address warning came before a failing run's line
        Run none = rnn("train", "nonexistent.txt", "--spark");
        assertEquals(3, none.code(), none.err());
        assertEquals("rnn: nonexistent.txt: no such file or prepared directory", none.err().strip());

        Run cuda = rnn(Map.of("RNN_BACKEND", "cuda"), "train", corpus.toString(), "--spark");
        assertEquals(2, cuda.code(), cuda.err());
        assertEquals("rnn: --spark computes each executor's share with the fast engine on the CPU: leave out the CUDA"
                + " backend (RNN_BACKEND=cpu)", cuda.err().strip());
        assertFalse(Files.exists(model));
    }
}
