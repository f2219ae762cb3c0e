package charrnn.data;

/**
 * A pseudo-random order of the window numbers {@code [0, n)}, different for every key, computed
 * position by position in constant memory: a shuffled array of a 1 GB corpus's windows would be
 * 9 million longs (72 MB), and training memory must not grow with the corpus.
 *
 * <p>A four-round Feistel network permutes the integers of the smallest even bit width that covers
 * {@code n}; values outside {@code [0, n)} are mapped again ("cycle walking"), which keeps the
 * map a bijection on {@code [0, n)} and costs at most four rounds on average (the domain is less
 * than four times {@code n}).
 */
final class WindowOrder {
    private static final int ROUNDS = 4;

    private final long n;
    private final int half;      // bits per half
    private final long mask;     // half-width mask
    private final long[] keys = new long[ROUNDS];

    WindowOrder(long n, long key) {
        if (n < 0) {
            throw new IllegalArgumentException("negative window count");
        }
        this.n = n;
        int bits = Math.max(2, 64 - Long.numberOfLeadingZeros(Math.max(1, n - 1)));
        bits += bits & 1;
        this.half = bits / 2;
        this.mask = (1L << half) - 1;
        long k = key;
        for (int r = 0; r < ROUNDS; r++) {
            k = mix(k + 0x9E3779B97F4A7C15L);
            keys[r] = k;
        }
    }

    /** The window at position {@code i} of the order, for {@code 0 <= i < n}. */
    long at(long i) {
        if (i < 0 || i >= n) {
            throw new IndexOutOfBoundsException("position " + i + " of " + n);
        }
        long x = i;
        do {
            x = permute(x);
        } while (x >= n);
        return x;
    }

    private long permute(long x) {
        long left = x >>> half;
        long right = x & mask;
        for (int r = 0; r < ROUNDS; r++) {
            long next = left ^ (mix(right ^ keys[r]) & mask);
            left = right;
            right = next;
        }
        return (left << half) | right;
    }

    /** A 64-bit finaliser (the MurmurHash3 / SplitMix64 kind): every input bit affects every output bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
