package charrnn.data;

import charrnn.corpus.PrepareOptions;
import charrnn.corpus.PreparedCorpus;
import charrnn.corpus.Preparer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class OneHotWindowsTest {
    @TempDir
    Path tmp;
    PreparedCorpus corpus;
    int[] ids;

    @BeforeEach
    void setUp() throws IOException {
        Path f = tmp.resolve("c.txt");
        // random text: every window is distinct, so a window can be recognised by its content
        var r = new java.util.Random(1);
        String alphabet = "abcdefghij 😀\n";
        int[] cps = alphabet.codePoints().toArray();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            sb.appendCodePoint(cps[r.nextInt(cps.length)]);
        }
        Files.writeString(f, sb.toString());
        new Preparer(PrepareOptions.defaults().withValFraction(0.2), m -> { }, null).prepare(f, tmp.resolve("p"), false);
        corpus = PreparedCorpus.open(tmp.resolve("p"));
        ids = new int[(int) corpus.length()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = corpus.id(i);
        }
    }

    /** The naive construction: a window starting at {@code s} of length {@code t}, one-hot element by element. */
    private void assertWindow(DataSet ds, int row, long s, int steps) {
        INDArray f = ds.getFeatures();
        INDArray l = ds.getLabels();
        int v = corpus.vocabulary().size();
        for (int t = 0; t < f.size(2); t++) {
            for (int k = 0; k < v; k++) {
                float ef = t < steps && ids[(int) s + t] == k ? 1f : 0f;
                float el = t < steps && ids[(int) s + t + 1] == k ? 1f : 0f;
                assertEquals(ef, f.getFloat(row, k, t), "feature row " + row + " t " + t + " k " + k);
                assertEquals(el, l.getFloat(row, k, t), "label row " + row + " t " + t + " k " + k);
            }
        }
    }

    @Test
    void trainingWindowsMatchNaiveConstructionAndCoverEachWindowOnce() {
        int seq = 10;
        int batch = 4;
        var it = new OneHotWindows(corpus, corpus.trainStart(), corpus.trainLength(), seq, batch, true, 42);
        long full = (corpus.trainLength() - 1) / seq;
        assertEquals(full / batch, it.batchesPerEpoch());
        assertArrayEquals(new long[]{batch, corpus.vocabulary().size(), seq}, it.next().getFeatures().shape());
        it.setEpoch(0);
        Set<Long> starts = new HashSet<>();
        List<Long> order = new ArrayList<>();
        while (it.hasNext()) {
            DataSet ds = it.next();
            assertNull(ds.getFeaturesMaskArray());
            for (int r = 0; r < batch; r++) {
                // recover the window start from the first feature and check it fully
                long s = findStart(ds, r, seq);
                assertWindow(ds, r, s, seq);
                assertTrue(starts.add(s), "window " + s + " twice in one epoch");
                order.add(s);
            }
        }
        assertEquals(full / batch * batch, starts.size());
        // deterministic for a seed and epoch, different for the next epoch
        var again = new OneHotWindows(corpus, corpus.trainStart(), corpus.trainLength(), seq, batch, true, 42);
        List<Long> order2 = new ArrayList<>();
        while (again.hasNext()) {
            DataSet ds = again.next();
            for (int r = 0; r < batch; r++) {
                order2.add(findStart(ds, r, seq));
            }
        }
        assertEquals(order, order2);
        again.reset();
        assertEquals(1, again.epoch());
        List<Long> order3 = new ArrayList<>();
        while (again.hasNext()) {
            DataSet ds = again.next();
            for (int r = 0; r < batch; r++) {
                order3.add(findStart(ds, r, seq));
            }
        }
        assertNotEquals(order, order3);
    }

    @Test
    void skipBatchesResumesTheSameSequence() {
        var a = new OneHotWindows(corpus, 0, corpus.trainLength(), 8, 3, true, 7);
        a.setEpoch(2);
        a.next();
        a.next();
        INDArray third = a.next().getFeatures().dup();
        var b = new OneHotWindows(corpus, 0, corpus.trainLength(), 8, 3, true, 7);
        b.setEpoch(2);
        b.skipBatches(2);
        assertEquals(third, b.next().getFeatures());
    }

    @Test
    void evaluationCoversEveryTransitionWithAMaskedTail() {
        int seq = 7;
        var it = new OneHotWindows(corpus, corpus.valStart(), corpus.valLength(), seq, 5, false, 0);
        long transitions = corpus.valLength() - 1;
        long covered = 0;
        int w = 0;
        while (it.hasNext()) {
            DataSet ds = it.next();
            for (int r = 0; r < ds.getFeatures().size(0); r++, w++) {
                long s = corpus.valStart() + (long) w * seq;
                int steps = (int) Math.min(seq, transitions - (long) w * seq);
                assertWindow(ds, r, s, steps);
                covered += steps;
                if (ds.getLabelsMaskArray() != null) {
                    for (int t = 0; t < seq; t++) {
                        assertEquals(t < steps ? 1f : 0f, ds.getLabelsMaskArray().getFloat(r, t));
                    }
                } else {
                    assertEquals(seq, steps);
                }
            }
        }
        assertEquals(transitions, covered);
        assertEquals(it.charactersPerEpoch(), covered);
    }

    private long findStart(DataSet ds, int row, int seq) {
        int v = corpus.vocabulary().size();
        // candidates: every window start k*seq whose ids match the features of this row
        long full = (corpus.trainLength() - 1) / seq;
        outer:
        for (long k = 0; k < full; k++) {
            long s = corpus.trainStart() + k * seq;
            for (int t = 0; t < seq; t++) {
                if (ds.getFeatures().getFloat(row, ids[(int) s + t], t) != 1f) {
                    continue outer;
                }
                if (ds.getLabels().getFloat(row, ids[(int) s + t + 1], t) != 1f) {
                    continue outer;
                }
            }
            return s;
        }
        fail("row " + row + " matches no window (vocab " + v + ")");
        return -1;
    }
}
