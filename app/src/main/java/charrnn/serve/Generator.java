package charrnn.serve;

import charrnn.sample.Slots;

import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The one thread that owns the model: it steps every running generation together ({@link Slots})
 * and, between steps, moves queued ones into free rows. Requests wait in a queue of at most
 * {@code maxQueue} generations; a request that does not fit is refused whole.
 */
final class Generator implements AutoCloseable {
    private final Slots slots;
    private final int maxQueue;
    private final LinkedBlockingQueue<Slots.Generation> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closed;
    /** Steps taken: the tests see from it that a cancelled generation stops costing steps. */
    final AtomicLong steps = new AtomicLong();

    Generator(Slots slots, int maxQueue) {
        this.slots = slots;
        this.maxQueue = maxQueue;
        this.thread = new Thread(this::loop, "rnn-generator");
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues every one of {@code gs}, or none when the free rows and the queue have no room for them all. */
    synchronized boolean submit(List<Slots.Generation> gs) {
        if (closed || queue.size() + gs.size() > maxQueue + slots.free()) {
            return false;
        }
        queue.addAll(gs);
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
                    queue.forEach(Slots.Generation::cancel);
                }
                for (Slots.Generation g; slots.free() > 0 && (g = queue.poll()) != null; ) {
                    slots.add(g);
                }
                if (slots.step() > 0) {
                    steps.incrementAndGet();
                } else if (slots.running() > 0) {
                    LockSupport.parkNanos(200_000); // every row paused: their clients are reading
                } else {
                    Slots.Generation g = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (g != null) {
                        slots.add(g);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
