package charrnn.corpus;

import charrnn.RnnException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The character lookup table: Unicode code points sorted ascending, so the index of a symbol is
 * stable across runs and machines. A code point above U+FFFF is one symbol, never two surrogates.
 */
public final class Vocabulary {
    private final int[] codePoints;
    private final long[] counts;
    private final Map<Integer, Integer> index;

    public Vocabulary(int[] codePoints, long[] counts) {
        if (codePoints.length != counts.length) {
            throw new IllegalArgumentException("codePoints and counts differ in length");
        }
        for (int i = 1; i < codePoints.length; i++) {
            if (codePoints[i] <= codePoints[i - 1]) {
                throw new IllegalArgumentException("code points must be strictly ascending");
            }
        }
        this.codePoints = codePoints.clone();
        this.counts = counts.clone();
        this.index = new HashMap<>(codePoints.length * 2);
        for (int i = 0; i < codePoints.length; i++) {
            index.put(codePoints[i], i);
        }
    }

    /** Builds a vocabulary from a histogram of code points (code point -> count). */
    public static Vocabulary fromCounts(Map<Integer, Long> histogram) {
        int[] cps = histogram.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
        long[] cnt = new long[cps.length];
        for (int i = 0; i < cps.length; i++) {
            cnt[i] = histogram.get(cps[i]);
        }
        return new Vocabulary(cps, cnt);
    }

    public int size() {
        return codePoints.length;
    }

    public int codePoint(int id) {
        return codePoints[id];
    }

    public long count(int id) {
        return counts[id];
    }

    /** The id of a code point, or -1 when it is not in the vocabulary. */
    public int id(int codePoint) {
        Integer i = index.get(codePoint);
        return i == null ? -1 : i;
    }

    public boolean contains(int codePoint) {
        return index.containsKey(codePoint);
    }

    /** Encodes text; throws bad data naming the unknown characters and their positions. */
    public int[] encode(String text) {
        List<String> unknown = new ArrayList<>();
        int[] ids = encodeKnown(text, unknown);
        if (!unknown.isEmpty()) {
            throw RnnException.badData("characters not in the model's vocabulary: "
                    + String.join(", ", unknown.subList(0, Math.min(10, unknown.size()))));
        }
        return ids;
    }

    /** Encodes the characters of {@code text} that are in the vocabulary; adds "'x' (U+0078) at i" for each other one to {@code unknown}. */
    public int[] encodeKnown(String text, List<String> unknown) {
        int[] cps = text.codePoints().toArray();
        int[] ids = new int[cps.length];
        int n = 0;
        for (int i = 0; i < cps.length; i++) {
            int id = id(cps[i]);
            if (id >= 0) {
                ids[n++] = id;
            } else {
                unknown.add(describe(cps[i]) + " at " + i);
            }
        }
        return Arrays.copyOf(ids, n);
    }

    public String decode(int id) {
        return new String(Character.toChars(codePoints[id]));
    }

    public int[] codePoints() {
        return codePoints.clone();
    }

    /** A readable name for a code point: the character itself, or U+XXXX for invisible ones. */
    public static String describe(int cp) {
        String hex = String.format("U+%04X", cp);
        if (cp == '\n') {
            return "'\\n' (" + hex + ")";
        }
        if (cp == '\r') {
            return "'\\r' (" + hex + ")";
        }
        if (cp == ' ') {
            return "' ' (" + hex + ")";
        }
        if (cp == '\t') {
            return "'\\t' (" + hex + ")";
        }
        if (Character.isISOControl(cp) || Character.getType(cp) == Character.FORMAT
                || Character.isWhitespace(cp)) {
            return hex;
        }
        return "'" + new String(Character.toChars(cp)) + "' (" + hex + ")";
    }

    public ObjectNode toJson(ObjectMapper mapper) {
        ObjectNode root = mapper.createObjectNode();
        root.put("size", size());
        ArrayNode arr = root.putArray("symbols");
        for (int i = 0; i < codePoints.length; i++) {
            ObjectNode s = arr.addObject();
            s.put("id", i);
            s.put("codePoint", codePoints[i]);
            s.put("char", new String(Character.toChars(codePoints[i])));
            s.put("count", counts[i]);
        }
        return root;
    }

    public static Vocabulary fromJson(JsonNode root) {
        JsonNode arr = root.get("symbols");
        if (arr == null || !arr.isArray()) {
            throw new IllegalArgumentException("vocabulary has no 'symbols' array");
        }
        int[] cps = new int[arr.size()];
        long[] cnt = new long[arr.size()];
        for (int i = 0; i < cps.length; i++) {
            JsonNode s = arr.get(i);
            cps[i] = s.get("codePoint").asInt();
            cnt[i] = s.path("count").asLong(0);
        }
        return new Vocabulary(cps, cnt);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Vocabulary v && Arrays.equals(codePoints, v.codePoints);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(codePoints);
    }
}
