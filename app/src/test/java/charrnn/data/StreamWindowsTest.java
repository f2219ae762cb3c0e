package charrnn.data;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class StreamWindowsTest {
    @Test
    void windowIOfEachBatchContinuesWindowIOfTheBatchBefore() {
        // 1,001 ids: 1,000 transitions, 4 streams of 250, windows of 30: 8 per stream, slack 10
        var w = new StreamWindows(100, 1001, 30, 4, 7);
        assertTrue(w.contiguous());
        assertEquals(8, w.batchesPerEpoch());
        long[] first = w.nextStarts();
        assertArrayEquals(new long[]{100, 350, 600, 850}, first);
        long[] second = w.nextStarts();
        for (int i = 0; i < 4; i++) {
            assertEquals(first[i] + 30, second[i]);
        }
        for (int k = 2; k < 8; k++) {
            w.nextStarts();
        }
        assertFalse(w.hasNext());
        assertEquals(8, w.batchInEpoch());
    }

    @Test
    void laterEpochsShiftTheCutsWithinTheSlackAndEveryWindowStaysInItsStream() {
        var w = new StreamWindows(0, 1001, 30, 4, 7);
        Set<Long> offsets = new HashSet<>();
        for (int e = 1; e <= 30; e++) {
            w.setEpoch(e);
            long off = w.offset();
            assertTrue(off >= 0 && off <= 10, "offset " + off);
            offsets.add(off);
            long[] last = null;
            while (w.hasNext()) {
                last = w.nextStarts();
            }
            for (int i = 0; i < 4; i++) {
                assertTrue(last[i] + 30 <= (i + 1) * 250L, "window ends inside stream " + i);
            }
        }
        assertTrue(offsets.size() > 3, "offsets vary: " + offsets);
        w.setEpoch(0);
        assertEquals(0, w.offset());
    }

    @Test
    void skippingBatchesResumesWhereARunStopped() {
        var a = new StreamWindows(0, 1001, 30, 4, 7);
        var b = new StreamWindows(0, 1001, 30, 4, 7);
        a.setEpoch(3);
        for (int k = 0; k < 5; k++) {
            a.nextStarts();
        }
        b.setEpoch(3);
        b.skipBatches(5);
        assertArrayEquals(a.nextStarts(), b.nextStarts());
    }
}
