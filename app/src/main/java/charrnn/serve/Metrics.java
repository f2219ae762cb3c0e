package charrnn.serve;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/** What {@code GET /metrics} shows, in Prometheus' text format (version 0.0.4). */
final class Metrics {
    /** A histogram of seconds with fixed upper bounds, safe to add to from any thread. */
    static final class Histogram {
        private static final double[] BOUNDS = {0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                0.5, 1, 2.5, 5, 10, 30};
        private final AtomicLongArray counts = new AtomicLongArray(BOUNDS.length + 1);
        private final AtomicLong nanos = new AtomicLong();

        void add(long elapsedNanos) {
            double s = elapsedNanos / 1e9;
            int i = 0;
            while (i < BOUNDS.length && s > BOUNDS[i]) {
                i++;
            }
            counts.incrementAndGet(i);
            nanos.addAndGet(elapsedNanos);
        }

        private void write(StringBuilder out, String name, String help) {
            out.append("# HELP ").append(name).append(' ').append(help).append('\n');
            out.append("# TYPE ").append(name).append(" histogram\n");
            long cumulative = 0;
            for (int i = 0; i <= BOUNDS.length; i++) {
                cumulative += counts.get(i);
                String le = i < BOUNDS.length ? String.format(Locale.ROOT, "%s", BOUNDS[i]) : "+Inf";
                out.append(name).append("_bucket{le=\"").append(le).append("\"} ").append(cumulative).append('\n');
            }
            out.append(name).append("_sum ").append(String.format(Locale.ROOT, "%.9f", nanos.get() / 1e9)).append('\n');
            out.append(name).append("_count ").append(cumulative).append('\n');
        }
    }

    final AtomicLong requests = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    final AtomicLong characters = new AtomicLong();
    final Histogram queueWait = new Histogram();
    final Histogram step = new Histogram();

    String text(LongSupplier running, LongSupplier queued, LongSupplier streams) {
        StringBuilder out = new StringBuilder();
        gauge(out, "rnn_generations_running", "Generations in a batch row now.", running.getAsLong());
        gauge(out, "rnn_generations_queued", "Generations waiting for a row.", queued.getAsLong());
        gauge(out, "rnn_requests_running", "Requests being answered now.", streams.getAsLong());
        counter(out, "rnn_requests_total", "Completion requests taken.", requests.get());
        counter(out, "rnn_requests_rejected_total", "Completion requests answered 503 for a full queue.", rejected.get());
        counter(out, "rnn_characters_generated_total", "Characters drawn, every generation.", characters.get());
        queueWait.write(out, "rnn_queue_wait_seconds", "From a generation's request to its row.");
        step.write(out, "rnn_step_seconds", "One time step of the batch: the time per character of every running generation.");
        return out.toString();
    }

    private static void gauge(StringBuilder out, String name, String help, long v) {
        out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" gauge\n")
                .append(name).append(' ').append(v).append('\n');
    }

    private static void counter(StringBuilder out, String name, String help, long v) {
        out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" counter\n")
                .append(name).append(' ').append(v).append('\n');
    }
}
