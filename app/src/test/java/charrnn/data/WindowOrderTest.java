package charrnn.data;

import org.junit.jupiter.api.Test;

import java.util.BitSet;

import static org.junit.jupiter.api.Assertions.*;

class WindowOrderTest {

    @Test
    void everyWindowExactlyOnceForAnyCount() {
        for (long n : new long[]{1, 2, 3, 4, 5, 63, 64, 65, 1000, 4097, 100_003}) {
            WindowOrder order = new WindowOrder(n, 42);
            BitSet seen = new BitSet();
            for (long i = 0; i < n; i++) {
                long w = order.at(i);
                assertTrue(w >= 0 && w < n, "window " + w + " of " + n);
                assertFalse(seen.get((int) w), "window " + w + " twice for n = " + n);
                seen.set((int) w);
            }
            assertEquals(n, seen.cardinality());
        }
    }

    @Test
    void sameKeySameOrderOtherKeyOtherOrder() {
        WindowOrder a = new WindowOrder(1000, 7), b = new WindowOrder(1000, 7), c = new WindowOrder(1000, 8);
        int same = 0;
        for (long i = 0; i < 1000; i++) {
            assertEquals(a.at(i), b.at(i));
            same += a.at(i) == c.at(i) ? 1 : 0;
        }
        assertTrue(same < 20, same + " of 1000 positions agree between two keys");
    }

    @Test
    void looksShuffled() {
        // neighbours in the order are rarely neighbours in the corpus, and each half of the order
        // draws from the whole corpus
        long n = 10_000;
        WindowOrder order = new WindowOrder(n, 3);
        int adjacent = 0;
        long firstHalfSum = 0;
        for (long i = 0; i < n; i++) {
            if (i > 0 && Math.abs(order.at(i) - order.at(i - 1)) == 1) {
                adjacent++;
            }
            if (i < n / 2) {
                firstHalfSum += order.at(i);
            }
        }
        assertTrue(adjacent < 20, adjacent + " adjacent pairs");
        double mean = (double) firstHalfSum / (n / 2);
        assertEquals((n - 1) / 2.0, mean, n * 0.02);
    }

    @Test
    void refusesPositionsOutsideTheRange() {
        WindowOrder order = new WindowOrder(10, 1);
        assertThrows(IndexOutOfBoundsException.class, () -> order.at(10));
        assertThrows(IndexOutOfBoundsException.class, () -> order.at(-1));
    }
}
