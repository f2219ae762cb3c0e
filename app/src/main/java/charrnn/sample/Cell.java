package charrnn.sample;

/**
 * What a lean time step does that depends on the kind of recurrent cell: from one sample's
 * pre-activations to its new output. {@link LeanRnn} does the rest (weights, input rows, the
 * products, the output layer). An instance carries one layer's state for one batch of samples.
 */
interface Cell {
    /**
     * Sample {@code s}: {@code z} holds its pre-activations, bias + input x W, plus previous output x
     * RW unless the cell is {@link #split}, when {@code zr} holds that recurrent part (with the
     * recurrent bias) apart; else {@code zr} is {@code z}. The cell may overwrite both; {@code h}
     * holds the previous output on entry, the new one on return.
     */
    void step(int s, float[] z, float[] zr, float[] h);

    /** Whether the recurrent part of the pre-activations is kept apart (a GRU's reset gate scales it alone). */
    default boolean split() {
        return false;
    }
}
