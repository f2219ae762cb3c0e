package charrnn.data;

import java.util.NoSuchElementException;

/**
 * char-rnn's batches: the range is cut into {@code batch} contiguous streams of equal length, and
 * step k of an epoch takes window k of every stream, so window i of a batch continues window i of
 * the batch before and the state can be carried (truncated backpropagation through time). Each
 * epoch after the first shifts every stream's windows by an offset drawn from the seed and the
 * epoch, within the stream's slack (its length beyond the last full window), so the cuts between
 * windows move; the slack's characters are the only ones an epoch leaves out.
 */
public final class StreamWindows implements Batches {
    private final long start;
    private final int seqLength;
    private final int batch;
    private final long seed;
    private final long streamLength;  // transitions per stream
    private final long perEpoch;
    private int epoch;
    private long offset;
    private long taken;

    public StreamWindows(long start, long length, int seqLength, int batch, long seed) {
        if (seqLength < 1 || batch < 1) {
            throw new IllegalArgumentException("seqLength and batch must be positive");
        }
        this.start = start;
        this.seqLength = seqLength;
        this.batch = batch;
        this.seed = seed;
        this.streamLength = Math.max(0, length - 1) / batch;
        this.perEpoch = streamLength / seqLength;
        setEpoch(0);
    }

    @Override
    public long batchesPerEpoch() {
        return perEpoch;
    }

    @Override
    public int epoch() {
        return epoch;
    }

    @Override
    public long batchInEpoch() {
        return taken;
    }

    /** Where window 0 of every stream starts in {@code epoch}, past the stream's start. */
    long offset() {
        return offset;
    }

    @Override
    public void setEpoch(int epoch) {
        this.epoch = epoch;
        this.taken = 0;
        long slack = streamLength - perEpoch * seqLength;
        if (epoch == 0 || slack == 0) {
            offset = 0;
        } else {
            long h = new java.util.SplittableRandom(seed * 1_000_003L + epoch).nextLong();
            offset = Math.floorMod(h, slack + 1);
        }
    }

    @Override
    public void skipBatches(long n) {
        taken = Math.min(taken + n, perEpoch);
    }

    @Override
    public boolean hasNext() {
        return taken < perEpoch;
    }

    @Override
    public long[] nextStarts() {
        if (!hasNext()) {
            throw new NoSuchElementException("epoch finished; call nextEpoch()");
        }
        long[] starts = new long[batch];
        for (int i = 0; i < batch; i++) {
            starts[i] = start + i * streamLength + offset + taken * seqLength;
        }
        taken++;
        return starts;
    }

    @Override
    public boolean contiguous() {
        return true;
    }
}
