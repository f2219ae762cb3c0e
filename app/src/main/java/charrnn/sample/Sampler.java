package charrnn.sample;

import charrnn.RnnException;

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
        return generate(seedIds, length, n, strategy, randomSeed, stopAt, listener, 0);
    }

    /**
     * As above, each sample first drawing a document to throw away after the first {@code warmUp}
     * seed ids (0: none), see {@link Slots.Generation#warmUp}.
     */
    public String[] generate(int[] seedIds, int length, int n, Strategy strategy, long randomSeed, String stopAt,
                             Listener listener, int warmUp) {

        StringBuilder[] text = new StringBuilder[n];
        for (int k = 0; k < n; k++) {
            text[k] = new StringBuilder();
        }
        if (length == 0) {
            return toStrings(text);
        }
        int[] start = startOf(seedIds);
        if (fast == null && warmUp > 0) {
            throw RnnException.badModel("documents are drawn by rnn's own cells; this model's layers are not theirs");
        }
        if (fast == null) {
            Random[] rng = new Random[n];
            for (int k = 0; k < n; k++) {
                rng[k] = new Random(randomSeed + k);
            }
            Dl4jSteps steps = new Dl4jSteps(n);
            try {
                generate(steps, start, length, n, strategy, rng, stopAt, listener, text);
            } finally {
                steps.close();
            }
            return toStrings(text);
        }
        // samples are independent: with many, half of them run their whole generation on a second core,
        // which a command of many samples feels as a whole (bench/NOTES.md 37)
        boolean split = listener == null && n >= 8 && Runtime.getRuntime().availableProcessors() >= 2;
        int mid = split ? n / 2 : n;
        Slots first = slots(mid);
        Slots second = split ? slots(n - mid) : null;
        for (int k = 0; k < n; k++) {
            var g = new Slots.Generation(start, length, strategy, randomSeed + k, collector(k, text[k], stopAt, listener));
            (k < mid ? first : second).add(g.warmUp(warmUp));
        }
        ForkJoinTask<?> other = split ? ForkJoinPool.commonPool().submit(second::drain) : null;
        first.drain();
        if (other != null) {
            other.join();
        }
        return toStrings(text);
    }

    /** Whether generation runs on the fast path ({@link FastInference}): every network of rnn's cells. */
    public boolean fast() {
        return fast != null;
    }

    /** Rows for generations stepped together on the fast path. */
    public Slots slots(int rows) {
        if (fast == null) {
            throw new IllegalStateException("the fast path cannot run this network");
        }
        return new Slots(fast, rows);
    }

    /** What a generation feeds: the seed, or when it is empty the start of a line (a newline when the vocabulary has one, else a zero input). */
    public int[] startOf(int[] seedIds) {
        if (seedIds.length > 0) {
            return seedIds;
        }
        int nl = vocab.id('\n');
        return new int[]{nl >= 0 ? nl : -1};
    }

    /** Sample k's text, ended at {@code stopAt} (kept). */
    private Slots.Listener collector(int k, StringBuilder text, String stopAt, Listener listener) {
        return new Slots.Listener() {
            @Override
            public boolean onChar(int id, float[] logits) {
                int cp = vocab.codePoint(id);
                text.appendCodePoint(cp);
                if (listener != null) {
                    listener.onChar(k, cp);
                }
                return stopAt == null || stopAt.isEmpty() || !endsWith(text, stopAt, stopAt.length());
            }

            @Override
            public void onEnd() {
            }
        };
    }

    private static String[] toStrings(StringBuilder[] text) {
        return Arrays.stream(text).map(StringBuilder::toString).toArray(String[]::new);
    }

    /** DL4J's path: every sample in a row of {@code steps}. */
    private void generate(Dl4jSteps steps, int[] seed, int length, int n, Strategy strategy, Random[] rng,
                          String stopAt, Listener listener, StringBuilder[] text) {
        float[][] p = steps.start(seed);
        int[] next = new int[n];
        boolean[] done = new boolean[n];
        int alive = n;
        for (int i = 0; i < length && alive > 0; i++) {
            for (int r = 0; r < n; r++) {
                if (done[r]) {
                    continue;
                }
                int id = strategy.choose(p[r], rng[r]);
                next[r] = id;
                int cp = vocab.codePoint(id);
                text[r].appendCodePoint(cp);
                if (listener != null) {
                    listener.onChar(r, cp);
                }
                if (stopAt != null && !stopAt.isEmpty() && endsWith(text[r], stopAt, stopAt.length())) {
                    done[r] = true;
                    alive--;
                }
            }
            if (i + 1 < length && alive > 0) {
                p = steps.next(next);
            }
        }
    }

    /** DL4J's {@code rnnTimeStep}, one time step for all samples at once from the carried state. */
    private final class Dl4jSteps {
        private final int n;
        private final INDArray step;

        Dl4jSteps(int n) {
            this.n = n;
            this.step = Nd4j.zeros(DataType.FLOAT, n, vocab.size());
            net.rnnClearPreviousState();
        }

        /** Feeds the seed (-1: an all-zero input) and returns the next character's logits, a row per sample. */
        float[][] start(int[] seed) {
            if (seed.length == 1 && seed[0] < 0) {
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

        /** Feeds one character to each sample (samples that have stopped included). */
        float[][] next(int[] ids) {
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

        void close() {
            net.rnnClearPreviousState();
        }
    }

    /**
     * Whether {@code text} ends with the first {@code len} characters of {@code s}, without copying the
     * tail: this runs for every character of every sample.
     */
    public static boolean endsWith(CharSequence text, String s, int len) {
        int from = text.length() - len;
        if (from < 0) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (text.charAt(from + i) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
