package charrnn.cell;

import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationTanH;

/** The tutorials' plain recurrent baseline, DL4J's {@code SimpleRnn} with tanh: {@code h' = tanh(x W + h RW + b)}. */
final class RnnCell extends Cell {
    RnnCell() {
        super("rnn", 1, 1, false, 1, 256);
    }

    @Override
    public BaseRecurrentLayer.Builder<?> layer() {
        return new SimpleRnn.Builder().activation(Activation.TANH);
    }

    @Override
    boolean built(Layer conf) {
        // layer normalisation would add parameters the fast paths do not read
        return conf instanceof SimpleRnn r && !r.hasLayerNorm() && r.getActivationFn() instanceof ActivationTanH;
    }

    @Override
    public TrainingStep training(int hidden, int batch, int steps) {
        return new Training(hidden * batch, steps);
    }

    @Override
    public InferenceStep inference(int samples, int hidden) {
        return (s, z, zr, h) -> {
            forward(z, hidden);
            System.arraycopy(z, 0, h, 0, hidden);
        };
    }

    /** Forward, in place: {@code a} holds the pre-activations on entry and the output on return. */
    static void forward(float[] a, int n) {
        for (int k = 0; k < n; k++) {
            a[k] = tanh(a[k]);
        }
    }

    /**
     * Backward: {@code h} is the step's output, {@code dh} and {@code dhRec} the gradients reaching
     * it from above and through the next step; writes the pre-activations' gradient into {@code da}.
     */
    static void backward(float[] h, float[] dh, float[] dhRec, float[] da, int n) {
        for (int k = 0; k < n; k++) {
            da[k] = (dh[k] + dhRec[k]) * (1f - h[k] * h[k]);
        }
    }

    private static final class Training extends TrainingStep {
        private final float[][][] a;      // [step][1][n]: the pre-activations, then the output

        Training(int n, int steps) {
            super(1, n);
            a = new float[steps][1][n];
        }

        @Override
        public float[][] in(int t) {
            return a[t];
        }

        @Override
        public float[] forward(int t, boolean carried) {
            RnnCell.forward(a[t][0], n);
            return a[t][0];
        }

        @Override
        public void beginBackward() {
        }

        @Override
        public void backward(int t, boolean carried, float[] dh, float[] dhRec, float[][] dIn, float[][] dRec) {
            RnnCell.backward(a[t][0], dh, dhRec, dIn[0], n);
        }
    }
}
