package charrnn.engine;

import charrnn.model.RecurrentState;
import charrnn.RnnException;
import charrnn.corpus.IdSequence;
import charrnn.model.ModelSpec;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What training and evaluation compute with a network, whichever code computes it: the gradient
 * sums of a set of windows (the {@link ParameterUpdate} turns them into a step) and the loss of a span
 * of ids. Sums, not means, so that shares of a batch computed apart (threads, machines) add up to
 * the batch's gradient: on the fast engine also with dropout, whose masks it draws per window, from
 * the step's seed and the window's number in the step.
 *
 * <p>A window is {@link #seqLength()} + 1 ids: every position predicts the next one. The loss of a
 * window is the cross-entropy summed over its positions, in nats.
 */
public interface Engine extends AutoCloseable {
    /** How the step is computed: {@link FastRecurrent} on the CPU (every cell), DL4J's own layers anywhere. */
    enum Kind {
        auto, fast, dl4j;

        /**
         * The engine on {@code backend} ("cpu" or "cuda"): auto is fast on the CPU (every cell has a
         * fast one), dl4j on CUDA, where fast is a usage error (its gate arithmetic runs in Java).
         */
        public Kind resolve(String backend) {
            boolean gpu = "cuda".equals(backend);
            if (this == fast && gpu) {
                throw RnnException.usage("--engine fast computes its gate arithmetic in Java on the CPU; on the CUDA"
                        + " backend use --engine dl4j (what --engine auto picks there)");
            }
            return this == dl4j || gpu ? dl4j : fast;
        }
    }

    /** Cross-entropy of a span: nats per predicted character over {@code characters} predictions. */
    record Loss(double nats, long characters) {
        public double bitsPerChar() {
            return nats / Math.log(2);
        }

        public double perplexity() {
            return Math.exp(nats);
        }
    }

    /** Probabilities below this count as this when scored (a loss of about 69 nats for that character). */
    float FLOOR = 1e-30f;

    /** The engine of {@code kind} (already resolved) for a network of {@code spec}, with room for {@code batch} windows. */
    static Engine create(Kind kind, MultiLayerNetwork net, ModelSpec spec, int batch, int seqLength) {
        return switch (kind) {
            case fast -> FastRecurrent.create(net, spec.cellType(), spec.layers(), spec.hidden(), spec.vocabSize(), batch,
                    seqLength, spec.dropout());
            case dl4j -> new Dl4jEngine(net, spec, batch, seqLength);
            case auto -> throw new IllegalArgumentException("resolve the engine kind first");
        };
    }

    /** Windows one call handles at most. */
    int batch();

    int seqLength();

    /**
     * Forward and backward pass over the full windows starting at {@code starts} (at most
     * {@link #batch()}), with dropout drawn from {@code dropoutSeed}: leaves in {@link #gradient()}
     * the sum over the windows of each window's loss gradient, and returns the sum of their losses.
     * Each window starts from a zero state.
     */
    default double gradientSums(IdSequence ids, long[] starts, long dropoutSeed) {
        return gradientSums(ids, starts, dropoutSeed, null);
    }

    /**
     * {@link #gradientSums(IdSequence, long[], long)} with window {@code i} starting from slot
     * {@code i} of {@code state} (null: from zero), which then holds the state each window ended in.
     * The gradient stops at the window's start (truncated backpropagation through time).
     */
    default double gradientSums(IdSequence ids, long[] starts, long dropoutSeed, RecurrentState state) {
        return gradientSums(ids, starts, dropoutSeed, 0, state);
    }

    /**
     * {@link #gradientSums(IdSequence, long[], long, RecurrentState)} for windows {@code first},
     * {@code first + 1}, ... of a step: the fast engine draws window i's dropout masks from
     * {@code dropoutSeed} and {@code first + i}, so a step's windows computed in shares (a cluster's
     * executors) draw the masks the whole batch would. DL4J's engine draws them from ND4J's generator
     * for the call's whole batch.
     */
    double gradientSums(IdSequence ids, long[] starts, long dropoutSeed, int first, RecurrentState state);

    /** Whether {@link #gradientSums(IdSequence, long[], long, RecurrentState)} accepts a state (stateful training). */
    default boolean trainsFromState() {
        return true;
    }

    /** A zero state for {@code windows} windows of this engine's network. */
    RecurrentState newState(int windows);

    /** The gradient of the last {@link #gradientSums} call, in the network's flat parameter order. */
    INDArray gradient();

    /**
     * The sum of log p(next id) over the first {@code lengths[i]} positions of each of the first
     * {@code count} windows starting at {@code starts}, without dropout, from a zero state per window.
     * NaN when the network's output is not finite.
     */
    default double logLikelihood(IdSequence ids, long[] starts, int[] lengths, int count) {
        return logLikelihood(ids, starts, lengths, count, null);
    }

    /**
     * {@link #logLikelihood(IdSequence, long[], int[], int)} with window {@code i} starting from slot
     * {@code i} of {@code state} (null: from zero), which then holds the state after each window's
     * {@link #seqLength()} steps (a shorter window's state is not meaningful).
     */
    double logLikelihood(IdSequence ids, long[] starts, int[] lengths, int count, RecurrentState state);

    /**
     * The loss of every transition of {@code [start, start + length)}, cut into windows of the
     * sequence length from {@code start} (the last one may be shorter), each from a zero state:
     * training's validation and {@code rnn eval} both score this way.
     */
    default Loss score(IdSequence ids, long start, long length) {
        int steps = seqLength();
        long transitions = Math.max(0, length - 1);
        long windows = (transitions + steps - 1) / steps;
        long[] starts = new long[batch()];
        int[] lengths = new int[batch()];
        double total = 0;
        long count = 0;
        for (long first = 0; first < windows; first += batch()) {
            int used = (int) Math.min(batch(), windows - first);
            for (int i = 0; i < used; i++) {
                starts[i] = start + (first + i) * steps;
                lengths[i] = (int) Math.min(steps, transitions - (first + i) * steps);
                count += lengths[i];
            }
            total -= logLikelihood(ids, starts, lengths, used);
        }
        return new Loss(count == 0 ? Double.NaN : total / count, count);
    }

    /**
     * The loss of every transition of {@code [start, start + length)} the stateful way (char-rnn's,
     * torch-rnn's): the span is cut into {@link #batch()} contiguous streams (the last takes the
     * remainder), each scored window after window with the state carried from one to the next, from
     * a zero state at the stream's start. Fewer transitions than the batch: one stream.
     */
    default Loss scoreStreams(IdSequence ids, long start, long length) {
        int steps = seqLength();
        long transitions = Math.max(0, length - 1);
        int streams = (int) Math.max(1, Math.min(batch(), transitions / steps));
        long per = transitions / streams;
        long[] from = new long[streams];
        long[] todo = new long[streams];
        for (int i = 0; i < streams; i++) {
            from[i] = start + i * per;
            todo[i] = i == streams - 1 ? transitions - i * per : per;
        }
        RecurrentState state = newState(batch());
        long[] starts = new long[batch()];
        int[] lengths = new int[batch()];
        double total = 0;
        long count = 0;
        long windows = (todo[streams - 1] + steps - 1) / steps;
        for (long k = 0; k < windows; k++) {
            for (int i = 0; i < streams; i++) {
                long done = k * steps;
                lengths[i] = (int) Math.max(0, Math.min(steps, todo[i] - done));
                starts[i] = lengths[i] > 0 ? from[i] + done : from[i]; // a finished stream reads nothing new
                count += lengths[i];
            }
            total -= logLikelihood(ids, starts, lengths, streams, state);
        }
        return new Loss(count == 0 ? Double.NaN : total / count, count);
    }

    /** Releases what the engine holds beyond the heap (a cluster's context); nothing for a local engine. */
    @Override
    default void close() {
    }

    /** log p with the {@link #FLOOR}; NaN for a probability that is not finite (a diverged network). */
    static double logFloored(double p) {
        return Double.isFinite(p) ? Math.log(Math.max(p, FLOOR)) : Double.NaN;
    }
}
