package charrnn.sample;

import charrnn.model.GruCell;

/**
 * The project's GRU ({@link charrnn.model.Gru}) as a lean {@link Cell}: gate columns [reset |
 * update | candidate], the recurrent part apart (the reset gate scales the candidate's alone).
 */
final class GruCells implements Cell {
    private final int hidden;
    private final float[][][] in;   // [sample][gate][H]: the input's parts, split per gate so the loops vectorise
    private final float[][][] rec;  // [sample][gate][H]: the recurrent parts

    GruCells(int n, int hidden) {
        this.hidden = hidden;
        in = new float[n][3][hidden];
        rec = new float[n][3][hidden];
    }

    @Override
    public boolean split() {
        return true;
    }

    @Override
    public void step(int s, float[] z, float[] zr, float[] h) {
        float[][] q = in[s];
        float[][] r = rec[s];
        for (int gate = 0; gate < 3; gate++) {
            System.arraycopy(z, gate * hidden, q[gate], 0, hidden);
            System.arraycopy(zr, gate * hidden, r[gate], 0, hidden);
        }
        GruCell.forward(q[0], q[1], q[2], r[0], r[1], r[2], h, h, hidden);
    }
}
