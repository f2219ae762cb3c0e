package charrnn.corpus;

/** A sequence of vocabulary ids: a prepared corpus on disk, or an encoded text in memory. */
public interface IdSequence {
    int id(long i);

    long length();

    /**
     * Copies ids {@code [from, from + len)} into {@code dst} from {@code off}: training reads its
     * windows this way, and a prepared corpus serves it with one positional read of the file instead
     * of its memory map, so the training process's resident memory does not grow with the pages of
     * a large corpus it has visited (the kernel's page cache keeps them, outside the process).
     */
    default void read(long from, int[] dst, int off, int len) {
        for (int k = 0; k < len; k++) {
            dst[off + k] = id(from + k);
        }
    }
}
