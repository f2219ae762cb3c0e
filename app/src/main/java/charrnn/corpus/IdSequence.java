package charrnn.corpus;

/** A sequence of vocabulary ids: a prepared corpus on disk, or an encoded text in memory. */
public interface IdSequence {
    int id(long i);

    long length();

    static IdSequence of(int[] ids) {
        return new IdSequence() {
            @Override
            public int id(long i) {
                return ids[(int) i];
            }

            @Override
            public long length() {
                return ids.length;
            }
        };
    }
}
