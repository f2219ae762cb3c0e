package charrnn.sample;

import charrnn.corpus.Vocabulary;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;
import java.util.Random;

/**
 * Generates text with DL4J's {@code rnnTimeStep}: the seed goes through the network once, then
 * each new character costs one time step from the carried state. {@code n} samples run as one
 * batch (one row each); sample {@code k} draws from its own {@code Random(randomSeed + k)}, so it
 * matches a single run with {@code randomSeed + k} as long as the network computes the same
 * probabilities for a row in a batch as alone.
 */
public final class Sampler {
    /** Receives each generated character as it is chosen. */
    public interface Listener {
        void onChar(int sample, int codePoint);
    }

    private final MultiLayerNetwork net;
    private final Vocabulary vocab;
    private final LeanLstm lean;

    /** A sampler on the lean Java path for LSTM networks, DL4J's {@code rnnTimeStep} otherwise. */
    public Sampler(MultiLayerNetwork net, Vocabulary vocab) {
        this(net, vocab, true);
    }

    /** @param preferLean false forces DL4J's {@code rnnTimeStep} (for comparison) */
    public Sampler(MultiLayerNetwork net, Vocabulary vocab, boolean preferLean) {
        this.net = net;
        this.vocab = vocab;
        this.lean = preferLean && LeanLstm.supports(net) ? new LeanLstm(net) : null;
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
        Steps steps;
        Strategy draw = strategy;
        if (lean != null) {
            // the lean path applies the temperature in its softmax (one exp per symbol instead of
            // a log and an exp per symbol in the strategy)
            steps = new LeanSteps(n, strategy.argmax() ? 1 : strategy.temperature());
            draw = strategy.atTemperatureOne();
        } else {
            steps = new Dl4jSteps(n);
        }
        try {
            generate(steps, seed, length, n, draw, rng, stopAt, listener, text);
        } finally {
            steps.close();
        }
        return Arrays.stream(text).map(StringBuilder::toString).toArray(String[]::new);
    }

    private void generate(Steps steps, int[] seed, int length, int n, Strategy strategy, Random[] rng, String stopAt,
                          Listener listener, StringBuilder[] text) {
        float[][] start = steps.start(seed);
        int[] next = new int[n];
        Partner.Range run = (from, to) -> {
            float[][] p = start;
            boolean[] done = new boolean[n];
            int alive = to - from;
            for (int i = 0; i < length && alive > 0; i++) {
                for (int k = from; k < to; k++) {
                    if (done[k]) {
                        continue;
                    }
                    int id = strategy.choose(p[k], rng[k]);
                    next[k] = id;
                    int cp = vocab.codePoint(id);
                    text[k].appendCodePoint(cp);
                    if (listener != null) {
                        listener.onChar(k, cp);
                    }
                    if (stopAt != null && !stopAt.isEmpty() && endsWith(text[k], stopAt)) {
                        done[k] = true;
                        alive--;
                    }
                }
                if (i + 1 < length && alive > 0) {
                    p = steps.next(next, from, to);
                }
            }
        };
        if (listener == null) {
            // each half of the samples runs all its steps on its own core, no hand-over per step
            steps.inHalves(n, run);
        } else {
            run.run(0, n);  // the listener hears the samples in order, from this thread
        }
    }

    /** One time step for all samples at once, from the carried state: the lean path or DL4J's. */
    private interface Steps {
        /** Feeds the seed (empty: an all-zero input) and returns the next-character distributions. */
        float[][] start(int[] seed);

        /**
         * Feeds one character to each sample of [from, to); samples outside it advance too on a
         * path that cannot step them apart (DL4J's), which then only ever gets [0, n).
         */
        float[][] next(int[] ids, int from, int to);

        /** Runs {@code r} on the {@code n} samples, in halves on two threads where the path allows it. */
        default void inHalves(int n, Partner.Range r) {
            r.run(0, n);
        }

        default void close() {
        }
    }

    private final class LeanSteps implements Steps {
        private final int[] in;

        LeanSteps(int n, double temperature) {
            lean.reset(n);
            lean.temperature(temperature);
            in = new int[n];
        }

        @Override
        public float[][] start(int[] seed) {
            if (seed.length == 0) {
                Arrays.fill(in, -1);
                return lean.step(in);
            }
            float[][] p = null;
            for (int id : seed) {
                Arrays.fill(in, id);
                p = lean.step(in);
            }
            return p;
        }

        @Override
        public float[][] next(int[] ids, int from, int to) {
            return from == 0 && to == in.length ? lean.step(ids) : lean.step(ids, from, to);
        }

        @Override
        public void inHalves(int n, Partner.Range r) {
            lean.inHalves(r);
        }

        @Override
        public void close() {
            lean.close();
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
                return net.rnnTimeStep(Nd4j.zeros(DataType.FLOAT, n, vocab.size())).toFloatMatrix();
            }
            INDArray in = Nd4j.create(DataType.FLOAT, new long[]{n, vocab.size(), seed.length}, 'f');
            for (int k = 0; k < n; k++) {
                for (int t = 0; t < seed.length; t++) {
                    in.putScalar(new long[]{k, seed[t], t}, 1f);
                }
            }
            INDArray out = net.rnnTimeStep(in);
            return out.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(seed.length - 1)).toFloatMatrix();
        }

        @Override
        public float[][] next(int[] ids, int from, int to) {
            step.assign(0);
            for (int k = 0; k < n; k++) {
                step.putScalar(k, ids[k], 1f);
            }
            return net.rnnTimeStep(step).toFloatMatrix();
        }

        @Override
        public void close() {
            net.rnnClearPreviousState();
        }
    }

    /** Fixes the lean path's weight loop to four samples per pass, or to one (for tests: both must agree). */
    Sampler fourSamplesPerPass(boolean on) {
        lean.useFourSamples(on);
        return this;
    }

    /** True when generation runs on the lean Java path rather than DL4J's rnnTimeStep. */
    public boolean isLean() {
        return lean != null;
    }

    /** The lean path's next-character distributions after each prefix of {@code ids}. */
    public float[][] leanStepwiseProbabilities(int[] ids) {
        lean.reset(1);
        lean.temperature(1);
        float[][] result = new float[ids.length][];
        for (int t = 0; t < ids.length; t++) {
            result[t] = lean.step(new int[]{ids[t]})[0].clone();
        }
        return result;
    }

    /** The next-character distributions after each prefix of {@code ids}, fed step by step through DL4J. */
    public float[][] stepwiseProbabilities(int[] ids) {
        int v = vocab.size();
        net.rnnClearPreviousState();
        float[][] result = new float[ids.length][];
        INDArray step = Nd4j.zeros(DataType.FLOAT, 1, v);
        for (int t = 0; t < ids.length; t++) {
            step.assign(0);
            step.putScalar(0, ids[t], 1f);
            result[t] = net.rnnTimeStep(step).toFloatVector();
        }
        net.rnnClearPreviousState();
        return result;
    }

    private static boolean endsWith(StringBuilder sb, String s) {
        int n = s.length();
        return sb.length() >= n && sb.substring(sb.length() - n).equals(s);
    }
}
