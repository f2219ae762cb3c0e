package charrnn.sample;

import charrnn.corpus.Vocabulary;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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
        int v = vocab.size();
        Random[] rng = new Random[n];
        for (int k = 0; k < n; k++) {
            rng[k] = new Random(randomSeed + k);
        }
        int[] seed = seedIds;
        if (seed.length == 0) {
            int nl = vocab.id('\n');
            seed = nl >= 0 ? new int[]{nl} : new int[0];
        }
        if (lean != null) {
            return generateLean(seed, length, n, strategy, rng, stopAt, listener);
        }
        net.rnnClearPreviousState();
        INDArray probs;
        if (seed.length == 0) {
            probs = net.rnnTimeStep(Nd4j.zeros(DataType.FLOAT, n, v));
        } else {
            INDArray in = Nd4j.create(DataType.FLOAT, new long[]{n, v, seed.length}, 'f');
            for (int k = 0; k < n; k++) {
                for (int t = 0; t < seed.length; t++) {
                    in.putScalar(new long[]{k, seed[t], t}, 1f);
                }
            }
            INDArray out = net.rnnTimeStep(in);
            probs = out.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.point(seed.length - 1));
        }
        StringBuilder[] text = new StringBuilder[n];
        boolean[] done = new boolean[n];
        for (int k = 0; k < n; k++) {
            text[k] = new StringBuilder();
        }
        int[] prev = new int[n];
        INDArray step = Nd4j.zeros(DataType.FLOAT, n, v);
        int alive = n;
        for (int i = 0; i < length && alive > 0; i++) {
            float[][] p = probs.toFloatMatrix();
            for (int k = 0; k < n; k++) {
                if (done[k]) {
                    continue;
                }
                int id = strategy.choose(p[k], rng[k]);
                prev[k] = id;
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
                step.assign(0);
                for (int k = 0; k < n; k++) {
                    step.putScalar(k, prev[k], 1f);
                }
                probs = net.rnnTimeStep(step);
            }
        }
        net.rnnClearPreviousState();
        return Arrays.stream(text).map(StringBuilder::toString).toArray(String[]::new);
    }

    private String[] generateLean(int[] seed, int length, int n, Strategy strategy, Random[] rng, String stopAt,
                                  Listener listener) {
        lean.reset(n);
        int[] in = new int[n];
        float[][] p;
        if (seed.length == 0) {
            Arrays.fill(in, -1);
            p = lean.step(in);
        } else {
            p = null;
            for (int id : seed) {
                Arrays.fill(in, id);
                p = lean.step(in);
            }
        }
        StringBuilder[] text = new StringBuilder[n];
        boolean[] done = new boolean[n];
        for (int k = 0; k < n; k++) {
            text[k] = new StringBuilder();
        }
        int alive = n;
        for (int i = 0; i < length && alive > 0; i++) {
            for (int k = 0; k < n; k++) {
                if (done[k]) {
                    continue;
                }
                int id = strategy.choose(p[k], rng[k]);
                in[k] = id;
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
                p = lean.step(in);
            }
        }
        return Arrays.stream(text).map(StringBuilder::toString).toArray(String[]::new);
    }

    /** True when generation runs on the lean Java path rather than DL4J's rnnTimeStep. */
    public boolean isLean() {
        return lean != null;
    }

    /** The lean path's next-character distributions after each prefix of {@code ids}. */
    public float[][] leanStepwiseProbabilities(int[] ids) {
        lean.reset(1);
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
