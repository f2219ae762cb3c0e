package charrnn.spark;

import charrnn.ExitCodes;
import charrnn.RnnException;
import charrnn.corpus.IdSequence;
import charrnn.engine.Engine;
import charrnn.model.RecurrentState;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Synchronous data parallelism on Spark: each step's windows are cut into one contiguous share per
 * executor core; the executors compute their shares' gradient sums with the fast engine at the
 * parameters broadcast for the step ({@link ExecutorRun}); Spark sums the results ({@code treeReduce});
 * the driver's {@code Trainer} then clips and applies the step to its network, which alone is
 * checkpointed. Dropout is drawn per window ({@link Engine#gradientSums(IdSequence, long[], long, int,
 * RecurrentState)}), so a step equals the local one up to the order of float additions.
 * Evaluation runs on the driver, with {@code local}: its cost is bounded by {@code --eval-chars}.
 */
final class SparkEngine implements Engine {
    private final JavaSparkContext sc;
    private final Engine local;
    private final MultiLayerNetwork net;
    private final ExecutorRun job;
    private final INDArray gradient;
    private final Consumer<String> log;
    private final Set<String> executors = new TreeSet<>();
    private final List<long[]> steps = new ArrayList<>();   // per step: nanos in all, fetching, computing; bytes moved
    private volatile boolean closing;                        // executors leave when the context stops: not lost
    private final String group = "rnn-" + UUID.randomUUID();
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "rnn-spark-step");
        t.setDaemon(true);
        return t;
    });
    private final long executorWaitSeconds;
    /** Steps kept for the closing line's medians: the most recent ones. */
    private static final int MAX_STEPS = 10_000;

    SparkEngine(JavaSparkContext sc, Engine local, MultiLayerNetwork net, ExecutorRun job, Consumer<String> log,
                long executorWaitSeconds) {
        this.executorWaitSeconds = executorWaitSeconds;
        this.sc = sc;
        this.local = local;
        this.net = net;
        this.job = job;
        this.gradient = Nd4j.create(net.params().dataType(), net.numParams());
        this.log = log;
        sc.sc().addSparkListener(new SparkListener() {
            @Override
            public void onExecutorRemoved(SparkListenerExecutorRemoved removed) {
                if (!closing) {
                    log.accept("Spark: executor " + removed.executorId() + " lost (" + removed.reason()
                            + "); Spark runs its tasks again on the others");
                }
            }
        });
    }

    @Override
    public int batch() {
        return local.batch();
    }

    @Override
    public int seqLength() {
        return local.seqLength();
    }

    @Override
    public RecurrentState newState(int windows) {
        return local.newState(windows);
    }

    @Override
    public double gradientSums(IdSequence ids, long[] starts, long dropoutSeed, int first, RecurrentState state) {
        long t0 = System.nanoTime();
        int shares = Math.max(1, Math.min(starts.length, sc.defaultParallelism()));
        List<Share> list = new ArrayList<>(shares);
        for (int k = 0; k < shares; k++) {
            int from = (int) ((long) starts.length * k / shares);
            int to = (int) ((long) starts.length * (k + 1) / shares);
            list.add(Share.of(starts, from, to, first, state));
        }
        Broadcast<float[]> params = sc.broadcast(net.params().toFloatVector());
        ShareResult r;
        try {
            r = await(runner.submit(() -> {
                sc.setJobGroup(group, "rnn training step", true);
                return sc.parallelize(list, shares).map(ExecutorRun.task(job, params, dropoutSeed))
                        .treeReduce(ShareResult::plus);
            }));
        } finally {
            params.destroy();
        }
        gradient.data().asNioFloat().put(0, r.gradient);
        if (state != null) {
            for (Share.End end : r.states) {
                RecurrentState s = Share.state(end.state());
                Share.copySlots(s, 0, state, end.first() - first, s.windows());
            }
        }
        executors.addAll(r.executors);
        long bytes = 4L * net.numParams() * (r.executors.size() + shares);
        if (steps.size() == MAX_STEPS) {
            steps.remove(0);
        }
        steps.add(new long[]{System.nanoTime() - t0, r.fetchNanos, r.computeNanos, bytes});
        return r.loss;
    }

    /**
     * The step's result, while watching the cluster: Spark waits without end for executors when every
     * one is gone, so a step that has had none for {@code executorWait} is cancelled (exit 7). A
     * failure rnn's own code raised on an executor (a heap too small for the share, say) keeps its
     * message and exit code; any other is one line with Spark's first line of the cause.
     */
    private ShareResult await(Future<ShareResult> step) {
        long none = -1;
        while (true) {
            try {
                return step.get(200, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (sc.isLocal() || sc.statusTracker().getExecutorInfos().length > 1) {
                    none = -1;
                } else if (none < 0) {
                    none = System.nanoTime();
                } else if (System.nanoTime() - none > executorWaitSeconds * 1_000_000_000L) {
                    sc.cancelJobGroup(group);
                    step.cancel(true);
                    throw new RnnException(ExitCodes.CLUSTER, "the Spark cluster has had no executor for "
                            + executorWaitSeconds + " s (" + SparkEngines.WAIT + "): its workers are gone; rnn saves"
                            + " the steps trained so far (last.zip), continue with --resume");
                }
            } catch (InterruptedException e) {
                sc.cancelJobGroup(group);
                Thread.currentThread().interrupt();
                throw new RnnException(ExitCodes.INTERRUPTED, "interrupted during a step on the Spark cluster");
            } catch (ExecutionException e) {
                for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
                    if (t instanceof RnnException rnn) {
                        throw new RnnException(rnn.exitCode(), rnn.getMessage(), e);
                    }
                }
                throw new RnnException(ExitCodes.CLUSTER, "a training step failed on the Spark cluster after Spark's"
                        + " retries (" + SparkEngines.firstLine(e) + "); rnn saves the steps trained so far"
                        + " (last.zip), continue with --resume", e);
            }
        }
    }

    @Override
    public double logLikelihood(IdSequence ids, long[] starts, int[] lengths, int count, RecurrentState state) {
        return local.logLikelihood(ids, starts, lengths, count, state);
    }

    @Override
    public INDArray gradient() {
        return gradient;
    }

    /** The run's record (where its steps ran and what a step cost, medians), then the context stops. */
    @Override
    public void close() {
        try {
            if (!steps.isEmpty()) {
                log.accept(String.format("Spark: %,d steps computed by executor %s; a step (median) %.0f ms, of"
                                + " which the slowest share computed %.0f ms and fetched the parameters %.0f ms; the"
                                + " rest (scheduling, results, aggregation) %.0f ms; %.1f MB moved per step",
                        steps.size(), String.join(", ", executors), ms(median(0)), ms(median(2)), ms(median(1)),
                        ms(median(0) - median(2) - median(1)), median(3) / 1e6));
            }
        } finally {
            closing = true;
            runner.shutdownNow();
            ExecutorRun.release(job);
            sc.stop();
        }
    }

    private long median(int column) {
        long[] v = steps.stream().mapToLong(s -> s[column]).sorted().toArray();
        return v[v.length / 2];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
