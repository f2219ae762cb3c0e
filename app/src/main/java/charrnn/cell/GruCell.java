package charrnn.cell;

import charrnn.model.Gru;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.Layer;

import java.util.Arrays;

/**
 * The GRU of PyTorch's {@code nn.GRU} and cuDNN, the reset gate applied after the recurrent product,
 * so one product {@code h RW} per step serves all three gates; its DL4J layer is {@link Gru}. Gate
 * columns [reset | update | candidate], state h, b = [b_r | b_z | b_n | b_hn]:
 * <pre>
 *   r  = sigmoid(x W_r + b_r + h RW_r)
 *   z  = sigmoid(x W_z + b_z + h RW_z)
 *   n  = tanh(x W_n + b_n + r * (h RW_n + b_hn))
 *   h' = (1 - z) * n + z * h
 * </pre>
 * Its default width, 296, gives the parameters of the 2 x 256 LSTM (867,937 against 871,745 on
 * tiny-shakespeare's 65 symbols), the better model in 10 minutes on all three corpora measured
 * (bench/NOTES.md 51, 54, 55, 57). The math's arrays are {@code [H, B]} blocks indexed by the same
 * {@code k} in every loop, so that C2 vectorises them as it does {@link LstmCell}'s.
 */
final class GruCell extends Cell {
    GruCell() {
        super("gru", 3, 1, true, 5, 296);
    }

    @Override
    public BaseRecurrentLayer.Builder<?> layer() {
        return new Gru.Builder();
    }

    @Override
    boolean built(Layer conf) {
        return conf instanceof Gru;
    }

    @Override
    public TrainingStep training(int hidden, int batch, int steps) {
        return new Training(hidden, batch, steps);
    }

    @Override
    public InferenceStep inference(int samples, int hidden) {
        return new Inference(samples, hidden);
    }

    /**
     * Forward, in place: {@code r, z, c} hold the input's parts of the pre-activations (x W + b) on
     * entry and the reset gate, update gate and candidate on return; {@code rr, rz, a} the recurrent
     * parts (h RW, and for the candidate h RW_n + b_hn, which the backward pass needs). Writes the
     * output into {@code h}, which may be {@code hPrev}.
     */
    static void forward(float[] r, float[] z, float[] c, float[] rr, float[] rz, float[] a, float[] hPrev,
                        float[] h, int n) {
        for (int k = 0; k < n; k++) {
            r[k] = sigmoid(r[k] + rr[k]);
        }
        for (int k = 0; k < n; k++) {
            z[k] = sigmoid(z[k] + rz[k]);
        }
        for (int k = 0; k < n; k++) {
            c[k] = tanh(c[k] + r[k] * a[k]);
        }
        for (int k = 0; k < n; k++) {
            h[k] = c[k] + z[k] * (hPrev[k] - c[k]);
        }
    }

    /**
     * Backward through one step: {@code dh} is the whole gradient reaching this step's output. Writes
     * the gradients of the reset, update and candidate pre-activations ({@code dr, dz, dc}: the input's
     * parts and, for r and z, the recurrent parts too), of the candidate's recurrent part
     * ({@code dcr = dc * r}) and of the previous output past the recurrent product ({@code dhPrev = dh * z}).
     */
    static void backward(float[] dh, float[] r, float[] z, float[] c, float[] a, float[] hPrev, float[] dr,
                         float[] dz, float[] dc, float[] dcr, float[] dhPrev, int n) {
        for (int k = 0; k < n; k++) {
            dc[k] = dh[k] * (1f - z[k]) * (1f - c[k] * c[k]);
        }
        for (int k = 0; k < n; k++) {
            dz[k] = dh[k] * (hPrev[k] - c[k]) * z[k] * (1f - z[k]);
        }
        for (int k = 0; k < n; k++) {
            dr[k] = dc[k] * a[k] * r[k] * (1f - r[k]);
        }
        for (int k = 0; k < n; k++) {
            dcr[k] = dc[k] * r[k];
        }
        for (int k = 0; k < n; k++) {
            dhPrev[k] = dh[k] * z[k];
        }
    }

    private static final class Training extends TrainingStep {
        private final int hidden;
        private final int batch;
        private final float[][][] gate;   // [step][gate][n]: the input's pre-activations, then r, z, n
        private final float[][] a;        // [step][n]: the candidate's recurrent part h RW_n + b_hn
        private final float[][] h;        // [step][n]: the outputs
        private final float[][][] rec;    // [step][gate][n]: r's and z's recurrent parts (scratch), and a[t]
        private final float[] bhn;        // [n]: b_hn for every sequence of the batch
        private final float[] carry;      // dh * z: the gradient that reaches h_{t-1} past the product
        private final float[] dnr;        // the candidate's recurrent gradient, dn * r

        Training(int hidden, int batch, int steps) {
            super(1, hidden * batch);
            this.hidden = hidden;
            this.batch = batch;
            gate = new float[steps][3][n];
            a = new float[steps][n];
            h = new float[steps][n];
            rec = new float[steps][][];
            float[] rr = new float[n];
            float[] rz = new float[n];
            for (int t = 0; t < steps; t++) {
                rec[t] = new float[][]{rr, rz, a[t]};
            }
            bhn = new float[n];
            carry = new float[n];
            dnr = new float[n];
        }

        @Override
        public float[][] in(int t) {
            return gate[t];
        }

        @Override
        public float[][] rec(int t) {
            return rec[t];
        }

        @Override
        public void bias(float[] b) {
            for (int i = 0; i < batch; i++) {
                System.arraycopy(b, 3 * hidden, bhn, i * hidden, hidden);
            }
        }

        @Override
        public float[] forward(int t, boolean carried) {
            float[][] q = gate[t];
            float[][] r = rec[t];
            float[] at = a[t];
            for (int k = 0; k < n; k++) {
                at[k] += bhn[k];
            }
            GruCell.forward(q[0], q[1], q[2], r[0], r[1], at, before(h, 0, t, carried), h[t], n);
            return h[t];
        }

        @Override
        public void beginBackward() {
            Arrays.fill(carry, 0f);
        }

        @Override
        public float[][] dRec(float[][] dIn) {
            return new float[][]{dIn[0], dIn[1], dnr};
        }

        @Override
        public void backward(int t, boolean carried, float[] dh, float[] dhRec, float[][] dIn, float[][] dRec) {
            float[][] q = gate[t];
            for (int k = 0; k < n; k++) {
                dh[k] += dhRec[k] + carry[k];
            }
            GruCell.backward(dh, q[0], q[1], q[2], a[t], before(h, 0, t, carried), dIn[0], dIn[1], dIn[2], dRec[2],
                    carry, n);
        }
    }

    private static final class Inference implements InferenceStep {
        private final int hidden;
        private final float[][][] in;   // [sample][gate][H]: the input's parts, split per gate so the loops vectorise
        private final float[][][] rec;  // [sample][gate][H]: the recurrent parts

        Inference(int samples, int hidden) {
            this.hidden = hidden;
            in = new float[samples][3][hidden];
            rec = new float[samples][3][hidden];
        }

        @Override
        public void step(int s, float[] z, float[] zr, float[] h) {
            float[][] q = in[s];
            float[][] r = rec[s];
            for (int gate = 0; gate < 3; gate++) {
                System.arraycopy(z, gate * hidden, q[gate], 0, hidden);
                System.arraycopy(zr, gate * hidden, r[gate], 0, hidden);
            }
            forward(q[0], q[1], q[2], r[0], r[1], r[2], h, h, hidden);
        }
    }
}
