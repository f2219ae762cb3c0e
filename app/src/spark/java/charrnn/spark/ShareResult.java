package charrnn.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the executors send back for a step, combined pairwise as Spark aggregates: the sum of the
 * shares' losses and gradients, the state each share's windows ended in (stream training), and
 * for the step's timing and the record of where it ran, the slowest share's time to fetch the
 * parameters and to compute, and the executors that computed.
 */
final class ShareResult implements Serializable {
    double loss;
    float[] gradient;
    final List<Share.End> states = new ArrayList<>();
    long fetchNanos;
    long computeNanos;
    final Set<String> executors = new TreeSet<>();

    /** Adds {@code other} into this one and returns this. */
    ShareResult plus(ShareResult other) {
        loss += other.loss;
        if (gradient == null) {
            gradient = other.gradient;
        } else if (other.gradient != null) {
            float[] g = gradient;
            float[] o = other.gradient;
            for (int i = 0; i < g.length; i++) {
                g[i] += o[i];
            }
        }
        states.addAll(other.states);
        fetchNanos = Math.max(fetchNanos, other.fetchNanos);
        computeNanos = Math.max(computeNanos, other.computeNanos);
        executors.addAll(other.executors);
        return this;
    }
}
