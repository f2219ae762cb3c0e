package charrnn.sample;

import java.util.concurrent.locks.LockSupport;

/**
 * A second thread that runs one half of the samples' work (a time step, or a whole generation)
 * while the caller runs the other. A step of 16 samples lasts a few hundred microseconds, about
 * what waking a parked pool thread can cost on a busy virtual machine, so either side spins
 * (briefly) while it waits instead of parking at once: it parks only after {@link #SPIN_NANOS},
 * the partner when no work comes (generation has ended), the caller when its half of a whole
 * generation ended well before the other.
 */
final class Partner implements AutoCloseable {
    /** Work on a range of samples. */
    interface Range {
        void run(int from, int to);
    }

    private static final long SPIN_NANOS = 2_000_000;
    private static final long PARK_NANOS = 100_000;

    private final Thread thread;
    private volatile int posted;    // number of the last posted job; -1: stop
    private volatile int finished;  // number of the last finished job
    private volatile boolean parked;
    private volatile Throwable failure;
    private Range job;
    private int from;
    private int to;

    Partner() {
        thread = new Thread(this::loop, "rnn-sampler-partner");
        thread.setDaemon(true);
        thread.start();
    }

    /** Runs {@code r} on [from, mid) here and on [mid, to) on the partner; returns when both are done. */
    void split(Range r, int from, int mid, int to) {
        job = r;
        this.from = mid;
        this.to = to;
        int n = posted + 1;
        posted = n;                 // volatile write: publishes job, from and to
        if (parked) {
            LockSupport.unpark(thread);
        }
        r.run(from, mid);
        long spinStart = System.nanoTime();
        int spins = 0;
        while (finished != n) {
            if (keepSpinning(++spins, spinStart)) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, PARK_NANOS);  // polled: the partner does not wake the caller
            }
        }
        Throwable t = failure;
        if (t != null) {
            failure = null;
            if (t instanceof RuntimeException e) {
                throw e;
            }
            throw new IllegalStateException("sampler partner thread failed", t);
        }
    }

    /** True for {@link #SPIN_NANOS} after {@code since} (the clock read on every 256th spin only). */
    private static boolean keepSpinning(int spins, long since) {
        return (spins & 255) != 0 || System.nanoTime() - since < SPIN_NANOS;
    }

    private void loop() {
        int seen = 0;
        while (true) {
            long spinStart = System.nanoTime();
            int spins = 0;
            int p;
            while ((p = posted) == seen) {
                if (keepSpinning(++spins, spinStart)) {
                    Thread.onSpinWait();
                } else {
                    parked = true;
                    if (posted == seen) {
                        LockSupport.park(this);
                    }
                    parked = false;
                    spinStart = System.nanoTime();
                }
            }
            if (p < 0) {
                return;
            }
            seen = p;
            try {
                job.run(from, to);
            } catch (Throwable t) {
                failure = t;
            }
            finished = p;
        }
    }

    @Override
    public void close() {
        posted = -1;
        LockSupport.unpark(thread);
    }
}
