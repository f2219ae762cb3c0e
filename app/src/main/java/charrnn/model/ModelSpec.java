package charrnn.model;

import charrnn.RnnException;

/**
 * The network's shape: what is needed to build it again. Immutable, stored in every checkpoint.
 *
 * @param cell      "lstm", "gru" (see {@link Gru}) or "rnn" (the tutorial's plain recurrent baseline)
 * @param layers    recurrent layers
 * @param hidden    units per recurrent layer
 * @param dropout   probability of dropping an activation between layers and before the output (0 = none)
 * @param vocabSize input and output width (one-hot)
 */
public record ModelSpec(String cell, int layers, int hidden, double dropout, int vocabSize) {
    public static final String LSTM = "lstm";
    public static final String GRU = "gru";
    public static final String RNN = "rnn";

    /** An LSTM of {@code layers} x {@code hidden} without dropout, over {@code vocabSize} symbols. */
    public static ModelSpec lstm(int layers, int hidden, int vocabSize) {
        return new ModelSpec(LSTM, layers, hidden, 0, vocabSize);
    }

    /** The CLI's defaults (2 x 296 GRU, dropout 0.1) over {@code vocabSize} symbols. */
    public static ModelSpec defaults(int vocabSize) {
        return new ModelSpec(GRU, 2, defaultHidden(GRU), 0.1, vocabSize);
    }

    /**
     * --hidden's default for {@code cell}: the GRU's is the size with the 2 x 256 LSTM's parameter count
     * (867,937 against 871,745 on tiny-shakespeare's 65 symbols), the better model in 10 minutes on all
     * three corpora measured (bench/NOTES.md 51, 54, 55, 57).
     */
    public static int defaultHidden(String cell) {
        return GRU.equals(cell) ? 296 : 256;
    }

    public ModelSpec {
        if (!LSTM.equals(cell) && !GRU.equals(cell) && !RNN.equals(cell)) {
            throw RnnException.usage("--cell must be lstm, gru or rnn, got '" + cell + "'");
        }
        if (layers < 1 || layers > 16) {
            throw RnnException.usage("--layers must be between 1 and 16, got " + layers);
        }
        if (hidden < 1 || hidden > 8192) {
            throw RnnException.usage("--hidden must be between 1 and 8192, got " + hidden);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw RnnException.usage("--dropout must be in [0, 1), got " + dropout);
        }
        if (vocabSize < 2) {
            throw RnnException.badData("the corpus has " + vocabSize + " distinct characters; at least 2 are needed");
        }
    }
}
