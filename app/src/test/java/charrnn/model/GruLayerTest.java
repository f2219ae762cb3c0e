package charrnn.model;

import charrnn.cli.Settings;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.distribution.UniformDistribution;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInitDistribution;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The DL4J GRU layer: its gradient against finite differences, its parameter layout, its stored state, its JSON. */
class GruLayerTest {
    private static final int V = 5;
    private static final int H = 4;
    private static final int T = 6;
    private static final int B = 3;

    @TempDir
    Path tmp;

    /** {@code layers} GRU layers of H over V inputs and a softmax output, weights uniform in +-0.5, random biases. */
    private static MultiLayerNetwork net(int layers, DataType type) {
        var list = new NeuralNetConfiguration.Builder().seed(3).dataType(type).updater(new NoOp())
                .weightInit(new WeightInitDistribution(new UniformDistribution(-0.5, 0.5))).list();
        for (int i = 0; i < layers; i++) {
            list.layer(new Gru.Builder().nIn(i == 0 ? V : H).nOut(H).build());
        }
        list.layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                .nIn(H).nOut(V).build());
        MultiLayerNetwork net = new MultiLayerNetwork(list.build());
        net.init();
        Nd4j.getRandom().setSeed(5);
        for (int i = 0; i < layers; i++) {
            net.getLayer(i).getParam("b").assign(Nd4j.rand(type, 1, 4 * H).subi(0.5));
        }
        return net;
    }

    private static INDArray oneHotLabels(DataType type) {
        INDArray labels = Nd4j.zeros(type, B, V, T);
        java.util.Random r = new java.util.Random(9);
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                labels.putScalar(new long[]{b, r.nextInt(V), t}, 1.0);
            }
        }
        return labels;
    }

    /**
     * Every parameter's gradient against central differences of the loss, relative error below 1e-5;
     * differences below 1e-8 pass (the differences' own rounding: a loss near 10 over a step of 1e-6).
     */
    private static boolean gradientCheck(MultiLayerNetwork net, INDArray mask) {
        Nd4j.getRandom().setSeed(7);
        INDArray in = Nd4j.randn(DataType.DOUBLE, B, V, T);
        DataType before = Nd4j.dataType();
        DataType floats = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE); // GradientCheckUtil insists
        try {
            return GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(in)
                    .labels(oneHotLabels(DataType.DOUBLE)).inputMask(mask).labelMask(mask)
                    .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-8).print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
        } finally {
            Nd4j.setDefaultDataTypes(before, floats);
        }
    }

    @Test
    void theGradientOfOneAndOfTwoLayersEqualsCentralDifferences() {
        assertTrue(gradientCheck(net(1, DataType.DOUBLE), null), "1 layer");
        assertTrue(gradientCheck(net(2, DataType.DOUBLE), null), "2 layers");
    }

    /** A feature mask zeroes the output of masked steps (trailing padding: the last window of a span). */
    @Test
    void theGradientWithTrailingPaddingMaskedEqualsCentralDifferences() {
        INDArray mask = Nd4j.ones(DataType.DOUBLE, B, T);
        mask.get(NDArrayIndex.point(1), NDArrayIndex.interval(4, T)).assign(0);
        mask.get(NDArrayIndex.point(2), NDArrayIndex.interval(1, T)).assign(0);
        assertTrue(gradientCheck(net(2, DataType.DOUBLE), mask));
    }

    /** W [nIn, 3H], RW [H, 3H], b [4H], in this order in the flat vector, each in 'f' order: as DL4J's LSTM lays out its own. */
    @Test
    void theParametersAreViewsOfTheFlatVectorInLstmsLayout() {
        MultiLayerNetwork gru = Networks.build(new ModelSpec("gru", 2, H, 0, V), Settings.config().get());
        MultiLayerNetwork lstm = Networks.build(new ModelSpec("lstm", 2, H, 0, V), Settings.config().get());
        assertEquals((V * 3 * H + H * 3 * H + 4 * H) + (H * 3 * H + H * 3 * H + 4 * H) + H * V + V, gru.numParams());
        long offset = 0;
        for (int l = 0; l < 2; l++) {
            long nIn = l == 0 ? V : H;
            assertEquals(java.util.List.of("W", "RW", "b"), java.util.List.copyOf(gru.getLayer(l).paramTable().keySet()));
            assertArrayEquals(new long[]{nIn, 3 * H}, gru.getLayer(l).getParam("W").shape());
            assertArrayEquals(new long[]{H, 3 * H}, gru.getLayer(l).getParam("RW").shape());
            assertEquals(lstm.getLayer(l).getParam("b").rank(), gru.getLayer(l).getParam("b").rank());
            assertEquals(4 * H, gru.getLayer(l).getParam("b").length());
            for (String key : new String[]{"W", "RW", "b"}) {
                INDArray p = gru.getLayer(l).getParam(key);
                INDArray flat = gru.params().reshape(gru.numParams()).get(NDArrayIndex.interval(offset, offset + p.length()));
                assertEquals(flat, Nd4j.toFlattened('f', p).reshape(p.length()), "layer " + l + " " + key);
                offset += p.length();
            }
            assertEquals(0.0, gru.getLayer(l).getParam("b").amaxNumber().doubleValue(), "biases start at zero");
            double w = gru.getLayer(l).getParam("W").amaxNumber().doubleValue();
            assertTrue(w > 0.05 && w <= Networks.INIT_RANGE, "uniform +-0.08: " + w);
        }
        gru.params().assign(Nd4j.linspace(1, gru.numParams(), gru.numParams()).reshape(1, gru.numParams()));
        assertEquals(1.0, gru.getLayer(0).getParam("W").getDouble(0, 0), "the views see the flat vector");
        assertEquals(2.0, gru.getLayer(0).getParam("W").getDouble(1, 0), "'f' order: down the column first");
        // the gradient has the same layout
        INDArray in = Nd4j.rand(DataType.FLOAT, 2, V, T);
        gru.setInput(in);
        gru.setLabels(oneHotLabels(DataType.FLOAT).get(NDArrayIndex.interval(0, 2)));
        gru.computeGradientAndScore();
        assertEquals(gru.gradient().gradientForVariable().get("0_RW"),
                gru.gradient().gradient().reshape(gru.numParams()).get(NDArrayIndex.interval(V * 3 * H,
                        V * 3 * H + H * 3 * H)).reshape('f', H, 3 * H));
        assertNotEquals(lstm.getLayer(0).getClass(), gru.getLayer(0).getClass());
        assertInstanceOf(LSTM.class, lstm.getLayer(0).conf().getLayer());
    }

    /** rnnTimeStep a step at a time, and from a stored state after part of the sequence, equals the whole sequence at once. */
    @Test
    void timeStepsCarryTheStateOfTheWholeSequence() {
        MultiLayerNetwork net = net(2, DataType.FLOAT);
        Nd4j.getRandom().setSeed(8);
        INDArray in = Nd4j.rand(DataType.FLOAT, B, V, T);
        INDArray whole = net.output(in);
        net.rnnClearPreviousState();
        for (int t = 0; t < T; t++) {
            INDArray step = net.rnnTimeStep(in.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(t)));
            assertArrayEquals(new long[]{B, V}, step.shape());
            assertClose(whole.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(t)), step, 1e-6);
        }
        net.rnnClearPreviousState();
        net.rnnTimeStep(in.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 2)));
        assertArrayEquals(new long[]{B, H}, net.rnnGetPreviousState(0).get(GruLayer.STATE_KEY_PREV_ACTIVATION).shape());
        INDArray rest = net.rnnTimeStep(in.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(2, T)));
        assertClose(whole.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(2, T)), rest, 1e-6);
        net.rnnClearPreviousState();
        assertClose(whole, net.rnnTimeStep(in), 1e-6);
    }

    /** DL4J's JSON names the layer class: plain ModelSerializer restores the network, its configuration and its outputs. */
    @Test
    void aSavedGruRestoresWithPlainModelSerializer() throws Exception {
        MultiLayerNetwork net = Networks.build(new ModelSpec("gru", 2, H, 0.25, V), Settings.config().get());
        Path file = tmp.resolve("gru.zip");
        ModelSerializer.writeModel(net, file.toFile(), true);
        MultiLayerNetwork back = ModelSerializer.restoreMultiLayerNetwork(file.toFile());
        assertEquals(net.getLayerWiseConfigurations().toJson(), back.getLayerWiseConfigurations().toJson());
        assertEquals(net.getLayerWiseConfigurations(), back.getLayerWiseConfigurations());
        assertInstanceOf(Gru.class, back.getLayer(1).conf().getLayer());
        assertEquals(0.75, back.getLayer(1).conf().getLayer().getIDropout() == null ? 1
                : ((org.deeplearning4j.nn.conf.dropout.Dropout) back.getLayer(1).conf().getLayer().getIDropout()).getP());
        assertEquals(net.params(), back.params());
        INDArray in = Nd4j.rand(DataType.FLOAT, B, V, T);
        assertEquals(net.output(in), back.output(in));
    }

    static void assertClose(INDArray expected, INDArray actual, double tolerance) {
        assertArrayEquals(expected.shape(), actual.shape());
        double diff = expected.castTo(DataType.DOUBLE).sub(actual.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        assertTrue(diff < tolerance, "max abs difference " + diff);
    }
}
