package charrnn.data;

import charrnn.corpus.IdSequence;
import charrnn.corpus.PreparedCorpus;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.NoSuchElementException;

/**
 * Cuts one-hot windows from a range of a prepared corpus. Window {@code k} covers positions
 * {@code start + k*seqLength ... + seqLength - 1}; its labels are the same positions shifted by one,
 * so every position predicts the next character, as in char-rnn.
 *
 * <p>Features and labels are {@code [batch, vocab, seqLength]} in 'f' order (DL4J's recurrent
 * layout), filled per minibatch into buffers reused across calls: a returned {@link DataSet} is
 * valid until the next call to {@link #next()}.
 *
 * <p>Training mode ({@code shuffle}) visits the full windows in an order drawn from
 * {@code seed} and the epoch number, in full batches only (the remainder of an epoch is skipped;
 * another order covers it next epoch). Evaluation mode visits every transition of the range once,
 * in order; the last window may be shorter and is then masked.
 */
public final class OneHotWindows implements DataSetIterator {
    private final IdSequence corpus;
    private final long start;
    private final long length;
    private final int seqLength;
    private final int batch;
    private final boolean shuffle;
    private final long seed;
    private final int vocab;
    private final long fullWindows;
    private final int partialSteps;   // evaluation only: steps of the trailing short window, 0 if none
    private final long windows;

    private final int[] window;       // ids of one window
    private WindowOrder order;        // training: permutation of window numbers for this epoch
    private int epoch;
    private long cursor;              // next window (position in the epoch order)
    private DataSetPreProcessor preProcessor;

    private INDArray features;
    private INDArray labels;
    private INDArray mask;

    public OneHotWindows(PreparedCorpus corpus, long start, long length, int seqLength, int batch,
                         boolean shuffle, long seed) {
        this(corpus, corpus.vocabulary().size(), start, length, seqLength, batch, shuffle, seed);
    }

    public OneHotWindows(IdSequence corpus, int vocab, long start, long length, int seqLength, int batch,
                         boolean shuffle, long seed) {
        if (seqLength < 1 || batch < 1) {
            throw new IllegalArgumentException("seqLength and batch must be positive");
        }
        this.corpus = corpus;
        this.start = start;
        this.length = length;
        this.seqLength = seqLength;
        this.batch = batch;
        this.shuffle = shuffle;
        this.seed = seed;
        this.vocab = vocab;
        this.window = new int[seqLength + 1];
        long transitions = Math.max(0, length - 1);
        this.fullWindows = transitions / seqLength;
        this.partialSteps = shuffle ? 0 : (int) (transitions % seqLength);
        this.windows = fullWindows + (partialSteps > 0 ? 1 : 0);
        setEpoch(0);
    }

    /** Full batches per training epoch, or batches to cover the range in evaluation mode. */
    public long batchesPerEpoch() {
        return shuffle ? fullWindows / batch : (windows + batch - 1) / batch;
    }

    /** Transitions (predicted characters) one epoch covers. */
    public long charactersPerEpoch() {
        return shuffle ? batchesPerEpoch() * batch * seqLength : Math.max(0, length - 1);
    }

    public int epoch() {
        return epoch;
    }

    /** Batches already taken in the current epoch. */
    public long batchInEpoch() {
        return cursor / batch;
    }

    /** Positions the iterator at the start of {@code epoch}, with that epoch's order. */
    public void setEpoch(int epoch) {
        this.epoch = epoch;
        this.cursor = 0;
        if (shuffle) {
            order = new WindowOrder(fullWindows, seed * 1_000_003L + epoch);
        }
    }

    /** Skips {@code n} batches of the current epoch (resume). */
    public void skipBatches(long n) {
        cursor = Math.min(cursor + n * batch, shuffle ? batchesPerEpoch() * batch : windows);
    }

    @Override
    public boolean hasNext() {
        return shuffle ? cursor + batch <= (long) batch * batchesPerEpoch() : cursor < windows;
    }

    @Override
    public DataSet next() {
        return next(batch);
    }

    /**
     * Advances by one batch without building arrays: the start positions of its windows (for
     * engines that read the ids themselves). Training mode only: every window is full.
     */
    public long[] nextStarts() {
        if (!shuffle) {
            throw new IllegalStateException("nextStarts is for training mode");
        }
        if (!hasNext()) {
            throw new NoSuchElementException("epoch finished; call reset()");
        }
        long[] starts = new long[batch];
        for (int i = 0; i < batch; i++) {
            starts[i] = start + order.at(cursor + i) * seqLength;
        }
        cursor += batch;
        return starts;
    }

    @Override
    public DataSet next(int num) {
        if (!hasNext()) {
            throw new NoSuchElementException("epoch finished; call reset()");
        }
        int b = (int) Math.min(num, (shuffle ? (long) batch * batchesPerEpoch() : windows) - cursor);
        ensureBuffers(b);
        boolean masked = false;
        DataBuffer fd = features.data();
        DataBuffer ld = labels.data();
        // Clear only the ones set last time would be cheaper; zeroing is a memset and negligible.
        features.assign(0);
        labels.assign(0);
        for (int i = 0; i < b; i++) {
            long w = shuffle ? order.at(cursor + i) : cursor + i;
            int steps = (w == fullWindows) ? partialSteps : seqLength;
            long base = start + w * seqLength;
            corpus.read(base, window, 0, steps + 1);
            for (int t = 0; t < steps; t++) {
                // 'f' order [b, V, T]: offset = i + v*b + t*b*V
                long o = i + (long) t * b * vocab;
                fd.put(o + (long) window[t] * b, 1.0f);
                ld.put(o + (long) window[t + 1] * b, 1.0f);
            }
            if (steps < seqLength) {
                masked = true;
            }
        }
        DataSet ds;
        if (masked) {
            mask.assign(1);
            for (int i = 0; i < b; i++) {
                long w = cursor + i;
                if (w == fullWindows) {
                    for (int t = partialSteps; t < seqLength; t++) {
                        mask.putScalar(i, t, 0);
                    }
                }
            }
            ds = new DataSet(features, labels, mask, mask);
        } else {
            ds = new DataSet(features, labels);
        }
        cursor += b;
        if (preProcessor != null) {
            preProcessor.preProcess(ds);
        }
        return ds;
    }

    private void ensureBuffers(int b) {
        if (features == null || features.size(0) != b) {
            features = Nd4j.create(DataType.FLOAT, new long[]{b, vocab, seqLength}, 'f');
            labels = Nd4j.create(DataType.FLOAT, new long[]{b, vocab, seqLength}, 'f');
            mask = shuffle ? null : Nd4j.create(DataType.FLOAT, new long[]{b, seqLength}, 'f');
        }
    }

    @Override
    public int inputColumns() {
        return vocab;
    }

    @Override
    public int totalOutcomes() {
        return vocab;
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return false; // buffers are reused: a prefetching wrapper would see them change
    }

    /** Starts the next epoch (training) or rewinds (evaluation). */
    @Override
    public void reset() {
        setEpoch(shuffle ? epoch + 1 : epoch);
    }

    @Override
    public int batch() {
        return batch;
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    @Override
    public List<String> getLabels() {
        return null;
    }
}
