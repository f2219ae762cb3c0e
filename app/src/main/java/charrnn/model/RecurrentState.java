package charrnn.model;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * The recurrent state a set of windows ends in and the next windows start from (stateful
 * training and scoring: window {@code i} of one call continues window {@code i} of the call
 * before). Per layer, one or two parts of {@code windows x hidden} floats, window {@code i}'s
 * unit {@code j} at {@code i * hidden + j}: the output h and, for an LSTM, the cell state c.
 * Engine-neutral, so a checkpoint stores it whichever engine trained.
 */
public final class RecurrentState {
    private static final int MAGIC = 0x524e5353; // "RNSS"

    private final int layers;
    private final int parts;
    private final int windows;
    private final int hidden;
    private final float[][][] values; // [layer][part][windows * hidden]

    /** A zero state; {@code parts} is 2 for an LSTM (h, c), 1 for cells whose state is h alone. */
    public RecurrentState(int layers, int parts, int windows, int hidden) {
        if (layers < 1 || parts < 1 || parts > 2 || windows < 1 || hidden < 1) {
            throw new IllegalArgumentException("bad state shape " + layers + "x" + parts + "x" + windows + "x" + hidden);
        }
        this.layers = layers;
        this.parts = parts;
        this.windows = windows;
        this.hidden = hidden;
        this.values = new float[layers][parts][windows * hidden];
    }

    public int layers() {
        return layers;
    }

    public int parts() {
        return parts;
    }

    public int windows() {
        return windows;
    }

    public int hidden() {
        return hidden;
    }

    /** Layer {@code layer}'s output h, window-major. */
    public float[] h(int layer) {
        return values[layer][0];
    }

    /** Layer {@code layer}'s cell state c (LSTM), window-major. */
    public float[] c(int layer) {
        if (parts < 2) {
            throw new IllegalStateException("this state has no cell state");
        }
        return values[layer][1];
    }

    /** Back to zero: the start of an epoch, or of a text. */
    public void reset() {
        for (float[][] layer : values) {
            for (float[] part : layer) {
                Arrays.fill(part, 0f);
            }
        }
    }

    public boolean isZero() {
        for (float[][] layer : values) {
            for (float[] part : layer) {
                for (float v : part) {
                    if (v != 0f) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    public RecurrentState copy() {
        RecurrentState c = new RecurrentState(layers, parts, windows, hidden);
        for (int l = 0; l < layers; l++) {
            for (int p = 0; p < parts; p++) {
                System.arraycopy(values[l][p], 0, c.values[l][p], 0, values[l][p].length);
            }
        }
        return c;
    }

    public void write(DataOutputStream out) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(layers);
        out.writeInt(parts);
        out.writeInt(windows);
        out.writeInt(hidden);
        for (float[][] layer : values) {
            for (float[] part : layer) {
                for (float v : part) {
                    out.writeFloat(v);
                }
            }
        }
    }

    public static RecurrentState read(DataInputStream in) throws IOException {
        if (in.readInt() != MAGIC) {
            throw new IOException("not a recurrent state");
        }
        int layers = in.readInt();
        int parts = in.readInt();
        int windows = in.readInt();
        int hidden = in.readInt();
        if ((long) layers * parts * windows * hidden > Integer.MAX_VALUE / 4) {
            throw new IOException("implausible recurrent state " + layers + "x" + parts + "x" + windows + "x" + hidden);
        }
        RecurrentState s = new RecurrentState(layers, parts, windows, hidden);
        for (float[][] layer : s.values) {
            for (float[] part : layer) {
                for (int i = 0; i < part.length; i++) {
                    part[i] = in.readFloat();
                }
            }
        }
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecurrentState s && s.layers == layers && s.parts == parts && s.windows == windows
                && s.hidden == hidden && Arrays.deepEquals(s.values, values);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(values);
    }
}
