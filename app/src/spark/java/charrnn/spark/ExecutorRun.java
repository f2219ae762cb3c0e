package charrnn.spark;

import charrnn.corpus.Json;
import charrnn.corpus.IdSequence;
import charrnn.engine.Engine;
import charrnn.model.ModelSpec;
import charrnn.model.Networks;
import charrnn.model.RecurrentState;
import charrnn.model.Hyperparameters;
import com.fasterxml.jackson.core.JsonProcessingException;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.io.Closeable;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * What an executor needs to compute shares of a run's steps, shipped with every task (a few hundred
 * bytes): the model and its training settings as the checkpoint's JSON, and where the corpus's ids
 * are ({@link CorpusSource}), read by positional reads, window by window. Each executor JVM builds a network
 * and a fast engine per task thread once per run and keeps them ({@link #POOL}); a step's task
 * only copies the broadcast parameters in.
 */
record ExecutorRun(String id, String spec, String config, CorpusSource corpus, int seqLength) implements Serializable {
    /** Idle workers by run and share size: one per task thread that has computed for it. */
    private static final Map<String, Queue<Worker>> POOL = new ConcurrentHashMap<>();

    private record Worker(MultiLayerNetwork net, Engine engine, IdSequence ids) {
    }

    /** Drops this run's workers (in local[N] they live in the driver's JVM). */
    static void release(ExecutorRun job) {
        POOL.entrySet().removeIf(e -> {
            if (!e.getKey().startsWith(job.id() + "/")) {
                return false;
            }
            for (Worker w : e.getValue()) {
                if (w.ids() instanceof Closeable c) {
                    try {
                        c.close();
                    } catch (IOException ignored) {
                        // a read-only file
                    }
                }
            }
            return true;
        });
    }

    static ExecutorRun of(String id, ModelSpec spec, Hyperparameters config, CorpusSource corpus) {
        try {
            return new ExecutorRun(id, Json.MAPPER.writeValueAsString(spec), Json.MAPPER.writeValueAsString(config),
                    corpus, config.seqLength());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The task of a step: the share's gradient sums at the broadcast parameters. */
    static Function<Share, ShareResult> task(ExecutorRun job, Broadcast<float[]> params, long dropoutSeed) {
        return share -> job.compute(share, params, dropoutSeed);
    }

    private ShareResult compute(Share share, Broadcast<float[]> params, long dropoutSeed) {
        long t0 = System.nanoTime();
        float[] p = params.value();
        long t1 = System.nanoTime();
        int windows = share.starts().length;
        Queue<Worker> idle = POOL.computeIfAbsent(id + "/" + windows, k -> new ConcurrentLinkedQueue<>());
        Worker w = idle.poll();
        if (w == null) {
            w = worker(windows);
        }
        try {
            // into the network's own host memory: an ND4J array per step is off-heap memory only the GC frees
            w.net().params().data().asNioFloat().put(0, p);
            RecurrentState state = !share.stateful() ? null
                    : share.state() != null ? Share.state(share.state()) : w.engine().newState(windows);
            ShareResult r = new ShareResult();
            r.loss = w.engine().gradientSums(w.ids(), share.starts(), dropoutSeed, share.first(), state);
            r.gradient = w.engine().gradient().toFloatVector();
            if (state != null) {
                r.states.add(new Share.End(share.first(), Share.bytes(state)));
            }
            r.fetchNanos = t1 - t0;
            r.computeNanos = System.nanoTime() - t1;
            SparkEnv env = SparkEnv.get();
            r.executors.add((env != null ? env.executorId() : "?") + " (pid " + ProcessHandle.current().pid() + ")");
            return r;
        } finally {
            idle.add(w);
        }
    }

    private Worker worker(int windows) {
        try {
            ModelSpec s = Json.MAPPER.readValue(spec, ModelSpec.class);
            Hyperparameters c = Json.MAPPER.readValue(config, Hyperparameters.class);
            MultiLayerNetwork net = Networks.build(s, c);
            if (net.params().offset() != 0 || net.params().length() != net.params().data().length()) {
                throw new IllegalStateException("the network's parameters are not one whole buffer");
            }
            Engine e = Engine.create(Engine.Kind.fast, net, s, windows, seqLength);
            return new Worker(net, e, corpus.open());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
