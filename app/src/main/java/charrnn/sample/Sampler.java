package charrnn.sample;

import charrnn.corpus.Vocabulary;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * Generates text one time step per character from the carried state, fed with the seed first: on
 * the fast Java path ({@link FastInference}) for networks of rnn's cells, else with DL4J's
 * {@code rnnTimeStep}.
 * {@code n} samples run as one batch (one row each); sample {@code k} draws from its own
 * {@code Random(randomSeed + k)}, so it matches a single run with {@code randomSeed + k} as long as
 * the network computes the same probabilities for a row in a batch as alone.
 */
public final class Sampler {
    /** Receives each generated character as it is chosen. */
    public interface Listener {
        void onChar(int sample, int codePoint);
    }

    private final MultiLayerNetwork net;
    private final Vocabulary vocab;
    private final FastInference fast;

    /** A sampler on the fast Java path when {@link FastInference} has every layer's cell, else DL4J's rnnTimeStep. */
    public Sampler(MultiLayerNetwork net, Vocabulary vocab) {
        this(net, vocab, true);
    }

    /** @param preferFast false forces DL4J's {@code rnnTimeStep} (for comparison) */
    Sampler(MultiLayerNetwork net, Vocabulary vocab, boolean preferFast) {
        this.net = net;
        this.vocab = vocab;
        this.fast = preferFast && FastInference.supports(net) ? new FastInference(net) : null;
    }

    /**
     * Generates {@code n} continuations of {@code seedIds} of up to {@code length} code points
     * each. A sample ends early when its text ends with {@code stopAt} (not null or empty); the
     * stop string is kept. With an empty seed the network starts from a newline (the start of a
     * line) when the vocabulary has one, else from a zero input.
     */
    public String[] generate(int[] seedIds, int length, int n, Strategy strategy, long randomSeed, String stopAt,
                             Listener listener) {

        Random[] rng = new Random[n];
        for (int k = 0; k < n; k++) {
            rng[k] = new Random(randomSeed + k);
        }
        int[] seed = seedIds;
        if (seed.length == 0) {
            int nl = vocab.id('\n');
            seed = nl >= 0 ? new int[]{nl} : new int[0];
        }
        StringBuilder[] text = new StringBuilder[n];
        for (int k = 0; k < n; k++) {
            text[k] = new StringBuilder();
        }
        if (fast == null) {
            Steps steps = new Dl4jSteps(n);
            try {
                generate(steps, seed, length, 0, n, strategy, rng, stopAt, listener, text);
            } finally {
                steps.close();
            }
            return toStrings(text);
        }
        int[] s = seed;
        if (listener == null && n >= 8 && Runtime.getRuntime().availableProcessors() >= 2) {
            // samples are independent: half of them run their whole generation on a second core,
            // which a command of many samples feels as a whole (bench/NOTES.md 37)
            int mid = n / 2;
            ForkJoinTask<?> other = ForkJoinPool.commonPool().submit(() ->
                    generate(new FastSteps(n - mid), s, length, mid, n, strategy, rng, stopAt, null, text));
            generate(new FastSteps(mid), s, length, 0, mid, strategy, rng, stopAt, null, text);
            other.join();
        } else {
            generate(new FastSteps(n), s, length, 0, n, strategy, rng, stopAt, listener, text);
        }
        return toStrings(text);
    }

    private static String[] toStrings(StringBuilder[] text) {
        return Arrays.stream(text).map(StringBuilder::toString).toArray(String[]::new);
    }

    /** Samples [from, to), rows [0, to - from) of {@code steps}. */
    private void generate(Steps steps, int[] seed, int length, int from, int to, Strategy strategy, Random[] rng,
                          String stopAt, Listener listener, StringBuilder[] text) {
        float[][] p = steps.start(seed);
        int n = to - from;
        int[] next = new int[n];
        boolean[] done = new boolean[n];
        int alive = n;
        for (int i = 0; i < length && alive > 0; i++) {
            for (int r = 0; r < n; r++) {
                if (done[r]) {
                    continue;
                }
                int k = from + r;
                int id = strategy.choose(p[r], rng[k]);
                next[r] = id;
                int cp = vocab.codePoint(id);
                text[k].appendCodePoint(cp);
                if (listener != null) {
                    listener.onChar(k, cp);
                }
                if (stopAt != null && !stopAt.isEmpty() && endsWith(text[k], stopAt)) {
                    done[r] = true;
                    alive--;
                }
            }
            if (i + 1 < length && alive > 0) {
                p = steps.next(next);
            }
        }
    }

    /** One time step for all samples at once, from the carried state: the fast path or DL4J's. */
    private interface Steps {
        /** Feeds the seed (empty: an all-zero input) and returns the next character's logits, a row per sample. */
        float[][] start(int[] seed);

        /** Feeds one character to each sample (samples that have stopped included). */
        float[][] next(int[] ids);

        default void close() {
        }
    }

    private final class FastSteps implements Steps {
        private final FastInference.Batch batch;
        private final int[] in;

        FastSteps(int n) {
            batch = fast.batch(n);
            in = new int[n];
        }

        @Override
        public float[][] start(int[] seed) {
            if (seed.length == 0) {
                Arrays.fill(in, -1);
                return batch.step(in);
            }
            float[][] p = null;
            for (int id : seed) {
                Arrays.fill(in, id);
                p = batch.step(in);
            }
            return p;
        }

        @Override
        public float[][] next(int[] ids) {
            return batch.step(ids);
        }
    }

    private final class Dl4jSteps implements Steps {
        private final int n;
        private final INDArray step;

        Dl4jSteps(int n) {
            this.n = n;
            this.step = Nd4j.zeros(DataType.FLOAT, n, vocab.size());
            net.rnnClearPreviousState();
        }

        @Override
        public float[][] start(int[] seed) {
            if (seed.length == 0) {
                return logOf(net.rnnTimeStep(Nd4j.zeros(DataType.FLOAT, n, vocab.size())));
            }
            INDArray in = Nd4j.create(DataType.FLOAT, new long[]{n, vocab.size(), seed.length}, 'f');
            for (int k = 0; k < n; k++) {
                for (int t = 0; t < seed.length; t++) {
                    in.putScalar(new long[]{k, seed[t], t}, 1f);
                }
            }
            INDArray out = net.rnnTimeStep(in);
            return logOf(out.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(seed.length - 1)));
        }

        @Override
        public float[][] next(int[] ids) {
            step.assign(0);
            for (int k = 0; k < n; k++) {
                step.putScalar(k, ids[k], 1f);
            }
            return logOf(net.rnnTimeStep(step));
        }

        /** The log of the softmax output: the logits up to a constant per row, which the softmax ignores. */
        private static float[][] logOf(INDArray probabilities) {
            float[][] p = probabilities.toFloatMatrix();
            for (float[] row : p) {
                for (int v = 0; v < row.length; v++) {
                    row[v] = (float) Math.log(row[v]);
                }
            }
            return p;
        }

        @Override
        public void close() {
            net.rnnClearPreviousState();
        }
    }

    /** Without copying the tail: this runs for every character of every sample. */
    private static boolean endsWith(StringBuilder sb, String s) {
        int from = sb.length() - s.length();
        if (from < 0) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (sb.charAt(from + i) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
