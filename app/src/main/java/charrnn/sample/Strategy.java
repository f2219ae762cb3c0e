package charrnn.sample;

import charrnn.RnnException;

import java.util.Arrays;
import java.util.Random;

/**
 * How the next character is chosen from the network's logits. Applied in this order: temperature
 * (the softmax of logits / T, that is p_i^(1/T) renormalised), then top-k (keep the k most
 * probable), then top-p (keep the smallest set of most probable symbols whose mass reaches p), then
 * a draw. {@code argmax} ignores the rest and takes the most probable symbol (ties: the lowest id).
 * Logits may be shifted by a constant (log-probabilities are logits too).
 */
public record Strategy(boolean argmax, double temperature, int topK, double topP) {
    public Strategy {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw RnnException.invalid("temperature", "must be > 0, got " + temperature);
        }
        if (topK < 0) {
            throw RnnException.invalid("topK", "must be >= 1 (0 = off), got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw RnnException.invalid("topP", "must be in (0, 1], got " + topP);
        }
    }

    public static Strategy greedy() {
        return new Strategy(true, 1, 0, 1);
    }

    public static Strategy temperature(double t) {
        return new Strategy(false, t, 0, 1);
    }

    /** The distribution actually drawn from, for {@code logits} (not modified). */
    double[] filter(float[] logits) {
        int v = logits.length;
        double[] q = new double[v];
        if (argmax) {
            q[argmax(logits)] = 1;
            return q;
        }
        softmax(logits, temperature, q);
        if (topK > 0 && topK < v || topP < 1) {
            Integer[] order = new Integer[v];
            for (int i = 0; i < v; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> q[a] != q[b] ? Double.compare(q[b], q[a]) : Integer.compare(a, b));
            int keep = topK > 0 ? Math.min(topK, v) : v;
            if (topP < 1) {
                double mass = 0;
                int n = 0;
                while (n < keep) {
                    mass += q[order[n]];
                    n++;
                    if (mass >= topP) {
                        break;
                    }
                }
                keep = n;
            }
            double kept = 0;
            for (int r = keep; r < v; r++) {
                q[order[r]] = 0;
            }
            for (int i = 0; i < v; i++) {
                kept += q[i];
            }
            for (int i = 0; i < v; i++) {
                q[i] /= kept;
            }
        }
        return q;
    }

    /** The model's own distribution for {@code logits}: their softmax at temperature 1. */
    public static double[] probabilities(float[] logits) {
        double[] q = new double[logits.length];
        softmax(logits, 1, q);
        return q;
    }

    /** softmax(logits / t) into {@code q}. */
    private static void softmax(float[] logits, double t, double[] q) {
        float max = Float.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (int i = 0; i < q.length; i++) {
            q[i] = Math.exp((logits[i] - max) / t);
            sum += q[i];
        }
        for (int i = 0; i < q.length; i++) {
            q[i] /= sum;
        }
    }

    /** Chooses the next id. */
    int choose(float[] logits, Random rng) {
        if (argmax) {
            return argmax(logits);
        }
        double[] q = filter(logits);
        double u = rng.nextDouble();
        double c = 0;
        int last = 0;
        for (int i = 0; i < q.length; i++) {
            if (q[i] > 0) {
                c += q[i];
                last = i;
                if (u < c) {
                    return i;
                }
            }
        }
        return last; // rounding: u beyond the accumulated mass
    }

    static int argmax(float[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return best;
    }
}
