package charrnn.model;

import charrnn.RnnException;
import charrnn.cell.Cell;

/**
 * The network's shape: what is needed to build it again. Immutable, stored in every checkpoint.
 *
 * @param cell      a {@link Cell}'s name: "gru", "lstm" or "rnn"
 * @param layers    recurrent layers
 * @param hidden    units per recurrent layer
 * @param dropout   probability of dropping an activation between layers and before the output (0 = none)
 * @param vocabSize input and output width (one-hot)
 */
public record ModelSpec(String cell, int layers, int hidden, double dropout, int vocabSize) {
    public ModelSpec {
        if (Cell.named(cell) == null) {
            throw RnnException.invalid("cell", "must be one of " + Cell.names() + ", got '" + cell + "'");
        }
        if (layers < 1 || layers > 16) {
            throw RnnException.invalid("layers", "must be between 1 and 16, got " + layers);
        }
        if (hidden < 1 || hidden > 8192) {
            throw RnnException.invalid("hidden", "must be between 1 and 8192, got " + hidden);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw RnnException.invalid("dropout", "must be in [0, 1), got " + dropout);
        }
        if (vocabSize < 2) {
            throw RnnException.badData("the corpus has " + vocabSize + " distinct characters; at least 2 are needed");
        }
    }

    /** The cell this spec names. */
    public Cell cellType() {
        return Cell.named(cell);
    }
}
