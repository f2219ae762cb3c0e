package charrnn.sample;

import charrnn.model.RnnCell;

/** DL4J's {@code SimpleRnn} with tanh as a lean {@link Cell}: the output is the activation of the pre-activations. */
final class RnnCells implements Cell {
    private final int hidden;

    RnnCells(int hidden) {
        this.hidden = hidden;
    }

    @Override
    public void step(int s, float[] z, float[] zr, float[] h) {
        RnnCell.forward(z, hidden);
        System.arraycopy(z, 0, h, 0, hidden);
    }
}
