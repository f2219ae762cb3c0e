package charrnn.corpus;

/** Byte progress of a pass over a file, called after each chunk. */
@FunctionalInterface
public interface ProgressListener {
    void bytesDone(long done, long total);
}
