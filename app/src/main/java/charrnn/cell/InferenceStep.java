package charrnn.cell;

/**
 * What the fast sampler's time step does that depends on the kind of cell: from one sample's
 * pre-activations to its new output. The sampler does the rest (weights, input rows, the products,
 * the output layer). An instance carries one layer's state for one batch of samples.
 */
public interface InferenceStep {
    /**
     * Sample {@code s}: {@code z} holds its pre-activations, bias + input x W, plus previous output x
     * RW unless the cell is {@link Cell#split}, when {@code zr} holds that recurrent part (with the
     * recurrent bias) apart; else {@code zr} is {@code z}. The cell may overwrite both; {@code h}
     * holds the previous output on entry, the new one on return.
     */
    void step(int s, float[] z, float[] zr, float[] h);

    /** Sample {@code s} starts again from a zero state (h is the sampler's; this clears the cell's own parts). */
    default void reset(int s) {
    }
}
