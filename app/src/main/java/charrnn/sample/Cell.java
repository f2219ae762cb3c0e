package charrnn.sample;

/**
 * What a lean time step does that depends on the kind of recurrent cell: from one sample's
 * pre-activations to its new output. {@link LeanRnn} does the rest (weights, input rows, the
 * products, the output layer). An instance carries one layer's state for one batch of samples.
 */
interface Cell {
    /**
     * Sample {@code s}: {@code z} holds its pre-activations, bias + input x W + previous output x RW
     * (the cell may overwrite them); {@code h} the previous output on entry, the new one on return.
     * A GRU's candidate needs its recurrent part apart (the reset gate scales it alone): it would
     * take a second, recurrent-only accumulator from {@link LeanRnn}.
     */
    void step(int s, float[] z, float[] h);
}
