package charrnn.sample;

import charrnn.model.LstmCell;

/** DL4J's LSTM as a lean {@link Cell}: gate columns [block input | forget | output | input], no peepholes. */
final class LstmCells implements Cell {
    private final int hidden;
    private final float[][] c;        // [sample][H]: the cell state
    private final float[][][] gates;  // [sample][gate][H]: the pre-activations split per gate, so the gate loops vectorise
    private final float[][] tc;       // [sample][H] scratch

    LstmCells(int n, int hidden) {
        this.hidden = hidden;
        c = new float[n][hidden];
        gates = new float[n][4][hidden];
        tc = new float[n][hidden];
    }

    @Override
    public void step(int s, float[] z, float[] zr, float[] h) {
        float[][] q = gates[s];
        for (int gate = 0; gate < 4; gate++) {
            System.arraycopy(z, gate * hidden, q[gate], 0, hidden);
        }
        LstmCell.forward(q[0], q[1], q[2], q[3], c[s], c[s], tc[s], h, hidden);
    }
}
