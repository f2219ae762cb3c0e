package charrnn.cell;

/**
 * What the fast training step does per time step that depends on the kind of cell: the gate
 * arithmetic of one layer, forward and backward, on Java arrays of {@code n = H * B} values (an
 * {@code [H, B]} block, index {@code i * H + j}), and what the cell keeps of every step for the
 * backward pass. The engine does the rest, the same for every cell: the matrix products, dropout,
 * the output layer, the gradients of the weights. An instance belongs to one layer of one engine.
 *
 * <p>A step's pre-activations are {@link Cell#gates} blocks: the input's part (x W + b) and the
 * recurrent part (h RW), added before the gate arithmetic unless the cell is {@link Cell#split}.
 */
public abstract class TrainingStep {
    protected final int n;
    /** [part][n]: the state the windows start from when carried (h, then the cell's own parts). */
    private final float[][] start;
    protected final float[] zeros;

    protected TrainingStep(int parts, int n) {
        this.n = n;
        this.start = new float[parts][n];
        this.zeros = new float[n];
    }

    /** Part p of the state the windows start from when carried, for the engine to fill. */
    public final float[] start(int part) {
        return start[part];
    }

    /** The state step t starts from: the previous step's part, the carried start, or zeros. */
    protected final float[] before(float[][] part, int p, int t, boolean carried) {
        return t > 0 ? part[t - 1] : carried ? start[p] : zeros;
    }

    /**
     * Step t's pre-activation arrays, one per gate, that the engine fills with the input's part (the
     * recurrent part too, unless split); the cell turns them into activations in place.
     */
    public abstract float[][] in(int t);

    /** Step t's arrays for the recurrent part of the pre-activations (split cells only). */
    public float[][] rec(int t) {
        throw new UnsupportedOperationException("the recurrent part is added to the input's");
    }

    /** Called before a layer's forward pass with the layer's b (split cells read their recurrent bias). */
    public void bias(float[] b) {
    }

    /** Forward through step t (its pre-activations filled); returns the step's output h, [H, B]. */
    public abstract float[] forward(int t, boolean carried);

    /** Called before a layer's backward sweep, from its last step: clears what is carried between steps. */
    public abstract void beginBackward();

    /**
     * Backward through step t: {@code dh} is the gradient reaching the step's output from above,
     * {@code dhRec} the one through the next step's recurrent product (both may be overwritten).
     * Writes the gradients of the input's part of the pre-activations into {@code dIn} and of the
     * recurrent part into {@code dRec} (from {@link #dRec}), and keeps what flows to step t - 1 by
     * other paths than the recurrent product (the LSTM's cell state, the GRU's interpolation).
     */
    public abstract void backward(int t, boolean carried, float[] dh, float[] dhRec, float[][] dIn, float[][] dRec);

    /** The arrays for the recurrent part's gradients, given those of the input's part: the same unless split. */
    public float[][] dRec(float[][] dIn) {
        return dIn;
    }

    /** Part {@code p >= 1} of the state after step t (the LSTM's cell state). */
    public float[] part(int p, int t) {
        throw new IllegalArgumentException("no state part " + p);
    }
}
