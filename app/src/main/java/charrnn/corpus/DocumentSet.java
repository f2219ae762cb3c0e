package charrnn.corpus;

import java.util.HashSet;
import java.util.Set;

/**
 * The documents of a prepared corpus, as 64-bit hashes of their text (the boundary left out), for
 * {@code rnn sample --document --novel}: memory is 8 bytes a document, not its text.
 */
public final class DocumentSet {
    private final Set<Long> hashes = new HashSet<>();

    private DocumentSet() {
    }

    /** The documents of {@code c}, cut at {@code boundary} (a code point of its vocabulary). */
    public static DocumentSet of(PreparedCorpus c, int boundary) {
        DocumentSet set = new DocumentSet();
        int end = c.vocabulary().id(boundary);
        long h = FNV_OFFSET;
        boolean empty = true;
        for (long i = 0; i < c.length(); i++) {
            int id = c.id(i);
            if (id == end) {
                if (!empty) {
                    set.hashes.add(h);
                }
                h = FNV_OFFSET;
                empty = true;
            } else {
                h = mix(h, c.vocabulary().codePoint(id));
                empty = false;
            }
        }
        if (!empty) {
            set.hashes.add(h);
        }
        return set;
    }

    public boolean contains(String text) {
        long h = FNV_OFFSET;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            h = mix(h, cp);
            i += Character.charCount(cp);
        }
        return hashes.contains(h);
    }

    public int size() {
        return hashes.size();
    }

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;

    /** FNV-1a over the code point's four bytes. */
    private static long mix(long h, int cp) {
        for (int s = 0; s < 32; s += 8) {
            h = (h ^ ((cp >>> s) & 0xFF)) * 0x100000001b3L;
        }
        return h;
    }
}
