package charrnn.engine;

import charrnn.cli.Settings;
import charrnn.model.RecurrentState;
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
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Stateful windows (char-rnn's streams): a window continues where the one before it ended. */
class CarriedStateTest {
    @TempDir
    Path tmp;

    static final int T = 12;
    static final int B = 5;
    static final long[] STARTS = {0, 30, 61, 100, 151};

    private static MultiLayerNetwork perturbed(ModelSpec spec) {
        MultiLayerNetwork net = Networks.build(spec, Settings.config().withWindows(T, B)
                .withConstantRate("adam", 1e-2).withClip(0).withRandomSeed(11).get());
        Nd4j.getRandom().setSeed(5);
        net.params().addi(Nd4j.rand(DataType.FLOAT, net.params().shape()).subi(0.5).muli(0.4));
        return net;
    }

    private static long[] plus(long[] a, long d) {
        long[] r = a.clone();
        for (int i = 0; i < r.length; i++) {
            r[i] += d;
        }
        return r;
    }

    private static int[] full(int n, int steps) {
        int[] l = new int[n];
        java.util.Arrays.fill(l, steps);
        return l;
    }

    private static double maxRelDiff(INDArray a, INDArray b) {
        double scale = Math.max(a.amaxNumber().doubleValue(), 1e-6);
        return a.reshape(a.length()).sub(b.reshape(b.length())).amaxNumber().doubleValue() / scale;
    }

    /** Two windows of T with the state carried score exactly what one window of 2T scores. */
    @ParameterizedTest
    @CsvSource({"fast, lstm", "dl4j, lstm", "fast, gru", "dl4j, gru", "fast, rnn", "dl4j, rnn"})
    void twoCarriedWindowsScoreWhatOneWindowTwiceAsLongScores(Engine.Kind kind, String cell) throws IOException {
        PreparedCorpus c = TinyCorpus.prepared(tmp);
        var spec = new ModelSpec(cell, 2, 16, 0.3, c.vocabulary().size());
        MultiLayerNetwork net = perturbed(spec);
        double whole = Engine.create(kind, net, spec, B, 2 * T).logLikelihood(c, STARTS, full(B, 2 * T), B);

        Engine e = Engine.create(kind, net, spec, B, T);
        RecurrentState state = e.newState(B);
        double first = e.logLikelihood(c, STARTS, full(B, T), B, state);
        assertFalse(state.isZero());
        double second = e.logLikelihood(c, plus(STARTS, T), full(B, T), B, state);
        assertEquals(whole, first + second, 1e-4 * Math.abs(whole));
        // from zero, the second half scores differently: the state matters
        double fromZero = e.logLikelihood(c, plus(STARTS, T), full(B, T), B);
        assertTrue(Math.abs(fromZero - second) > 1e-3, fromZero + " vs " + second);
    }

    /** The fast engine's step from a carried state leaves the state scoring leaves; DL4J's refuses to train from one. */
    @ParameterizedTest
    @ValueSource(strings = {"lstm", "gru", "rnn"})
    void aStepFromACarriedStateLeavesTheScoredStateAndDl4jRefusesIt(String cell) throws IOException {
        PreparedCorpus c = TinyCorpus.prepared(tmp);
        var spec = new ModelSpec(cell, 2, 16, 0, c.vocabulary().size());
        MultiLayerNetwork net = perturbed(spec);
        Engine fast = Engine.create(Engine.Kind.fast, net, spec, B, T);
        RecurrentState start = fast.newState(B);
        fast.logLikelihood(c, STARTS, full(B, T), B, start);

        RecurrentState a = start.copy();
        double loss = fast.gradientSums(c, plus(STARTS, T), 0, a);
        INDArray grad = fast.gradient().dup();
        RecurrentState scored = start.copy();
        assertEquals(-fast.logLikelihood(c, plus(STARTS, T), full(B, T), B, scored), loss, 1e-9);
        assertEquals(scored, a);
        // the carried state changes the gradient (it is not the zero-state one)
        fast.gradientSums(c, plus(STARTS, T), 0);
        assertTrue(maxRelDiff(grad, fast.gradient()) > 1e-3);

        Engine dl4j = Engine.create(Engine.Kind.dl4j, net, spec, B, T);
        assertFalse(dl4j.trainsFromState());
        assertTrue(fast.trainsFromState());
        assertThrows(UnsupportedOperationException.class, () -> dl4j.gradientSums(c, STARTS, 0, start.copy()));
    }

    /** The fast engine's gradient from a carried state against finite differences of its loss. */
    @ParameterizedTest
    @ValueSource(strings = {"lstm", "gru", "rnn"})
    void statefulGradientMatchesFiniteDifferences(String cell) throws IOException {
        PreparedCorpus c = TinyCorpus.prepared(tmp);
        var spec = new ModelSpec(cell, 2, 4, 0, c.vocabulary().size());
        MultiLayerNetwork net = perturbed(spec);
        Engine e = Engine.create(Engine.Kind.fast, net, spec, B, T);
        RecurrentState start = e.newState(B);
        e.logLikelihood(c, STARTS, full(B, T), B, start);
        e.gradientSums(c, plus(STARTS, T), 0, start.copy());
        INDArray g = e.gradient().dup();
        INDArray p = net.params().reshape(net.numParams());
        long n = p.length();
        long[] checked = {0, 7, n / 5, n / 3, n / 2, n * 3 / 4, n - 40, n - 3};
        // and the recurrent weights of layer 0, which the carried state reaches directly (W is [V, GH])
        long rw0 = (long) c.vocabulary().size() * switch (cell) {
            case "gru" -> 12;
            case "rnn" -> 4;
            default -> 16;
        };
        long[] recurrent = {rw0, rw0 + 5, rw0 + 21, rw0 + 60};
        for (long[] set : new long[][]{checked, recurrent}) {
            for (long k : set) {
                float saved = p.getFloat(k);
                double eps = 1e-2;
                p.putScalar(k, saved + eps);
                double up = -e.logLikelihood(c, plus(STARTS, T), full(B, T), B, start.copy());
                p.putScalar(k, saved - eps);
                double down = -e.logLikelihood(c, plus(STARTS, T), full(B, T), B, start.copy());
                p.putScalar(k, saved);
                double numeric = (up - down) / (2 * eps);
                double analytic = g.getDouble(k);
                assertEquals(numeric, analytic, 2e-2 * Math.max(1, Math.abs(numeric)), "parameter " + k);
            }
        }
    }

    /** Streams scoring: B contiguous streams, each a window after window with carried state. */
    @ParameterizedTest
    @CsvSource({"fast, lstm", "dl4j, lstm", "fast, gru", "dl4j, gru", "fast, rnn", "dl4j, rnn"})
    void streamsScoreEachStreamAsOneLongWindow(Engine.Kind kind, String cell) throws IOException {
        PreparedCorpus c = TinyCorpus.prepared(tmp);
        var spec = new ModelSpec(cell, 2, 16, 0, c.vocabulary().size());
        MultiLayerNetwork net = perturbed(spec);
        long length = (long) B * 3 * T + 1;          // 5 streams of 36 transitions: 3 windows each
        var streams = Engine.create(kind, net, spec, B, T).scoreStreams(c, 7, length);
        var long36 = Engine.create(kind, net, spec, B, 3 * T).score(c, 7, length);
        assertEquals(length - 1, streams.characters());
        assertEquals(long36.nats(), streams.nats(), 1e-5);
        var windows = Engine.create(kind, net, spec, B, T).score(c, 7, length);
        // from zero state per window, the same transitions score otherwise: the state is carried
        assertTrue(Math.abs(windows.nats() - streams.nats()) > 1e-4, windows.nats() + " vs " + streams.nats());
    }

    @Test
    void streamsScoringCoversEveryTransitionOnceWithARemainder() throws IOException {
        PreparedCorpus c = TinyCorpus.prepared(tmp);
        var spec = new ModelSpec("lstm", 1, 8, 0, c.vocabulary().size());
        MultiLayerNetwork net = perturbed(spec);
        for (Engine.Kind kind : new Engine.Kind[]{Engine.Kind.fast, Engine.Kind.dl4j}) {
            Engine e = Engine.create(kind, net, spec, B, T);
            // 203 transitions: 5 streams of 40, the last 43; and a span shorter than one window per stream
            assertEquals(203, e.scoreStreams(c, 3, 204).characters(), kind.name());
            assertEquals(30, e.scoreStreams(c, 3, 31).characters(), kind.name());
            assertEquals(1, e.scoreStreams(c, 3, 2).characters(), kind.name());
        }
        var fast = Engine.create(Engine.Kind.fast, net, spec, B, T).scoreStreams(c, 3, 204);
        var dl4j = Engine.create(Engine.Kind.dl4j, net, spec, B, T).scoreStreams(c, 3, 204);
        assertEquals(dl4j.nats(), fast.nats(), 1e-5);
    }

    @Test
    void aStateRoundTripsThroughItsFileForm() throws IOException {
        RecurrentState s = new RecurrentState(2, 2, 3, 4);
        s.h(1)[5] = 0.25f;
        s.c(0)[11] = -3f;
        var bytes = new ByteArrayOutputStream();
        s.write(new DataOutputStream(bytes));
        RecurrentState back = RecurrentState.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertEquals(s, back);
        back.reset();
        assertTrue(back.isZero());
        assertNotEquals(s, back);
    }
}
