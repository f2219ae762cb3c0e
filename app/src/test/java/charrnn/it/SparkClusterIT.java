package charrnn.it;

import charrnn.TestFiles;
import charrnn.model.Checkpoint;
import charrnn.train.TinyCorpus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A real Spark standalone cluster on 127.0.0.1, started by the project's script (app/spark-cluster):
 * one-core workers, a cluster of its own for each scenario. Training on it runs in two executor JVMs,
 * writes a checkpoint that samples locally, and finishes when a worker is killed during training. The
 * cluster and every process it started are stopped after each test, also when it fails.
 */
class SparkClusterIT {
    @TempDir
    Path tmp;

    private static final Pattern EXECUTORS = Pattern.compile("computed by executor (.*?); a step");

    /** One of the project's scripts, {@code args[0]}, with {@code env} added to this process's environment. */
    private Process start(Path log, Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(args));
        cmd.set(0, TestFiles.repoRoot().resolve(args[0]).toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile())
                .redirectOutput(log.resolveSibling(log.getFileName() + ".out").toFile()).redirectError(log.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    private String run(Path log, long minutes, String... args) throws Exception {
        Process p = start(log, Map.of(), args);
        if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail(String.join(" ", args) + " did not finish:\n" + Files.readString(log));
        }
        assertEquals(0, p.exitValue(), String.join(" ", args) + ":\n" + Files.readString(log));
        return Files.readString(log.resolveSibling(log.getFileName() + ".out"));
    }

    /** Once {@code training} has written two evaluations into {@code model}, the worker of {@code pidFile} is killed outright. */
    private static void killWorkerAfterTwoEvaluations(Process training, Path model, Path log, Path pidFile)
            throws Exception {
        Path metrics = model.resolve("metrics.csv");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while ((!Files.exists(metrics) || Files.readAllLines(metrics).size() < 3) && training.isAlive()
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(training.isAlive(), "training ended before the worker was killed:\n" + Files.readString(log));
        long worker = Long.parseLong(Files.readString(pidFile).strip());
        new ProcessBuilder("kill", "-KILL", Long.toString(worker)).start().waitFor();
    }

    private Path cluster;
    private String url;

    /** A cluster of {@code workers} one-core workers on a free port, stopped by {@link #stopTheCluster}. */
    private void startCluster(int workers) throws Exception {
        cluster = tmp.resolve("cluster");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        url = run(tmp.resolve("start.log"), 15, "app/spark-cluster", "start", "--workers", Integer.toString(workers),
                "--cores", "1", "--memory", "1g", "--port", Integer.toString(port), "--dir", cluster.toString()).strip();
        assertEquals("spark://127.0.0.1:" + port, url);
    }

    @AfterEach
    void stopTheCluster() throws Exception {
        if (cluster == null) {
            return;
        }
        new ProcessBuilder(TestFiles.repoRoot().resolve("app/spark-cluster").toString(), "stop", "--dir",
                cluster.toString()).inheritIO().start().waitFor(2, TimeUnit.MINUTES);
        String home = cluster.resolve("home").toString();
        List<String> left = ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(home)).orElse(false))
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("")).toList();
        assertEquals(List.of(), left, "every process of the cluster is stopped");
    }

    private static final String[] TINY = {"--layers", "1", "--hidden", "32", "--seq-length", "20", "--batch", "8",
            "--sample-every", "0", "--checkpoint-every", "0"};

    /** {@code launcher ARGS...} followed by a tiny model's options. */
    private static String[] tiny(String... args) {
        List<String> cmd = new ArrayList<>(List.of(args));
        cmd.addAll(List.of(TINY));
        return cmd.toArray(String[]::new);
    }

    /** app/rnn train on the cluster: 6 steps of a tiny model into {@code model}; returns stderr. */
    private String trainSixSteps(Path corpus, Path model, Path log) throws Exception {
        run(log, 10, tiny("app/rnn", "train", corpus.toString(), "--model", model.toString(), "--spark", url,
                "--max-steps", "6", "--eval-every", "3"));
        return Files.readString(log);
    }

    private static List<String> executorPids(String err) {
        Matcher m = EXECUTORS.matcher(err);
        assertTrue(m.find(), err);
        return Pattern.compile("pid (\\d+)").matcher(m.group(1)).results().map(r -> r.group(1)).toList();
    }

    @Test
    void twoWorkersTrainInTwoExecutorJvmsThatFetchRnnAndTheCorpusWithTheJob() throws Exception {
        startCluster(2);
        Path corpus = TinyCorpus.write(tmp, TinyCorpus.PATTERN, 200);
        Path model = tmp.resolve("model");
        String err = trainSixSteps(corpus, model, tmp.resolve("train.log"));
        List<String> pids = executorPids(err);
        assertEquals(2, pids.stream().distinct().count(), "two executor JVMs: " + pids);
        assertFalse(pids.contains(Long.toString(ProcessHandle.current().pid())));
        String text = run(tmp.resolve("sample.log"), 5, "app/rnn", "sample", "--model", model.toString(),
                "--length", "30", "--random-seed", "3");
        assertEquals(30 + 1, text.codePointCount(0, text.length()), "30 characters and a newline: " + text);
        // the workers are a plain Spark installation: rnn's classes and the corpus reach them with the job
        Path jar = TestFiles.repoRoot().resolve("app/target-spark/rnn-spark.jar");
        assertTrue(err.contains("Spark: the corpus (0.0 MB) shipped to each executor with the job")
                && err.contains("; rnn's classes shipped to each executor in " + jar + " ("), err);
        try (var jars = Files.list(cluster.resolve("home/jars"))) {
            assertEquals(List.of(), jars.map(j -> j.getFileName().toString()).filter(j -> j.startsWith("rnn")
                    || j.startsWith("nd4j") || j.startsWith("deeplearning4j") || j.startsWith("javacpp")).toList(),
                    "the workers' class path has none of rnn's, DL4J's, ND4J's or JavaCPP's jars");
        }
        for (int w = 1; w <= 2; w++) {
            try (var files = Files.walk(cluster.resolve("work-" + w))) {
                List<String> fetched = files.map(f -> f.getFileName().toString())
                        .filter(f -> f.equals("rnn-spark.jar") || f.equals("ids.bin")).sorted().toList();
                assertEquals(List.of("ids.bin", "rnn-spark.jar"), fetched, "worker " + w + "'s executor fetched them");
            }
        }
    }

    /** spark-submit (the project's, with no Spark installation), its executors reading a copy of the corpus through
     *  Hadoop, trains the parameters app/rnn trains on the same cluster. */
    @Test
    void sparkSubmitThroughAHadoopCopyOfTheCorpusTrainsWhatAppRnnTrains() throws Exception {
        startCluster(2);
        Path corpus = TinyCorpus.write(tmp, TinyCorpus.PATTERN, 200);
        Path model = tmp.resolve("model");
        trainSixSteps(corpus, model, tmp.resolve("train.log"));
        Path jar = TestFiles.repoRoot().resolve("app/target-spark/rnn-spark.jar");
        Path submitted = tmp.resolve("submitted");
        Path copy = Files.createDirectories(tmp.resolve("shared"));
        for (String f : new String[]{"manifest.json", "vocab.json", "ids.bin"}) {
            Files.copy(model.resolve("corpus").resolve(f), copy.resolve(f));
        }
        run(tmp.resolve("submit.log"), 10, tiny("app/spark-submit", "--master", url, "--class", "charrnn.cli.Main",
                jar.toString(), "train", corpus.toString(), "--model", submitted.toString(), "--spark",
                "--spark-corpus", copy.toUri().toString(), "--max-steps", "6", "--eval-every", "3"));
        String submitErr = Files.readString(tmp.resolve("submit.log"));
        assertEquals(2, executorPids(submitErr).stream().distinct().count(), "two executor JVMs");
        assertTrue(submitErr.contains("Spark: master " + url + ", 2 executor cores"), submitErr);
        assertTrue(submitErr.contains("Spark: executors read the corpus through Hadoop at file:" + copy.resolve("ids.bin")),
                submitErr);
        assertFalse(submitErr.contains("WARN") || submitErr.contains("ERROR"), "quiet:\n" + submitErr);
        assertEquals(0.0, Checkpoint.load(model.resolve("last.zip"), false).net().params()
                .sub(Checkpoint.load(submitted.resolve("last.zip"), false).net().params()).amaxNumber().doubleValue(),
                1e-6);
    }

    /** A worker killed outright during training: its executor goes with it, Spark runs its tasks on the other. */
    @Test
    void aWorkerKilledDuringTrainingDoesNotStopIt() throws Exception {
        startCluster(2);
        Path corpus = TinyCorpus.write(tmp, TinyCorpus.PATTERN, 200);
        Path killed = tmp.resolve("killed");
        Path log = tmp.resolve("killed.log");
        Process training = start(log, Map.of(), tiny("app/rnn", "train", corpus.toString(), "--model",
                killed.toString(), "--spark", url, "--max-steps", "60", "--eval-every", "2"));
        killWorkerAfterTwoEvaluations(training, killed, log, cluster.resolve("worker-1.pid"));
        assertTrue(training.waitFor(10, TimeUnit.MINUTES), "training did not finish:\n" + Files.readString(log));
        String killedErr = Files.readString(log);
        assertEquals(0, training.exitValue(), killedErr);
        assertTrue(killedErr.contains("Spark: executor ") && killedErr.contains(" lost ("),
                "the lost executor is reported:\n" + killedErr);
        assertFalse(killedErr.contains(" ERROR ") || killedErr.contains(" WARN "), "in rnn's line only:\n" + killedErr);
        assertEquals(60, Checkpoint.load(killed.resolve("last.zip"), false).info().state().step());
    }

    /** The last worker killed: no executor is left, and the run stops (exit 7) with its steps saved. */
    @Test
    void aClusterWithNoExecutorLeftStopsWithExit7AndKeepsItsSteps() throws Exception {
        startCluster(1);
        Path corpus = TinyCorpus.write(tmp, TinyCorpus.PATTERN, 200);
        Path orphan = tmp.resolve("orphan");
        Path orphanLog = tmp.resolve("orphan.log");
        // the workers gone, a step waits 5 s for an executor before it gives up
        Process lonely = start(orphanLog, Map.of("RNN_JAVA_OPTS",
                "-Xmx1g -XX:+UseSerialGC -Dspark.rnn.executorWait=5s"), tiny("app/rnn", "train", corpus.toString(),
                "--model", orphan.toString(), "--spark", url, "--max-steps", "100000", "--eval-every", "2"));
        killWorkerAfterTwoEvaluations(lonely, orphan, orphanLog, cluster.resolve("worker-1.pid"));
        assertTrue(lonely.waitFor(5, TimeUnit.MINUTES), "training did not stop:\n" + Files.readString(orphanLog));
        String lonelyErr = Files.readString(orphanLog);
        assertEquals(7, lonely.exitValue(), lonelyErr);
        assertTrue(lonelyErr.contains("rnn: the Spark cluster has had no executor for 5 s (spark.rnn.executorWait):"
                + " its workers are gone; rnn saves the steps trained so far (last.zip), continue with --resume"),
                lonelyErr);
        assertTrue(Checkpoint.load(orphan.resolve("last.zip"), false).info().state().step() >= 4,
                "the steps trained before are in last.zip");
    }

    /**
     * Workers that cannot reach the address the driver advertises (here 127.0.0.2, where nothing
     * listens: the driver binds 127.0.0.1): the run says so within seconds, not after the 120 s wait.
     */
    @Test
    void executorsThatCannotReachTheDriverAreReportedEarly() throws Exception {
        startCluster(1);
        Path corpus = TinyCorpus.write(tmp, TinyCorpus.PATTERN, 200);
        Path model = tmp.resolve("unreachable");
        Path log = tmp.resolve("unreachable.log");
        long t0 = System.nanoTime();
        Process p = start(log, Map.of("RNN_JAVA_OPTS", "-Xmx1g -XX:+UseSerialGC -Dspark.driver.host=127.0.0.2"),
                tiny("app/rnn", "train", corpus.toString(), "--model", model.toString(), "--spark", url, "--max-steps",
                        "4"));
        assertTrue(p.waitFor(3, TimeUnit.MINUTES), "did not stop:\n" + Files.readString(log));
        String err = Files.readString(log);
        assertEquals(7, p.exitValue(), err);
        assertTrue(err.matches("(?s).*rnn: \\d+ executors started on the workers of \\Q" + url + "\\E and exited before"
                + " registering with this driver \\(Command exited with code 1\\): the workers cannot connect back to it"
                + " at 127\\.0\\.0\\.2:\\d+; set spark\\.driver\\.host to an address of this machine every worker"
                + " reaches \\(docs/spark\\.md\\)\n.*"), err);
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(100), "reported before the 120 s wait ends");
        assertFalse(Files.exists(model), "the model directory the run made is removed");
    }
}
