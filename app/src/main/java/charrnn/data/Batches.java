package charrnn.data;

/**
 * The windows a training run visits, batch by batch and epoch by epoch, as a function of the seed
 * and the epoch alone, so a resumed run (epoch, batches taken) continues exactly.
 */
public interface Batches {
    /** Full batches per epoch. */
    long batchesPerEpoch();

    int epoch();

    /** Batches already taken in the current epoch. */
    long batchInEpoch();

    /** Positions the windows at the start of {@code epoch}. */
    void setEpoch(int epoch);

    /** Skips {@code n} batches of the current epoch (resume). */
    void skipBatches(long n);

    boolean hasNext();

    /** The start positions of the next batch's windows. */
    long[] nextStarts();

    /** Starts the next epoch. */
    default void nextEpoch() {
        setEpoch(epoch() + 1);
    }

    /** Whether window {@code i} of a batch continues window {@code i} of the batch before (carried state). */
    boolean contiguous();
}
