package charrnn.data;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class TrainingWindowsTest {
    /** 1,000 ids from 40: windows of 7 start at 40 + 7k, k < 142 (999 transitions / 7). */
    private static TrainingWindows windows(long seed) {
        return new TrainingWindows(40, 1000, 7, 5, seed);
    }

    private static List<Long> epoch(TrainingWindows w) {
        List<Long> starts = new ArrayList<>();
        while (w.hasNext()) {
            for (long s : w.nextStarts()) {
                starts.add(s);
            }
        }
        return starts;
    }

    @Test
    void anEpochVisitsFullBatchesOfDistinctWindowStarts() {
        var w = windows(42);
        assertEquals(142 / 5, w.batchesPerEpoch());
        List<Long> starts = epoch(w);
        assertEquals(28 * 5, starts.size());
        Set<Long> distinct = new HashSet<>(starts);
        assertEquals(starts.size(), distinct.size(), "a window twice in one epoch");
        for (long s : starts) {
            assertTrue(s >= 40 && (s - 40) % 7 == 0 && (s - 40) / 7 < 142, "not a window start: " + s);
        }
        assertEquals(28, w.batchInEpoch());
    }

    @Test
    void theOrderIsAFunctionOfSeedAndEpoch() {
        var a = windows(42);
        List<Long> first = epoch(a);
        a.nextEpoch();
        assertEquals(1, a.epoch());
        List<Long> second = epoch(a);
        assertNotEquals(first, second);
        var b = windows(42);
        b.setEpoch(1);
        assertEquals(second, epoch(b));
        assertNotEquals(first, epoch(windows(43)));
    }

    @Test
    void skipBatchesResumesTheSameSequence() {
        var a = windows(7);
        a.setEpoch(2);
        a.nextStarts();
        a.nextStarts();
        long[] third = a.nextStarts();
        var b = windows(7);
        b.setEpoch(2);
        b.skipBatches(2);
        assertEquals(2, b.batchInEpoch());
        assertArrayEquals(third, b.nextStarts());
    }
}
