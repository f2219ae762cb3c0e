package charrnn.sample;

import java.util.Random;

/**
 * Generations stepped together on the fast path, one row of a batch each: a generation takes a free
 * row at the next step, from a zero state, feeds its prompt a character per step, then draws a
 * character per step until it has its length, its listener ends it or it is cancelled, and leaves
 * its row to the next. Rows compute independently, so a generation's text does not depend on which
 * others share the batch (continuous batching: a recurrent generation's whole state is its row).
 */
public final class Slots {
    /** What a generation does with each character drawn. */
    public interface Listener {
        /**
         * The character {@code id}, drawn from {@code logits} (valid during the call only); false ends
         * the generation.
         */
        boolean onChar(int id, float[] logits);

        /** The generation is over: it has its length, the listener ended it, or it was cancelled. */
        void onEnd();

        /** True while the characters drawn wait to be taken (a slow client): the row is not stepped meanwhile. */
        default boolean paused() {
            return false;
        }
    }

    /** One continuation of a prompt; {@link #cancel} ends it at the next step. */
    public static final class Generation {
        private final int[] prompt;
        private final int length;
        private final Strategy strategy;
        private final Random random;
        private final Listener listener;
        private int fed;
        private int drawn;
        private int last;
        private int warmPrefix;
        private boolean warming;
        private int warmDrawn;
        private volatile boolean cancelled;

        /**
         * Up to {@code length} characters after {@code prompt} (ids; empty: the start of a line, see
         * {@link Sampler#startOf}), each drawn by {@code strategy} from {@code new Random(randomSeed)}.
         */
        public Generation(int[] prompt, int length, Strategy strategy, long randomSeed, Listener listener) {
            if (prompt.length == 0) {
                throw new IllegalArgumentException("an empty prompt: give Sampler.startOf's");
            }
            this.prompt = prompt;
            this.length = length;
            this.strategy = strategy;
            this.random = new Random(randomSeed);
            this.listener = listener;
        }

        /**
         * Before the prompt, draws a document to throw away: after the first {@code prefix} prompt
         * characters (the boundary that ends documents, then a label's), until it draws the boundary
         * again or {@code length} characters; then feeds the whole prompt. A document then begins
         * after one of its kind, as in training, not from a zero state, which the model meets only at
         * the start of its windows.
         */
        public Generation warmUp(int prefix) {
            warmPrefix = prefix;
            warming = prefix > 0;
            return this;
        }

        public void cancel() {
            cancelled = true;
        }

        public boolean cancelled() {
            return cancelled;
        }

        /** The input of its next step: the next prompt character, then the last one drawn. */
        private int input() {
            if (warming && fed >= warmPrefix) {
                return last;
            }
            return fed < prompt.length ? prompt[fed++] : last;
        }

        /** After a step: draws when the prompt is in; true when the generation is over. */
        private boolean after(float[] logits) {
            if (warming) {
                if (fed < warmPrefix) {
                    return false;
                }
                last = strategy.choose(logits, random);
                if (last == prompt[0] || ++warmDrawn >= length) {
                    warming = false;
                    fed = 0; // its boundary (drawn, or forced at the cap) is the prompt's first character
                }
                return false;
            }
            if (fed < prompt.length) {
                return false;
            }
            last = strategy.choose(logits, random);
            drawn++;
            return !listener.onChar(last, logits) || drawn >= length;
        }
    }

    private final FastInference.Batch batch;
    private final Generation[] rows;
    private final boolean[] active;
    private final int[] ids;
    private volatile int running;  // read by other threads for admission

    Slots(FastInference fast, int rows) {
        this.batch = fast.batch(rows);
        this.rows = new Generation[rows];
        this.active = new boolean[rows];
        this.ids = new int[rows];
    }

    /** Rows free for {@link #add}. */
    public int free() {
        return rows.length - running;
    }

    /** Generations in a row. */
    public int running() {
        return running;
    }

    /** Puts {@code g} in a free row, from a zero state (a cancelled one ends at once); false when none is free. */
    public boolean add(Generation g) {
        if (g.cancelled) {
            g.listener.onEnd();
            return true;
        }
        for (int r = 0; r < rows.length; r++) {
            if (rows[r] == null) {
                rows[r] = g;
                batch.reset(r);
                running++;
                return true;
            }
        }
        return false;
    }

    /** Cancels every generation in a row: each ends at the next step. */
    public void cancelAll() {
        for (Generation g : rows) {
            if (g != null) {
                g.cancel();
            }
        }
    }

    /**
     * One step of every generation in a row that is not {@link Listener#paused} (cancelled ones leave
     * first); returns the rows stepped.
     */
    public int step() {
        int stepped = 0;
        for (int r = 0; r < rows.length; r++) {
            if (rows[r] != null && rows[r].cancelled) {
                end(r);
            }
            active[r] = rows[r] != null && !rows[r].listener.paused();
            ids[r] = active[r] ? rows[r].input() : -1;
            stepped += active[r] ? 1 : 0;
        }
        if (stepped == 0) {
            return 0;
        }
        float[][] logits = batch.step(ids, active);
        for (int r = 0; r < rows.length; r++) {
            if (active[r] && rows[r].after(logits[r])) {
                end(r);
            }
        }
        return stepped;
    }

    /** Steps until every generation in a row is over (none may pause). */
    public void drain() {
        while (step() > 0) {
            // each step is the work
        }
    }

    private void end(int r) {
        Generation g = rows[r];
        rows[r] = null;
        running--;
        g.listener.onEnd();
    }
}
