package charrnn.sample;

import charrnn.RnnException;
import charrnn.corpus.Vocabulary;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * A model's loss on documents ({@code rnn score}), one at a time from a zero state: fed the
 * boundary that ends every document of the model's corpus (so the document is scored as one that
 * begins), else a newline, each character is scored before it is fed, and the boundary after the
 * last one (the model's belief that the document ends there). Memory does not grow with a document.
 */
public final class Scorer {
    private final FastInference.Batch batch;
    private final int start;
    private final int end;
    private final int[] one = new int[1];
    private float[] logits;
    private double nats;
    private long predictions;

    /** @param boundary the code point that ends the model corpus's documents, null for one stream */
    public Scorer(MultiLayerNetwork net, Vocabulary vocab, Integer boundary) {
        if (!FastInference.supports(net)) {
            throw RnnException.badModel("this model's layers are not rnn's GRU, LSTM or RNN cells; it cannot be scored");
        }
        batch = new FastInference(net).batch(1);
        end = boundary == null ? -1 : vocab.id(boundary);
        start = end >= 0 ? end : vocab.id('\n');
    }

    /** A document begins, after {@code context} (its label's ids, fed and not scored; may be empty). */
    public void begin(int[] context) {
        batch.reset(0);
        nats = 0;
        predictions = 0;
        logits = step(start);
        for (int id : context) {
            logits = step(id);
        }
    }

    /** Scores and feeds the document's next ids. */
    public void accept(int[] ids, int from, int to) {
        for (int k = from; k < to; k++) {
            nats += loss(logits, ids[k]);
            predictions++;
            logits = step(ids[k]);
        }
    }

    /** The document ends: its boundary is scored; returns the document's loss in nats. */
    public double end() {
        if (end >= 0) {
            nats += loss(logits, end);
            predictions++;
        }
        return nats;
    }

    /** The characters scored in the document, its boundary included. */
    public long predictions() {
        return predictions;
    }

    private float[] step(int id) {
        one[0] = id;
        return batch.step(one, null)[0];
    }

    /** -log softmax(logits)[id], in double. */
    static double loss(float[] logits, int id) {
        float max = Float.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        return Math.log(sum) - (logits[id] - max);
    }
}
