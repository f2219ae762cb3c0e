package charrnn.cell;

import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.Layer;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A kind of recurrent cell and everything about it that differs between kinds: its name (stored in
 * every checkpoint), its shapes, the DL4J layer that trains it on any backend, its element-wise math,
 * and its per-layer adapters for the fast training step ({@link TrainingStep}) and the fast sampler
 * ({@link InferenceStep}). The engines and the sampler do the rest, the same for every cell. A new
 * cell is one subclass and one entry in {@link #ALL}.
 *
 * <p>Parameters of a layer, as DL4J lays them out: W {@code [nIn, G*H]} and RW {@code [H, G*H]}, the
 * G gates as column blocks of H; b {@code [G*H]}, and for a {@link #split} cell {@code [G*H + H]}.
 */
public abstract class Cell {
    /** Every cell rnn builds, by name; the first is the default. */
    private static final List<Cell> ALL = List.of(new GruCell(), new LstmCell(), new RnnCell());

    /** The name a checkpoint and {@code --cell} give it. */
    public final String name;
    /** G: blocks of H pre-activations per step, in the column order of W, RW and b. */
    public final int gates;
    /** The state's parts: h, then the cell's own (an LSTM's c). */
    public final int parts;
    /**
     * Whether the recurrent part of the pre-activations (h RW) stays apart from the input's (x W + b),
     * as a GRU's reset gate scales its candidate's recurrent part alone. Such a cell's b ends with a
     * recurrent bias of H for its last gate, added to that gate's recurrent part.
     */
    public final boolean split;
    /** The [H, B] arrays the training step keeps per layer and time step for the backward pass. */
    public final int kept;
    /** Units per layer when {@code --hidden} is not given. */
    public final int defaultHidden;

    Cell(String name, int gates, int parts, boolean split, int kept, int defaultHidden) {
        this.name = name;
        this.gates = gates;
        this.parts = parts;
        this.split = split;
        this.kept = kept;
        this.defaultHidden = defaultHidden;
    }

    /** The cell called {@code name}, or null. */
    public static Cell named(String name) {
        return ALL.stream().filter(c -> c.name.equals(name)).findFirst().orElse(null);
    }

    /** The cell whose {@link #layer} built {@code conf}, or null (a layer rnn does not build). */
    public static Cell of(Layer conf) {
        return ALL.stream().filter(c -> c.built(conf)).findFirst().orElse(null);
    }

    /** The names, in order: "gru, lstm, rnn". */
    public static String names() {
        return ALL.stream().map(c -> c.name).collect(Collectors.joining(", "));
    }

    /** A DL4J layer of this cell, nIn and nOut to be set; the network's builder initialises its weights. */
    public abstract BaseRecurrentLayer.Builder<?> layer();

    /** Whether {@code conf} is a layer {@link #layer} builds. */
    abstract boolean built(Layer conf);

    /** The fast training step's adapter for one layer of {@code hidden} units and a batch of windows of {@code steps}. */
    public abstract TrainingStep training(int hidden, int batch, int steps);

    /** The fast sampler's adapter for one layer of {@code hidden} units and {@code samples} parallel samples. */
    public abstract InferenceStep inference(int samples, int hidden);

    /** Beyond this, tanh is 1 in single precision (1 - tanh(9) = 3e-8). */
    private static final float CLAMP = 9f;

    // tanh(x) = x P(x^2) / Q(x^2) on [-9, 9]: a rational least-squares fit of relative error
    // (Sanathanan-Koerner iteration in double precision, bench/tanh_fit.py); in single precision
    // the absolute error is below 4e-7 everywhere, about 3 ulp of values near 1.
    private static final float P0 = 1.0f;
    private static final float P1 = 0.1308402717113495f;
    private static final float P2 = 0.003103975672274828f;
    private static final float P3 = 1.1154510502819903e-05f;
    private static final float P4 = -2.0226028851766387e-08f;
    private static final float P5 = 5.2783243054133067e-11f;
    private static final float P6 = -8.489645889498548e-14f;
    private static final float Q1 = 0.4641735553741455f;
    private static final float Q2 = 0.024495257064700127f;
    private static final float Q3 = 0.0002546173636801541f;

    /** tanh within 4e-7, in straight-line arithmetic that C2 vectorises (Math.tanh does not). */
    static float tanh(float x) {
        float v = Math.max(-CLAMP, Math.min(CLAMP, x));
        float u = v * v;
        float p = ((((((P6 * u + P5) * u + P4) * u + P3) * u + P2) * u + P1) * u + P0) * v;
        float q = ((Q3 * u + Q2) * u + Q1) * u + 1f;
        return p / q;
    }

    /** The logistic function through tanh: sigmoid(x) = (1 + tanh(x / 2)) / 2, exactly. */
    static float sigmoid(float x) {
        return 0.5f + 0.5f * tanh(0.5f * x);
    }

    @Override
    public String toString() {
        return name;
    }
}
