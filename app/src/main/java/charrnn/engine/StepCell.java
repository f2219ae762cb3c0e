package charrnn.engine;

import charrnn.model.GruCell;
import charrnn.model.LstmCell;
import charrnn.model.ModelSpec;
import charrnn.model.RnnCell;

import java.util.Arrays;

/**
 * What {@link FastRecurrent} does per time step that depends on the kind of cell: the gate
 * arithmetic of one layer, forward and backward, on Java arrays of {@code n = H * B} values (an
 * {@code [H, B]} block, index {@code i * H + j}), and what the cell keeps of every step for the
 * backward pass. The engine does the rest, the same for every cell: the matrix products, dropout,
 * the output layer, the gradients of the weights. An instance belongs to one layer of one engine.
 *
 * <p>A cell's pre-activations are {@link #gates} blocks of H rows: the input's part (x W + b) and
 * the recurrent part (h RW). An LSTM adds them before its gate arithmetic; a GRU keeps them
 * apart ({@link #split}), since its reset gate scales the candidate's recurrent part alone.
 */
abstract class StepCell {
    final int gates;
    final int parts;
    final boolean split;
    final int n;
    final int steps;
    /** [part][n]: the state the windows start from when carried (h, then the cell's own parts). */
    final float[][] start;
    final float[] zeros;

    StepCell(int gates, int parts, boolean split, int n, int steps) {
        this.gates = gates;
        this.parts = parts;
        this.split = split;
        this.n = n;
        this.steps = steps;
        this.start = new float[parts][n];
        this.zeros = new float[n];
    }

    /** The cell of {@code cell} ("lstm", "gru" or "rnn") for one layer. */
    static StepCell of(String cell, int hidden, int batch, int steps) {
        return switch (cell) {
            case ModelSpec.LSTM -> new Lstm(hidden * batch, steps);
            case ModelSpec.GRU -> new Gru(hidden, batch, steps);
            case ModelSpec.RNN -> new Rnn(hidden * batch, steps);
            default -> throw new IllegalArgumentException("no fast cell for " + cell);
        };
    }

    /** The [H, B] arrays a layer's cell keeps per time step (for the heap check). */
    static int kept(String cell) {
        return switch (cell) {
            case ModelSpec.GRU -> 5;
            case ModelSpec.RNN -> 1;
            default -> 6;
        };
    }

    /**
     * Step t's pre-activation arrays, one per gate, that the engine fills with the input's part (the
     * recurrent part too, unless {@link #split}); the cell turns them into activations in place.
     */
    abstract float[][] in(int t);

    /** Step t's arrays for the recurrent part of the pre-activations ({@link #split} cells only). */
    float[][] rec(int t) {
        throw new UnsupportedOperationException("the recurrent part is added to the input's");
    }

    /** Called before a layer's forward pass: the layer's recurrent bias (split cells), from the network's b. */
    void recurrentBias(float[] bias) {
    }

    /** Forward through step t (its pre-activations filled); returns the step's output h, [H, B]. */
    abstract float[] forward(int t, boolean carried);

    /** Called before a layer's backward sweep, from its last step: clears what is carried between steps. */
    abstract void beginBackward();

    /**
     * Backward through step t: {@code dh} is the gradient reaching the step's output from above,
     * {@code dhRec} the one through the next step's recurrent product (both may be overwritten).
     * Writes the gradients of the input's part of the pre-activations into {@code dIn} and of the
     * recurrent part into {@code dRec} (from {@link #dRec}), and keeps what flows to step t - 1 by
     * other paths than the recurrent product (the LSTM's cell state, the GRU's interpolation).
     */
    abstract void backward(int t, boolean carried, float[] dh, float[] dhRec, float[][] dIn, float[][] dRec);

    /** The arrays for the recurrent part's gradients, given those of the input's part: the same unless split. */
    float[][] dRec(float[][] dIn) {
        return dIn;
    }

    /** Part {@code p >= 1} of the state after step t (the LSTM's cell state). */
    float[] part(int p, int t) {
        throw new IllegalArgumentException("no state part " + p);
    }

    /** DL4J's LSTM: gate columns [block input | forget | output | input gate], state h and c. */
    static final class Lstm extends StepCell {
        private final float[][][] gate;   // [step][gate][n]: pre-activations, then activations
        private final float[][] c, tc;    // [step][n]: the cell state and its tanh
        private final float[] dc;         // the cell state's gradient carried to the step before
        private final float[] hOut;       // the step's output, copied out by the engine

        Lstm(int n, int steps) {
            super(4, 2, false, n, steps);
            gate = new float[steps][4][n];
            c = new float[steps][n];
            tc = new float[steps][n];
            dc = new float[n];
            hOut = new float[n];
        }

        @Override
        float[][] in(int t) {
            return gate[t];
        }

        private float[] cPrev(int t, boolean carried) {
            return t > 0 ? c[t - 1] : carried ? start[1] : zeros;
        }

        @Override
        float[] forward(int t, boolean carried) {
            float[][] q = gate[t];
            LstmCell.forward(q[0], q[1], q[2], q[3], cPrev(t, carried), c[t], tc[t], hOut, n);
            return hOut;
        }

        @Override
        void beginBackward() {
            Arrays.fill(dc, 0f);
        }

        @Override
        void backward(int t, boolean carried, float[] dh, float[] dhRec, float[][] dIn, float[][] dRec) {
            float[][] q = gate[t];
            LstmCell.backward(dh, dhRec, dc, cPrev(t, carried), q[0], q[1], q[2], q[3], tc[t],
                    dIn[0], dIn[1], dIn[2], dIn[3], n);
        }

        @Override
        float[] part(int p, int t) {
            if (p != 1) {
                return super.part(p, t);
            }
            return c[t];
        }
    }

    /**
     * The project's GRU ({@link charrnn.model.Gru}): gate columns [reset | update | candidate],
     * state h; the candidate's recurrent part carries the bias b_hn (the last H of the layer's b).
     */
    static final class Gru extends StepCell {
        private final int hidden;
        private final int batch;
        private final float[][][] gate;   // [step][gate][n]: the input's pre-activations, then r, z, n
        private final float[][] a;        // [step][n]: the candidate's recurrent part h RW_n + b_hn
        private final float[][] h;        // [step][n]: the outputs
        private final float[][][] rec;    // [step][gate][n]: r's and z's recurrent parts (scratch), and a[t]
        private final float[] bhn;        // [n]: b_hn for every sequence of the batch
        private final float[] carry;      // dh * z: the gradient that reaches h_{t-1} past the product
        private final float[] dnr;        // the candidate's recurrent gradient, dn * r

        Gru(int hidden, int batch, int steps) {
            super(3, 1, true, hidden * batch, steps);
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
        float[][] in(int t) {
            return gate[t];
        }

        @Override
        float[][] rec(int t) {
            return rec[t];
        }

        @Override
        void recurrentBias(float[] bias) {
            for (int i = 0; i < batch; i++) {
                System.arraycopy(bias, 3 * hidden, bhn, i * hidden, hidden);
            }
        }

        private float[] hPrev(int t, boolean carried) {
            return t > 0 ? h[t - 1] : carried ? start[0] : zeros;
        }

        @Override
        float[] forward(int t, boolean carried) {
            float[][] q = gate[t];
            float[][] r = rec[t];
            float[] at = a[t];
            for (int k = 0; k < n; k++) {
                at[k] += bhn[k];
            }
            GruCell.forward(q[0], q[1], q[2], r[0], r[1], at, hPrev(t, carried), h[t], n);
            return h[t];
        }

        @Override
        void beginBackward() {
            Arrays.fill(carry, 0f);
        }

        @Override
        float[][] dRec(float[][] dIn) {
            return new float[][]{dIn[0], dIn[1], dnr};
        }

        @Override
        void backward(int t, boolean carried, float[] dh, float[] dhRec, float[][] dIn, float[][] dRec) {
            float[][] q = gate[t];
            for (int k = 0; k < n; k++) {
                dh[k] += dhRec[k] + carry[k];
            }
            GruCell.backward(dh, q[0], q[1], q[2], a[t], hPrev(t, carried), dIn[0], dIn[1], dIn[2], dRec[2], carry, n);
        }
    }

    /** DL4J's {@code SimpleRnn} with tanh: one gate block, state h, the output is the activation itself. */
    static final class Rnn extends StepCell {
        private final float[][][] a;      // [step][1][n]: the pre-activations, then the output

        Rnn(int n, int steps) {
            super(1, 1, false, n, steps);
            a = new float[steps][1][n];
        }

        @Override
        float[][] in(int t) {
            return a[t];
        }

        @Override
        float[] forward(int t, boolean carried) {
            RnnCell.forward(a[t][0], n);
            return a[t][0];
        }

        @Override
        void beginBackward() {
        }

        @Override
        void backward(int t, boolean carried, float[] dh, float[] dhRec, float[][] dIn, float[][] dRec) {
            RnnCell.backward(a[t][0], dh, dhRec, dIn[0], n);
        }
    }
}
