package charrnn.cell;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** The Java gate arithmetic: its tanh and sigmoid, and one step against the textbook formulas in double precision. */
class LstmCellTest {

    @Test
    void tanhAndSigmoidWithin4e7EverywhereAndExactAtTheLimits() {
        double worstTanh = 0;
        double worstSigmoid = 0;
        for (int k = -3_000_000; k <= 3_000_000; k++) {
            float x = k * 1e-5f * 2;  // [-60, 60] in steps of 2e-5
            worstTanh = Math.max(worstTanh, Math.abs(Cell.tanh(x) - Math.tanh(x)));
            worstSigmoid = Math.max(worstSigmoid, Math.abs(Cell.sigmoid(x) - 1 / (1 + Math.exp(-x))));
        }
        assertTrue(worstTanh < 4e-7, "tanh error " + worstTanh);
        assertTrue(worstSigmoid < 4e-7, "sigmoid error " + worstSigmoid);
        assertEquals(0f, Cell.tanh(0f));
        assertEquals(1f, Cell.tanh(Float.POSITIVE_INFINITY), 3e-7f);
        assertEquals(-1f, Cell.tanh(Float.NEGATIVE_INFINITY), 3e-7f);
        assertEquals(0.5f, Cell.sigmoid(0f));
        // a diverged run must stay visible: NaN in, NaN out (the trainer stops on a NaN loss)
        assertTrue(Float.isNaN(Cell.tanh(Float.NaN)));
        assertTrue(Float.isNaN(Cell.sigmoid(Float.NaN)));
    }

    static double sig(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    @Test
    void aStepForwardAndBackwardEqualsTheFormulas() {
        int n = 37;  // not a multiple of any vector width: the loops' tails are exercised
        Random r = new Random(7);
        float[][] z = new float[4][n];
        float[] cPrev = new float[n], dh = new float[n], dhRec = new float[n], dcNext = new float[n];
        for (int k = 0; k < n; k++) {
            for (float[] q : z) {
                q[k] = (float) (r.nextGaussian() * 3);
            }
            cPrev[k] = (float) r.nextGaussian();
            dh[k] = (float) r.nextGaussian();
            dhRec[k] = (float) r.nextGaussian();
            dcNext[k] = (float) r.nextGaussian();
        }
        float[] g = z[0].clone(), f = z[1].clone(), o = z[2].clone(), in = z[3].clone();
        float[] c = new float[n], tc = new float[n], h = new float[n];
        LstmCell.forward(g, f, o, in, cPrev, c, tc, h, n);
        float[] dc = dcNext.clone(), dg = new float[n], df = new float[n], dout = new float[n], din = new float[n];
        LstmCell.backward(dh.clone(), dhRec, dc, cPrev, g, f, o, in, tc, dg, df, dout, din, n);
        for (int k = 0; k < n; k++) {
            double gv = Math.tanh(z[0][k]), fv = sig(z[1][k]), ov = sig(z[2][k]), iv = sig(z[3][k]);
            double cv = fv * cPrev[k] + iv * gv;
            double hv = ov * Math.tanh(cv);
            assertEquals(cv, c[k], 2e-6);
            assertEquals(hv, h[k], 2e-6);
            double d = dh[k] + dhRec[k];
            double dcv = dcNext[k] + d * ov * (1 - Math.tanh(cv) * Math.tanh(cv));
            assertEquals(d * Math.tanh(cv) * ov * (1 - ov), dout[k], 1e-5);
            assertEquals(dcv * cPrev[k] * fv * (1 - fv), df[k], 1e-5);
            assertEquals(dcv * gv * iv * (1 - iv), din[k], 1e-5);
            assertEquals(dcv * iv * (1 - gv * gv), dg[k], 1e-5);
            assertEquals(dcv * fv, dc[k], 1e-5);
        }
    }
}
