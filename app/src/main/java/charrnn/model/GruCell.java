package charrnn.model;

/**
 * The element-wise part of one GRU time step, forward and backward, on plain Java arrays: used by
 * the fast training step and by the sampler. The formulation is PyTorch's {@code nn.GRU} and
 * cuDNN's, the reset gate applied after the recurrent product ({@link Gru}):
 * <pre>
 *   r  = sigmoid(x W_r + b_r + h RW_r)
 *   z  = sigmoid(x W_z + b_z + h RW_z)
 *   n  = tanh(x W_n + b_n + r * (h RW_n + b_hn))
 *   h' = (1 - z) * n + z * h
 * </pre>
 * Arrays are {@code [H, B]} blocks indexed by the same {@code k} in every loop, so that C2
 * vectorises them as it does {@link LstmCell}'s.
 */
public final class GruCell {
    private GruCell() {
    }

    /**
     * Forward, in place: {@code r, z, c} hold the input's parts of the pre-activations (x W + b) on
     * entry and the reset gate, update gate and candidate on return; {@code rr, rz, a} the recurrent
     * parts (h RW, and for the candidate h RW_n + b_hn, which the backward pass needs). Writes the
     * output into {@code h}, which may be {@code hPrev}.
     */
    public static void forward(float[] r, float[] z, float[] c, float[] rr, float[] rz, float[] a, float[] hPrev,
                               float[] h, int n) {
        for (int k = 0; k < n; k++) {
            r[k] = LstmCell.sigmoid(r[k] + rr[k]);
        }
        for (int k = 0; k < n; k++) {
            z[k] = LstmCell.sigmoid(z[k] + rz[k]);
        }
        for (int k = 0; k < n; k++) {
            c[k] = LstmCell.tanh(c[k] + r[k] * a[k]);
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
    public static void backward(float[] dh, float[] r, float[] z, float[] c, float[] a, float[] hPrev, float[] dr,
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
}
