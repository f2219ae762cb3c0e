package charrnn.data;

import java.util.NoSuchElementException;

/**
 * The order in which training visits the windows of a range of the corpus. Window {@code k}
 * covers positions {@code start + k*seqLength ... + seqLength} (its last id is the label of the
 * position before), so every position predicts the next character, as in char-rnn. Each epoch
 * visits the full windows in an order drawn from the seed and the epoch number, in full batches
 * (the remainder of an epoch is skipped; another order covers it next epoch).
 */
public final class TrainingWindows implements Batches {
    private final long start;
    private final int seqLength;
    private final int batch;
    private final long seed;
    private final long fullWindows;

    private WindowOrder order;        // permutation of window numbers for this epoch
    private int epoch;
    private long cursor;              // next window (position in the epoch order)

    public TrainingWindows(long start, long length, int seqLength, int batch, long seed) {
        if (seqLength < 1 || batch < 1) {
            throw new IllegalArgumentException("seqLength and batch must be positive");
        }
        this.start = start;
        this.seqLength = seqLength;
        this.batch = batch;
        this.seed = seed;
        this.fullWindows = Math.max(0, length - 1) / seqLength;
        setEpoch(0);
    }

    /** Full batches per epoch. */
    @Override
    public long batchesPerEpoch() {
        return fullWindows / batch;
    }

    @Override
    public int epoch() {
        return epoch;
    }

    /** Batches already taken in the current epoch. */
    @Override
    public long batchInEpoch() {
        return cursor / batch;
    }

    /** Positions the windows at the start of {@code epoch}, with that epoch's order. */
    @Override
    public void setEpoch(int epoch) {
        this.epoch = epoch;
        this.cursor = 0;
        this.order = new WindowOrder(fullWindows, seed * 1_000_003L + epoch);
    }

    /** Skips {@code n} batches of the current epoch (resume). */
    @Override
    public void skipBatches(long n) {
        cursor = Math.min(cursor + n * batch, batchesPerEpoch() * batch);
    }

    @Override
    public boolean hasNext() {
        return cursor + batch <= (long) batch * batchesPerEpoch();
    }

    /** The start positions of the next batch's windows. */
    @Override
    public long[] nextStarts() {
        if (!hasNext()) {
            throw new NoSuchElementException("epoch finished; call nextEpoch()");
        }
        long[] starts = new long[batch];
        for (int i = 0; i < batch; i++) {
            starts[i] = start + order.at(cursor + i) * seqLength;
        }
        cursor += batch;
        return starts;
    }

    @Override
    public boolean contiguous() {
        return false;
    }
}
