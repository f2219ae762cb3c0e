package charrnn.spark;

import charrnn.model.RecurrentState;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;

/**
 * One executor's part of a step: windows {@code first, first + 1, ...} of the step's batch and their
 * start positions in the prepared corpus; for stream training ({@code stateful}) the state they
 * start from, in {@link RecurrentState}'s own format (null: a zero state).
 */
record Share(int first, long[] starts, boolean stateful, byte[] state) implements Serializable {
    /**
     * Windows [from, to) of {@code starts}, numbered from {@code first + from} in the step, with their
     * slots of {@code state} (null: training from zero states).
     */
    static Share of(long[] starts, int from, int to, int first, RecurrentState state) {
        long[] mine = java.util.Arrays.copyOfRange(starts, from, to);
        if (state == null || state.isZero()) {
            return new Share(first + from, mine, state != null, null);
        }
        RecurrentState part = new RecurrentState(state.layers(), state.parts(), to - from, state.hidden());
        copySlots(state, from, part, 0, to - from);
        return new Share(first + from, mine, true, bytes(part));
    }

    /** The state the windows of a share ended in: {@code state} in {@link RecurrentState}'s format. */
    record End(int first, byte[] state) implements Serializable {
    }

    /** Slots [from, from + count) of {@code src} into slots [to, to + count) of {@code dst}. */
    static void copySlots(RecurrentState src, int from, RecurrentState dst, int to, int count) {
        int h = src.hidden();
        for (int l = 0; l < src.layers(); l++) {
            System.arraycopy(src.h(l), from * h, dst.h(l), to * h, count * h);
            if (src.parts() > 1) {
                System.arraycopy(src.c(l), from * h, dst.c(l), to * h, count * h);
            }
        }
    }

    static byte[] bytes(RecurrentState s) {
        var out = new ByteArrayOutputStream();
        try (var data = new DataOutputStream(out)) {
            s.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static RecurrentState state(byte[] bytes) {
        try (var in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            return RecurrentState.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
