package charrnn.train;

import charrnn.corpus.PreparedCorpus;
import charrnn.model.ModelSpec;
import charrnn.model.Networks;
import charrnn.model.TrainConfig;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The fast training step must compute what DL4J's own LSTM network computes. */
class FastLstmTest {
    @TempDir
    Path tmp;

    static final int T = 12;
    static final int B = 5;

    private static DataSet dl4jBatch(PreparedCorpus c, long[] starts) {
        int v = c.vocabulary().size();
        INDArray f = Nd4j.create(DataType.FLOAT, new long[]{B, v, T}, 'f');
        INDArray l = Nd4j.create(DataType.FLOAT, new long[]{B, v, T}, 'f');
        for (int i = 0; i < B; i++) {
            for (int t = 0; t < T; t++) {
                f.putScalar(new long[]{i, c.id(starts[i] + t), t}, 1f);
                l.putScalar(new long[]{i, c.id(starts[i] + t + 1), t}, 1f);
            }
        }
        return new DataSet(f, l);
    }

    private static double maxRelDiff(INDArray a, INDArray b) {
        double scale = Math.max(a.amaxNumber().doubleValue(), 1e-6);
        return a.sub(b).amaxNumber().doubleValue() / scale;
    }

    /** Hidden 3: the vocabulary is larger than the 4H gate rows (a bias-gradient buffer was sized by 4H). */
    @ParameterizedTest
    @ValueSource(ints = {16, 3})
    void gradientAndLossEqualDl4j(int hidden) throws IOException {
        PreparedCorpus c = TinyCorpus.prepared(tmp);
        int v = c.vocabulary().size();
        if (hidden == 3) {
            assertTrue(v > 4 * hidden, "vocabulary " + v);
        }
        var spec = new ModelSpec("lstm", 2, hidden, 0, v);
        var config = new TrainConfig(T, B, "adam", 1e-2, 1, 0, 0, 11);
        MultiLayerNetwork net = Networks.build(spec, config);
        // move away from the symmetric initial point so every gate matters
        net.params().addi(Nd4j.rand(DataType.FLOAT, net.params().shape()).subi(0.5).muli(0.4));
        long[] starts = {0, 13, 40, 77, 120};
        DataSet ds = dl4jBatch(c, starts);
        net.setInput(ds.getFeatures());
        net.setLabels(ds.getLabels());
        net.computeGradientAndScore();
        // DL4J's raw gradient is summed over the batch; its updater divides it by the batch size
        // before clipping and the optimizer. The fast step produces the divided gradient directly.
        INDArray expected = net.gradient().gradient().dup().divi(B);
        double score = net.score();

        FastLstm fast = new FastLstm(net, 2, hidden, v, B, T, 0, 0);
        double loss = fast.forwardBackward(c, starts, 0);
        assertEquals(score / T, loss, 1e-4);
        INDArray got = fast.gradient().reshape(expected.shape());
        long off = 0;
        StringBuilder report = new StringBuilder();
        for (String key : net.paramTable().keySet()) {
            long n = net.paramTable().get(key).length();
            INDArray e = expected.reshape(expected.length()).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(off, off + n));
            INDArray g = got.reshape(got.length()).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(off, off + n));
            report.append(key).append(": ").append(maxRelDiff(e, g)).append("; ");
            off += n;
        }
        assertTrue(maxRelDiff(expected, got) < 1e-3, "max relative difference " + maxRelDiff(expected, got) + " " + report);
    }

    @Test
    void aStepWithAdamAndClippingEqualsDl4jFit() throws IOException {
        PreparedCorpus c = TinyCorpus.prepared(tmp);
        int v = c.vocabulary().size();
        var spec = new ModelSpec("lstm", 2, 16, 0, v);
        var config = new TrainConfig(T, B, "adam", 1e-2, 1, 0, 0.05, 3);
        MultiLayerNetwork a = Networks.build(spec, config);
        MultiLayerNetwork b = Networks.build(spec, config);
        assertEquals(a.params(), b.params());
        FastLstm fast = new FastLstm(b, 2, 16, v, B, T, 0, 0.05);
        long[][] batches = {{0, 13, 40, 77, 120}, {5, 18, 45, 82, 125}, {1, 2, 3, 4, 200}};
        for (long[] starts : batches) {
            a.fit(dl4jBatch(c, starts));
            fast.fit(c, starts, 0);
        }
        assertEquals(a.getLayerWiseConfigurations().getIterationCount(), b.getLayerWiseConfigurations().getIterationCount());
        assertTrue(maxRelDiff(a.params(), b.params()) < 1e-3, "params differ by " + maxRelDiff(a.params(), b.params()));
        assertTrue(maxRelDiff(a.getUpdater().getStateViewArray(), b.getUpdater().getStateViewArray()) < 1e-3);
    }

    @Test
    void evaluationEqualsDl4jEvaluationWithShortTailAndPartialBatch() throws IOException {
        PreparedCorpus c = TinyCorpus.prepared(tmp);
        int v = c.vocabulary().size();
        var spec = new ModelSpec("lstm", 2, 16, 0.3, v);
        var config = new TrainConfig(T, B, "adam", 1e-2, 1, 0, 5, 3);
        MultiLayerNetwork net = Networks.build(spec, config);
        FastLstm fast = new FastLstm(net, 2, 16, v, B, T, 0.3, 5);
        for (int i = 0; i < 5; i++) {
            fast.fit(c, new long[]{i, 13 + i, 40, 77, 120}, i);
        }
        // 23 windows of 12 (the last one short) in batches of 5: a partial batch and a masked tail
        long length = 22L * T + 7 + 1;
        var expected = Evaluator.evaluate(net, new charrnn.data.OneHotWindows(c, c.valStart() - 300, length, T, B, false, 0));
        var got = fast.evaluate(c, c.valStart() - 300, length);
        assertEquals(expected.characters(), got.characters());
        assertEquals(22L * T + 7, got.characters());
        assertEquals(expected.nats(), got.nats(), 1e-5);
    }

    @Test
    void rmspropStepEqualsDl4jFit() throws IOException {
        PreparedCorpus c = TinyCorpus.prepared(tmp);
        int v = c.vocabulary().size();
        var spec = new ModelSpec("lstm", 1, 12, 0, v);
        var config = new TrainConfig(T, B, "rmsprop", 2e-3, 1, 0, 5, 3);
        MultiLayerNetwork a = Networks.build(spec, config);
        MultiLayerNetwork b = Networks.build(spec, config);
        FastLstm fast = new FastLstm(b, 1, 12, v, B, T, 0, 5);
        long[] starts = {0, 13, 40, 77, 120};
        a.fit(dl4jBatch(c, starts));
        fast.fit(c, starts, 0);
        assertTrue(maxRelDiff(a.params(), b.params()) < 1e-3);
    }

    @Test
    void aModelTooLargeForTheHeapIsAUsageErrorNotACrash() throws IOException {
        PreparedCorpus c = TinyCorpus.prepared(tmp);
        int v = c.vocabulary().size();
        var spec = new ModelSpec("lstm", 2, 16, 0, v);
        var config = new TrainConfig(T, B, "adam", 1e-2, 1, 0, 0, 11);
        MultiLayerNetwork net = Networks.build(spec, config);
        int steps = (int) Math.min(Integer.MAX_VALUE / 64, Runtime.getRuntime().maxMemory() / (6L * 2 * 16 * 64 * 4) * 2);
        var e = assertThrows(charrnn.RnnException.class, () -> FastLstm.create(net, 2, 16, v, 64, steps, 0, 0));
        assertEquals(charrnn.ExitCodes.USAGE, e.exitCode());
        assertTrue(e.getMessage().contains("RNN_JAVA_OPTS=-Xmx") && e.getMessage().contains("--seq-length " + steps),
                e.getMessage());
    }
}
