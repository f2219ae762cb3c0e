package charrnn.sample;

import charrnn.RnnException;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class StrategyTest {
    static final float[] P = {0.05f, 0.4f, 0.1f, 0.25f, 0.15f, 0.05f};
    /** Logits whose softmax is P, shifted by a constant (the strategy must not care). */
    static final float[] L = new float[P.length];

    static {
        for (int i = 0; i < P.length; i++) {
            L[i] = (float) Math.log(P[i]) + 3.5f;
        }
    }

    @Test
    void argmaxTakesTheMostProbable() {
        assertEquals(1, Strategy.greedy().choose(L, new Random(1)));
        assertEquals(0, Strategy.greedy().choose(new float[]{0.5f, 0.5f}, new Random(1)), "ties: lowest id");
    }

    @Test
    void temperatureOneMatchesTheProbabilities() {
        // chi-square goodness of fit, 5 degrees of freedom: 20.52 is the 0.999 quantile
        int n = 200_000;
        int[] counts = new int[P.length];
        Random r = new Random(12345);
        Strategy s = Strategy.temperature(1.0);
        for (int i = 0; i < n; i++) {
            counts[s.choose(L, r)]++;
        }
        double chi2 = 0;
        for (int i = 0; i < P.length; i++) {
            double e = n * (double) P[i];
            chi2 += (counts[i] - e) * (counts[i] - e) / e;
        }
        assertTrue(chi2 < 20.52, "chi-square " + chi2);
    }

    @Test
    void lowTemperatureApproachesArgmaxAndHighFlattens() {
        double[] cold = Strategy.temperature(0.05).filter(L);
        assertTrue(cold[1] > 0.999, "T=0.05 puts almost all mass on the argmax: " + cold[1]);
        double[] warm = Strategy.temperature(0.5).filter(L);
        assertTrue(warm[1] > P[1] && warm[1] < cold[1]);
        double[] hot = Strategy.temperature(3).filter(L);
        assertTrue(entropy(hot) > entropy(Strategy.temperature(1).filter(L)));
        assertTrue(hot[1] < P[1] && hot[0] > P[0], "T>1 moves mass from likely to unlikely symbols");
        double[] one = Strategy.temperature(1).filter(L);
        double[] half = Strategy.temperature(0.5).filter(L);
        double squares = 0;
        for (float p : P) {
            squares += p * p;
        }
        for (int i = 0; i < P.length; i++) {
            assertEquals(P[i], one[i], 1e-6, "T=1 is the softmax of the logits");
            assertEquals(P[i] * P[i] / squares, half[i], 1e-6, "T=0.5 is p^2 renormalised");
        }
    }

    @Test
    void topKAndTopPNeverLeaveTheirSet() {
        Random r = new Random(3);
        Strategy k2 = new Strategy(false, 1, 2, 1);
        Strategy p60 = new Strategy(false, 1, 0, 0.6);  // 0.4 + 0.25 reach 0.6
        for (int i = 0; i < 20_000; i++) {
            int a = k2.choose(L, r);
            assertTrue(a == 1 || a == 3, "top-k 2 drew " + a);
            int b = p60.choose(L, r);
            assertTrue(b == 1 || b == 3, "top-p 0.6 drew " + b);
        }
        double[] q = k2.filter(L);
        assertEquals(0.4 / 0.65, q[1], 1e-6);
        assertEquals(0.25 / 0.65, q[3], 1e-6);
        assertArrayEquals(new double[]{0, 1, 0, 0, 0, 0}, new Strategy(false, 1, 0, 0.3).filter(L), 1e-9);
    }

    private static double entropy(double[] q) {
        double h = 0;
        for (double x : q) {
            if (x > 0) {
                h -= x * Math.log(x);
            }
        }
        return h;
    }
}
