package charrnn.model;

/**
 * The element-wise part of one LSTM time step, forward and backward, on plain Java arrays: used by
 * the fast training step and by the sampler.
 *
 * <p>Gate pre-activations of a step arrive as DL4J's column-major {@code [4H, B]} block: column
 * {@code i} (a sequence of the batch) holds the four gates {@code [block input | forget | output |
 * input gate]}, {@code H} values each. Everything else is column-major {@code [H, B]}, index
 * {@code i * H + j}. The loops are written so that HotSpot's C2 compiles them to SIMD code: no
 * calls, no branches, and every array written in a loop is a different array from the ones read
 * at other offsets. One pass does a step's gate arithmetic, where ND4J's element-wise ops would
 * cost more in per-op overhead than in arithmetic (bench/NOTES.md 9).
 */
public final class LstmCell {
    private LstmCell() {
    }

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

    /**
     * Forward, in place: {@code g, f, o, in} hold the gates' pre-activations on entry and their
     * activations on return; writes the cell state, its tanh and the output. {@code cPrev} is the
     * previous cell state (zeros at the first step). Every array is indexed by the same {@code k}:
     * C2 in JDK 17 vectorises such loops, but not ones that read and write at different offsets
     * (measured: 10x slower).
     */
    public static void forward(float[] g, float[] f, float[] o, float[] in, float[] cPrev, float[] c, float[] tc,
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
    public static void backward(float[] dh, float[] dhRec, float[] dc, float[] cPrev, float[] g, float[] f, float[] o,
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
}
