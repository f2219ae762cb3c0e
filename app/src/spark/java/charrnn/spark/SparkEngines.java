package charrnn.spark;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import charrnn.ExitCodes;
import charrnn.RnnException;
import charrnn.corpus.PreparedCorpus;
import charrnn.engine.ClusterEngines;
import charrnn.engine.Engine;
import charrnn.model.Hyperparameters;
import charrnn.model.ModelSpec;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.ExternalClusterManager;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The Spark build's {@link ClusterEngines}: a Spark context on the master (its loggers are {@code Verbosity}'s),
 * with the settings a step's traffic needs; the context's failures become one line and exit 7.
 */
public final class SparkEngines implements ClusterEngines {
    /** How long a cluster may take to give the run its first executor (a standalone worker starts one in seconds). */
    static final String WAIT = "spark.rnn.executorWait";
    /** After the first executor, how long no other may join before training starts. */
    private static final long SETTLE_MS = 2000;

    @Override
    public Engine create(String master, String sharedCorpus, Engine local, MultiLayerNetwork net, ModelSpec spec,
                         Hyperparameters config, PreparedCorpus corpus, Consumer<String> log) {
        SparkConf conf = new SparkConf(); // spark.* system properties: spark-submit's --master and --conf
        String m = master(conf, master);
        boolean here = m.startsWith("local") || m.contains("://127.0.0.1") || m.contains("://localhost");
        conf.setMaster(m).setAppName("rnn train " + corpus.dir());
        conf.setIfMissing("spark.ui.enabled", "false");
        if (here) {
            conf.setIfMissing("spark.driver.host", "127.0.0.1").setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        }
        // a step's results are a gradient each (3.5 MB at 2 x 256, 13 MB at 2 x 512): sent directly, not
        // through the block manager's extra fetch (../shared/SPARK-NOTES.md)
        conf.setIfMissing("spark.rpc.message.maxSize", "256").setIfMissing("spark.task.maxDirectResultSize", "256m");
        // one task per executor core, each with one BLAS thread: the cores are the shares
        conf.setIfMissing("spark.executorEnv.OMP_NUM_THREADS", "1")
                .setIfMissing("spark.executorEnv.ND4J_SKIP_BLAS_THREADS", "1")
                .setIfMissing("spark.executorEnv.OPENBLAS_NUM_THREADS", "1");
        JavaSparkContext sc;
        try {
            sc = new JavaSparkContext(conf);
        } catch (Exception e) {
            throw new RnnException(ExitCodes.CLUSTER, "cannot start Spark on " + m + ": " + firstLine(e), e);
        }
        try {
            String shipped = shipJar(sc);
            // the corpus first: a copy that does not fit is one line at once, not after the wait for executors
            CorpusSource source = sharedCorpus != null ? CorpusSource.shared(sharedCorpus, corpus, sc)
                    : sc.isLocal() ? CorpusSource.here(corpus) : CorpusSource.shipped(sc, corpus);
            long wait = conf.getTimeAsSeconds(WAIT, "120s");
            if (!sc.isLocal()) {
                try (ExecutorExits exits = ExecutorExits.watch()) {
                    waitForExecutors(sc, m, wait, exits);
                }
            }
            ExecutorRun job = ExecutorRun.of(UUID.randomUUID().toString(), spec, config, source);
            log.accept(String.format("Spark: master %s, %d executor cores: each step's %d windows in as many shares",
                    m, sc.defaultParallelism(), config.batch()));
            log.accept("Spark: " + source.describe() + (shipped == null ? ""
                    : "; rnn's classes shipped to each executor in " + shipped));
            return new SparkEngine(sc, local, net, job, log, wait);
        } catch (RuntimeException e) {
            sc.stop();
            throw e;
        }
    }

    @Override
    public void check(String master) {
        String m = master(new SparkConf(), master);
        if (!m.startsWith("local") && !m.startsWith("spark://") && !managed(m)) {
            throw RnnException.usage("--spark " + m + ": this build has Spark's core only; run YARN and Kubernetes"
                    + " jobs through spark-submit of a Spark installation (README, \"Training on Spark\")");
        }
        if (m.startsWith("spark://")) {
            reachable(m);
        }
    }

    /**
     * A cluster's executors get rnn's classes from rnn-spark.jar, which the launcher names
     * (rnn.spark.jar) and Spark ships to each of them ({@code addJar}, beside any jars of spark.jars).
     * Not when spark-submit runs rnn (its application jar is shipped already, and the launcher's
     * property is absent), and not when spark.jars is set empty (-Dspark.jars=): a cluster whose nodes
     * have the jar installed. Returns what the setup line says of the jar shipped, or null.
     */
    private static String shipJar(JavaSparkContext sc) {
        String jar = System.getProperty("rnn.spark.jar");
        if (sc.isLocal() || jar == null || sc.getConf().get("spark.jars", "x").isBlank()) {
            return null;
        }
        if (!Files.isRegularFile(Path.of(jar))) {
            throw RnnException.usage(jar + ": no such jar to ship to the executors; build it with app/rnn --build spark");
        }
        sc.addJar(jar);
        try {
            return String.format(Locale.ROOT, "%s (%.0f MB)", jar, Files.size(Path.of(jar)) / 1e6);
        } catch (IOException e) {
            return jar;
        }
    }

    /** The master to run on: the one given, else spark-submit's, else local[*]. */
    private static String master(SparkConf conf, String given) {
        return !given.isEmpty() ? given : conf.get("spark.master", "local[*]");
    }

    /** Whether a cluster manager on the classpath (Spark's YARN or Kubernetes module, as spark-submit has) takes it. */
    private static boolean managed(String master) {
        for (ExternalClusterManager m : ServiceLoader.load(ExternalClusterManager.class)) {
            if (m.canCreate(master)) {
                return true;
            }
        }
        return false;
    }

    /** A standalone master that does not answer is one line at once, not Spark's minute of retries. */
    private static void reachable(String master) {
        for (String hostPort : master.substring("spark://".length()).split(",")) {
            int colon = hostPort.lastIndexOf(':');
            String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            int port;
            try {
                port = colon < 0 ? 7077 : Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw RnnException.usage("--spark " + master + ": the port of " + hostPort + " is not a number");
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 5000);
                return;
            } catch (IOException e) {
                if (!master.contains(",")) {
                    throw new RnnException(ExitCodes.CLUSTER, "cannot reach the Spark master " + master + " ("
                            + e.getMessage() + "); start it, or check --spark");
                }
            }
        }
        throw new RnnException(ExitCodes.CLUSTER, "cannot reach any Spark master of " + master + "; check --spark");
    }

    /**
     * Waits for the first executor (up to {@code seconds}), then until no other has joined for
     * {@link #SETTLE_MS}: a cluster starts the executors it grants together, and a step's shares
     * follow the cores registered when it starts, so the first steps would otherwise run on the
     * first executor alone.
     */
    private static void waitForExecutors(JavaSparkContext sc, String master, long seconds, ExecutorExits exits) {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        int seen = 0;
        long changed = System.nanoTime();
        while (true) {
            int now = sc.statusTracker().getExecutorInfos().length - 1; // the driver is listed too
            if (now != seen) {
                seen = now;
                changed = System.nanoTime();
            }
            if (seen > 0 && System.nanoTime() - changed > SETTLE_MS * 1_000_000L) {
                return;
            }
            var conf = sc.getConf();
            String driver = conf.get("spark.driver.host", "?") + ":" + conf.get("spark.driver.port", "?");
            if (seen == 0 && exits.count() >= ExecutorExits.ENOUGH) {
                throw new RnnException(ExitCodes.CLUSTER, exits.count() + " executors started on the workers of "
                        + master + " and exited before registering with this driver (" + exits.last() + "): the"
                        + " workers cannot connect back to it at " + driver + "; set spark.driver.host to an address"
                        + " of this machine every worker reaches (docs/spark.md)");
            }
            if (seen == 0 && System.nanoTime() > end) {
                throw new RnnException(ExitCodes.CLUSTER, "no executor of " + master + " registered within " + seconds
                        + " s (" + WAIT + "): the cluster has no free worker with the memory and cores asked for, or its"
                        + " executors cannot connect back to this driver at " + driver + " (set spark.driver.host to an"
                        + " address of this machine every worker reaches: docs/spark.md)");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RnnException(ExitCodes.INTERRUPTED, "interrupted while waiting for Spark's executors");
            }
        }
    }

    /** The first line of the innermost message: Spark's are stack-trace sized. */
    static String firstLine(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = String.valueOf(t.getMessage() != null ? t.getMessage() : t.toString());
        String line = m.lines().findFirst().orElse(m);
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }

    /**
     * Executors the master started for this run that exited before registering, counted from the
     * driver's scheduler backend, which logs each one ("Executor app-.../3 removed: Command exited
     * with code 1"). Several in a row with none registered: the workers cannot reach the driver.
     */
    static final class ExecutorExits extends AppenderBase<ILoggingEvent> implements AutoCloseable {
        static final int ENOUGH = 3;
        private static final String BACKEND = "org.apache.spark.scheduler.cluster.StandaloneSchedulerBackend";
        private static final Pattern REMOVED = Pattern.compile("Executor \\S+ removed: (.*)");
        private final Logger logger;
        private final Level level;
        private final AtomicInteger count = new AtomicInteger();
        private volatile String last = "";

        private ExecutorExits(Logger logger) {
            this.logger = logger;
            this.level = logger.getLevel();
        }

        /** Counts from now until closed; the backend's INFO lines reach this appender, not the console. */
        static ExecutorExits watch() {
            var logger = (Logger) LoggerFactory.getLogger(BACKEND);
            ExecutorExits exits = new ExecutorExits(logger);
            exits.setContext(logger.getLoggerContext());
            exits.start();
            logger.addAppender(exits);
            if (!logger.isInfoEnabled()) {
                logger.setLevel(Level.INFO);
                logger.setAdditive(false);
            }
            return exits;
        }

        @Override
        protected void append(ILoggingEvent e) {
            var m = REMOVED.matcher(e.getFormattedMessage());
            if (m.find()) {
                last = m.group(1);
                count.incrementAndGet();
            }
        }

        int count() {
            return count.get();
        }

        String last() {
            return last;
        }

        @Override
        public void close() {
            logger.detachAppender(this);
            logger.setLevel(level);
            logger.setAdditive(true);
            stop();
        }
    }
}
