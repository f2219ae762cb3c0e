package charrnn.engine;

import charrnn.cli.Settings;
import charrnn.corpus.PreparedCorpus;
import charrnn.model.ModelSpec;
import charrnn.model.Networks;
import charrnn.model.Hyperparameters;
import charrnn.train.TinyCorpus;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The fast engine computes what DL4J's own network computes; the optimizer step is DL4J's fit. */
class EngineTest {
    @TempDir
    Path tmp;

    static final int T = 12;
    static final int B = 5;
    static final long[] STARTS = {0, 13, 40, 77, 120};

    private static DataSet oneHot(PreparedCorpus c, long[] starts) {
        int v = c.vocabulary().size();
        INDArray f = Nd4j.create(DataType.FLOAT, new long[]{starts.length, v, T}, 'f');
        INDArray l = Nd4j.create(DataType.FLOAT, new long[]{starts.length, v, T}, 'f');
        for (int i = 0; i < starts.length; i++) {
            for (int t = 0; t < T; t++) {
                f.putScalar(new long[]{i, c.id(starts[i] + t), t}, 1f);
                l.putScalar(new long[]{i, c.id(starts[i] + t + 1), t}, 1f);
            }
        }
        return new DataSet(f, l);
    }

    private static double maxRelDiff(INDArray a, INDArray b) {
        double scale = Math.max(a.amaxNumber().doubleValue(), 1e-6);
        return a.reshape(a.length()).sub(b.reshape(b.length())).amaxNumber().doubleValue() / scale;
    }

    private static MultiLayerNetwork perturbed(ModelSpec spec, Hyperparameters config) {
        MultiLayerNetwork net = Networks.build(spec, config);
        // away from the symmetric initial point, so every gate matters
        Nd4j.getRandom().setSeed(5);
        net.params().addi(Nd4j.rand(DataType.FLOAT, net.params().shape()).subi(0.5).muli(0.4));
        return net;
    }

    private static Engine engine(Engine.Kind kind, MultiLayerNetwork net, ModelSpec spec) {
        return Engine.create(kind, net, spec, B, T);
    }

    /**
     * Each cell the fast engine runs, against DL4J's LSTM and the project's GRU layer. Hidden 3: the
     * vocabulary is larger than the 4H gate rows (a bias-gradient buffer was sized by 4H).
     */
    @ParameterizedTest
    @CsvSource({"lstm, 16", "lstm, 3", "gru, 16", "gru, 3", "rnn, 16", "rnn, 3"})
    void fastGradientSumsAndLossEqualDl4js(String cell, int hidden) throws IOException {
        PreparedCorpus c = TinyCorpus.prepared(tmp);
        int v = c.vocabulary().size();
        if (hidden == 3) {
            assertTrue(v > 4 * hidden, "vocabulary " + v);
        }
        var spec = new ModelSpec(cell, 2, hidden, 0, v);
        MultiLayerNetwork net = perturbed(spec, Settings.config().withWindows(T, B).withConstantRate("adam", 1e-2).withClip(0).withRandomSeed(11).get());
        DataSet ds = oneHot(c, STARTS);
        net.setInput(ds.getFeatures());
        net.setLabels(ds.getLabels());
        net.computeGradientAndScore();
        INDArray expected = net.gradient().gradient().dup();
        double loss = net.score() * B;

        Engine fast = engine(Engine.Kind.fast, net, spec);
        assertEquals(loss, fast.gradientSums(c, STARTS, 0), 1e-3);
        assertTrue(maxRelDiff(expected, fast.gradient()) < 1e-3, "max relative difference "
                + maxRelDiff(expected, fast.gradient()));

        Engine dl4j = engine(Engine.Kind.dl4j, net, spec);
        assertEquals(loss, dl4j.gradientSums(c, STARTS, 0), 1e-4);
        assertEquals(0, maxRelDiff(expected, dl4j.gradient()), 1e-6);
    }

    /**
     * What a share of a batch computed apart must satisfy: the shares' sums add up to the batch's.
     * With dropout too on the fast engine, whose masks for a window come from the step's seed and the
     * window's number in the step (a cluster's executors compute shares); DL4J's engine draws them
     * for the call's whole batch, so it is checked without.
     */
    @ParameterizedTest
    @CsvSource({"lstm, fast, 0.5", "gru, fast, 0.5", "rnn, fast, 0.5", "lstm, dl4j, 0", "gru, dl4j, 0", "rnn, dl4j, 0"})
    void gradientSumsOfSharesAddUpToTheBatchs(String cell, Engine.Kind kind, double dropout) throws IOException {
        PreparedCorpus c = TinyCorpus.prepared(tmp);
        var spec = new ModelSpec(cell, 2, 16, dropout, c.vocabulary().size());
        MultiLayerNetwork net = perturbed(spec, Settings.config().withWindows(T, B).withConstantRate("adam", 1e-2).withClip(0).withRandomSeed(11).get());
        Engine e = engine(kind, net, spec);
        double whole = e.gradientSums(c, STARTS, 99);
        INDArray all = e.gradient().dup();
        double first = e.gradientSums(c, new long[]{0, 13}, 99, 0, null);
        INDArray sum = e.gradient().dup();
        double rest = e.gradientSums(c, new long[]{40, 77, 120}, 99, 2, null);
        sum.addi(e.gradient());
        assertEquals(whole, first + rest, 1e-3);
        assertTrue(maxRelDiff(all, sum) < 1e-4, "max relative difference " + maxRelDiff(all, sum));
        if (dropout > 0) {
            assertNotEquals(rest, e.gradientSums(c, new long[]{40, 77, 120}, 99, 0, null), 1e-6,
                    "the masks depend on the window's number in the step");
            assertNotEquals(whole, e.gradientSums(c, STARTS, 100), 1e-6, "and on the step's seed");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"lstm", "gru", "rnn"})
    void anAdamStepWithClippingEqualsDl4jFitOnBothEngines(String cell) throws IOException {
        PreparedCorpus c = TinyCorpus.prepared(tmp);
        var spec = new ModelSpec(cell, 2, 16, 0, c.vocabulary().size());
        var config = Settings.config().withWindows(T, B).withConstantRate("adam", 1e-2).withClip(0.05).withRandomSeed(3).get();
        long[][] batches = {STARTS, {5, 18, 45, 82, 125}, {1, 2, 3, 4, 200}};
        for (Engine.Kind kind : new Engine.Kind[]{Engine.Kind.fast, Engine.Kind.dl4j}) {
            MultiLayerNetwork a = Networks.build(spec, config);
            MultiLayerNetwork b = Networks.build(spec, config);
            assertEquals(a.params(), b.params());
            Engine e = engine(kind, b, spec);
            ParameterUpdate o = new ParameterUpdate(b, config.clip());
            e.gradientSums(c, STARTS, 0);
            assertTrue(e.gradient().amaxNumber().doubleValue() / B > config.clip(), "the clip must bite");
            for (long[] starts : batches) {
                a.fit(oneHot(c, starts));
                e.gradientSums(c, starts, 0);
                o.apply(e.gradient(), starts.length, config.lr());
            }
            assertEquals(3, b.getLayerWiseConfigurations().getIterationCount());
            assertEquals(a.getLayerWiseConfigurations().getIterationCount(), b.getLayerWiseConfigurations().getIterationCount());
            assertTrue(maxRelDiff(a.params(), b.params()) < 1e-3, kind + ": params differ by " + maxRelDiff(a.params(), b.params()));
            assertTrue(maxRelDiff(a.getUpdater().getStateViewArray(), b.getUpdater().getStateViewArray()) < 1e-3, kind.name());
        }
    }

    @Test
    void anRmspropStepEqualsDl4jFit() throws IOException {
        PreparedCorpus c = TinyCorpus.prepared(tmp);
        var spec = new ModelSpec("lstm", 1, 12, 0, c.vocabulary().size());
        var config = Settings.config().withWindows(T, B).withConstantRate("rmsprop", 2e-3).withRandomSeed(3).get();
        MultiLayerNetwork a = Networks.build(spec, config);
        MultiLayerNetwork b = Networks.build(spec, config);
        Engine e = engine(Engine.Kind.fast, b, spec);
        a.fit(oneHot(c, STARTS));
        e.gradientSums(c, STARTS, 0);
        new ParameterUpdate(b, config.clip()).apply(e.gradient(), B, config.lr());
        assertTrue(maxRelDiff(a.params(), b.params()) < 1e-3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"lstm", "gru", "rnn"})
    void scoringEqualsOnBothEnginesWithAShortTailAndAPartialBatch(String cell) throws IOException {
        PreparedCorpus c = TinyCorpus.prepared(tmp);
        var spec = new ModelSpec(cell, 2, 16, 0.3, c.vocabulary().size());
        MultiLayerNetwork net = perturbed(spec, Settings.config().withWindows(T, B).withConstantRate("adam", 1e-2).withRandomSeed(3).get());
        // 23 windows of 12 (the last one 7 long) in batches of 5: a partial batch and a masked tail
        long length = 22L * T + 7 + 1;
        var fast = engine(Engine.Kind.fast, net, spec).score(c, c.valStart() - 300, length);
        var dl4j = engine(Engine.Kind.dl4j, net, spec).score(c, c.valStart() - 300, length);
        assertEquals(22L * T + 7, fast.characters());
        assertEquals(dl4j.characters(), fast.characters());
        assertEquals(dl4j.nats(), fast.nats(), 1e-5);
        // the same as DL4J's own score of the full windows (sum over time, mean over windows)
        var full = engine(Engine.Kind.fast, net, spec).score(c, 0, (long) B * T + 1);
        DataSet ds = oneHot(c, new long[]{0, T, 2 * T, 3 * T, 4 * T});
        assertEquals(net.score(ds, false) / T, full.nats(), 1e-4);
    }

    @Test
    void aNonFiniteNetworkScoresNaN() throws IOException {
        PreparedCorpus c = TinyCorpus.prepared(tmp);
        var spec = new ModelSpec("lstm", 1, 8, 0, c.vocabulary().size());
        MultiLayerNetwork net = Networks.build(spec, Settings.config().withWindows(T, B).withConstantRate("adam", 1e-2).withRandomSeed(3).get());
        net.params().assign(Double.NaN);
        for (Engine.Kind kind : new Engine.Kind[]{Engine.Kind.fast, Engine.Kind.dl4j}) {
            assertTrue(Double.isNaN(engine(kind, net, spec).score(c, 0, 100).nats()), kind.name());
            assertTrue(Double.isNaN(engine(kind, net, spec).gradientSums(c, STARTS, 0)), kind.name());
        }
    }

    @Test
    void kindsResolveByBackendAndCell() {
        assertEquals(Engine.Kind.fast, Engine.Kind.auto.resolve("cpu"));
        assertEquals(Engine.Kind.fast, Engine.Kind.auto.resolve("cpu"));
        assertEquals(Engine.Kind.dl4j, Engine.Kind.auto.resolve("cuda"));
        assertEquals(Engine.Kind.dl4j, Engine.Kind.auto.resolve("cuda"));
        assertEquals(Engine.Kind.fast, Engine.Kind.auto.resolve("cpu"));
        assertEquals(Engine.Kind.fast, Engine.Kind.fast.resolve("cpu"));
        assertEquals(Engine.Kind.dl4j, Engine.Kind.dl4j.resolve("cpu"));
        assertEquals(Engine.Kind.dl4j, Engine.Kind.auto.resolve("cuda"));
        assertEquals(Engine.Kind.dl4j, Engine.Kind.dl4j.resolve("cpu"));
        var e = assertThrows(charrnn.RnnException.class, () -> Engine.Kind.fast.resolve("cuda"));
        assertEquals(charrnn.ExitCodes.USAGE, e.exitCode());
        assertEquals(Engine.Kind.fast, Engine.Kind.fast.resolve("cpu"));
        assertEquals(Engine.Kind.dl4j, Engine.Kind.dl4j.resolve("cpu"));
    }

    @Test
    void aModelTooLargeForTheHeapIsAUsageErrorNotACrash() throws IOException {
        PreparedCorpus c = TinyCorpus.prepared(tmp);
        int v = c.vocabulary().size();
        var spec = new ModelSpec("lstm", 2, 16, 0, v);
        MultiLayerNetwork net = Networks.build(spec, Settings.config().withWindows(T, B).withConstantRate("adam", 1e-2).withClip(0).withRandomSeed(11).get());
        int steps = (int) Math.min(Integer.MAX_VALUE / 64, Runtime.getRuntime().maxMemory() / (6L * 2 * 16 * 64 * 4) * 2);
        var e = assertThrows(charrnn.RnnException.class, () -> Engine.create(Engine.Kind.fast, net, spec, 64, steps));
        assertEquals(charrnn.ExitCodes.USAGE, e.exitCode());
        assertTrue(e.getMessage().contains("RNN_JAVA_OPTS=-Xmx") && e.getMessage().contains("--seq-length " + steps),
                e.getMessage());
    }
}
