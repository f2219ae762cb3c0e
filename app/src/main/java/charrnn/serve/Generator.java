package charrnn.serve;

import charrnn.sample.Slots;

import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A thread that steps its rows' generations together ({@link Slots}) and, between steps, moves
 * queued ones into free rows. Requests wait in a queue of at most {@code maxQueue} generations; a
 * request that does not fit is refused whole.
 */
final class Generator implements AutoCloseable {
    private record Waiting(Slots.Generation generation, long since) {
    }

    private final Slots slots;
    private final int maxQueue;
    private final LinkedBlockingQueue<Waiting> queue = new LinkedBlockingQueue<>();
    private final Metrics metrics;
    private final Thread thread;
    private volatile boolean closed;

    Generator(Slots slots, int maxQueue, Metrics metrics) {
        this.slots = slots;
        this.maxQueue = maxQueue;
        this.metrics = metrics;
        this.thread = new Thread(this::loop, "rnn-generator");
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues every one of {@code gs}, or none when the free rows and the queue have no room for them all. */
    synchronized boolean submit(List<Slots.Generation> gs) {
        if (closed || queue.size() + gs.size() > maxQueue + slots.free()) {
            return false;
        }
        long now = System.nanoTime();
        gs.forEach(g -> queue.add(new Waiting(g, now)));
        return true;
    }

    int queued() {
        return queue.size();
    }

    int running() {
        return slots.running();
    }

    private void loop() {
        try {
            while (!closed || slots.running() > 0 || !queue.isEmpty()) {
                if (closed) {
                    slots.cancelAll();
                    queue.forEach(w -> w.generation().cancel());
                }
                for (Waiting w; slots.free() > 0 && (w = queue.poll()) != null; ) {
                    admit(w);
                }
                long t0 = System.nanoTime();
                if (slots.step() > 0) {
                    metrics.step.add(System.nanoTime() - t0);
                } else if (slots.running() > 0) {
                    LockSupport.parkNanos(200_000); // every row paused: their clients are reading
                } else {
                    Waiting w = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (w != null) {
                        admit(w);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void admit(Waiting w) {
        metrics.queueWait.add(System.nanoTime() - w.since());
        slots.add(w.generation());
    }

    /** Takes no more and ends every generation (a request still waiting for one gets what it has). */
    @Override
    public void close() {
        closed = true;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
