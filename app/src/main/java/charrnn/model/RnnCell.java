package charrnn.model;

/**
 * The element-wise part of one time step of the plain recurrent layer (DL4J's {@code SimpleRnn} with
 * tanh: {@code h' = tanh(x W + h RW + b)}), forward and backward, on plain Java arrays: used by the
 * fast training step and by the sampler, as {@link LstmCell} and {@link GruCell} are.
 */
public final class RnnCell {
    private RnnCell() {
    }

    /** Forward, in place: {@code a} holds the pre-activations on entry and the output on return. */
    public static void forward(float[] a, int n) {
        for (int k = 0; k < n; k++) {
            a[k] = LstmCell.tanh(a[k]);
        }
    }

    /**
     * Backward: {@code h} is the step's output, {@code dh} and {@code dhRec} the gradients reaching
     * it from above and through the next step; writes the pre-activations' gradient into {@code da}.
     */
    public static void backward(float[] h, float[] dh, float[] dhRec, float[] da, int n) {
        for (int k = 0; k < n; k++) {
            da[k] = (dh[k] + dhRec[k]) * (1f - h[k] * h[k]);
        }
    }
}
