package charrnn.cell;

import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.activations.Activation;

import java.util.Arrays;

/**
 * char-rnn's LSTM, DL4J's {@code LSTM} layer without peepholes: gate columns [block input | forget |
 * output | input gate], state h and c, the forget gate's bias starting at 1.
 *
 * <p>The element-wise math runs on column-major {@code [H, B]} blocks, index {@code i * H + j}. The
 * loops are written so that HotSpot's C2 compiles them to SIMD code: no calls, no branches, and every
 * array written in a loop is a different array from the ones read at other offsets. One pass does a
 * step's gate arithmetic, where ND4J's element-wise ops would cost more in per-op overhead than in
 * arithmetic (bench/NOTES.md 9).
 */
final class LstmCell extends Cell {
    LstmCell() {
        super("lstm", 4, 2, false, 6, 256);
    }

    @Override
    public BaseRecurrentLayer.Builder<?> layer() {
        return new LSTM.Builder().activation(Activation.TANH).forgetGateBiasInit(1.0);
    }

    @Override
    boolean built(Layer conf) {
        return conf instanceof LSTM;
    }

    @Override
    public TrainingStep training(int hidden, int batch, int steps) {
        return new Training(hidden * batch, steps);
    }

    @Override
    public InferenceStep inference(int samples, int hidden) {
        return new Inference(samples, hidden);
    }

    /**
     * Forward, in place: {@code g, f, o, in} hold the gates' pre-activations on entry and their
     * activations on return; writes the cell state, its tanh and the output. {@code cPrev} is the
     * previous cell state (zeros at the first step). Every array is indexed by the same {@code k}:
     * C2 in JDK 17 vectorises such loops, but not ones that read and write at different offsets
     * (measured: 10x slower).
     */
    static void forward(float[] g, float[] f, float[] o, float[] in, float[] cPrev, float[] c, float[] tc,
                        float[] h, int n) {
        for (int k = 0; k < n; k++) {
            g[k] = tanh(g[k]);
        }
        for (int k = 0; k < n; k++) {
            f[k] = sigmoid(f[k]);
        }
        for (int k = 0; k < n; k++) {
            o[k] = sigmoid(o[k]);
        }
        for (int k = 0; k < n; k++) {
            in[k] = sigmoid(in[k]);
        }
        for (int k = 0; k < n; k++) {
            c[k] = f[k] * cPrev[k] + in[k] * g[k];
        }
        for (int k = 0; k < n; k++) {
            tc[k] = tanh(c[k]);
        }
        for (int k = 0; k < n; k++) {
            h[k] = o[k] * tc[k];
        }
    }

    /**
     * Backward through one step: {@code dh} is the gradient reaching this step's output from the
     * layer above, {@code dhRec} the one through the recurrence, {@code dc} the cell gradient
     * carried from the next step, updated in place to the one carried to the previous step.
     * Writes the gradients of the gate pre-activations. {@code cPrev} is the previous cell state
     * (zeros at the first step, which makes the forget gradient zero).
     */
    static void backward(float[] dh, float[] dhRec, float[] dc, float[] cPrev, float[] g, float[] f, float[] o,
                         float[] in, float[] tc, float[] dg, float[] df, float[] dout, float[] din, int n) {
        for (int k = 0; k < n; k++) {
            dh[k] += dhRec[k];
        }
        for (int k = 0; k < n; k++) {
            dout[k] = dh[k] * tc[k] * o[k] * (1f - o[k]);
        }
        for (int k = 0; k < n; k++) {
            dc[k] += dh[k] * o[k] * (1f - tc[k] * tc[k]);
        }
        for (int k = 0; k < n; k++) {
            df[k] = dc[k] * cPrev[k] * f[k] * (1f - f[k]);
        }
        for (int k = 0; k < n; k++) {
            din[k] = dc[k] * g[k] * in[k] * (1f - in[k]);
        }
        for (int k = 0; k < n; k++) {
            dg[k] = dc[k] * in[k] * (1f - g[k] * g[k]);
        }
        for (int k = 0; k < n; k++) {
            dc[k] *= f[k];
        }
    }

    private static final class Training extends TrainingStep {
        private final float[][][] gate;   // [step][gate][n]: pre-activations, then activations
        private final float[][] c, tc;    // [step][n]: the cell state and its tanh
        private final float[] dc;         // the cell state's gradient carried to the step before
        private final float[] hOut;       // the step's output, copied out by the engine

        Training(int n, int steps) {
            super(2, n);
            gate = new float[steps][4][n];
            c = new float[steps][n];
            tc = new float[steps][n];
            dc = new float[n];
            hOut = new float[n];
        }

        @Override
        public float[][] in(int t) {
            return gate[t];
        }

        @Override
        public float[] forward(int t, boolean carried) {
            float[][] q = gate[t];
            LstmCell.forward(q[0], q[1], q[2], q[3], before(c, 1, t, carried), c[t], tc[t], hOut, n);
            return hOut;
        }

        @Override
        public void beginBackward() {
            Arrays.fill(dc, 0f);
        }

        @Override
        public void backward(int t, boolean carried, float[] dh, float[] dhRec, float[][] dIn, float[][] dRec) {
            float[][] q = gate[t];
            LstmCell.backward(dh, dhRec, dc, before(c, 1, t, carried), q[0], q[1], q[2], q[3], tc[t],
                    dIn[0], dIn[1], dIn[2], dIn[3], n);
        }

        @Override
        public float[] part(int p, int t) {
            return p == 1 ? c[t] : super.part(p, t);
        }
    }

    private static final class Inference implements InferenceStep {
        private final int hidden;
        private final float[][] c;        // [sample][H]: the cell state
        private final float[][][] gates;  // [sample][gate][H]: the pre-activations split per gate, so the gate loops vectorise
        private final float[][] tc;       // [sample][H] scratch

        Inference(int samples, int hidden) {
            this.hidden = hidden;
            c = new float[samples][hidden];
            gates = new float[samples][4][hidden];
            tc = new float[samples][hidden];
        }

        @Override
        public void step(int s, float[] z, float[] zr, float[] h) {
            float[][] q = gates[s];
            for (int gate = 0; gate < 4; gate++) {
                System.arraycopy(z, gate * hidden, q[gate], 0, hidden);
            }
            LstmCell.forward(q[0], q[1], q[2], q[3], c[s], c[s], tc[s], h, hidden);
        }

        @Override
        public void reset(int s) {
            Arrays.fill(c[s], 0f);
        }
    }
}
