package charrnn.sample;

import charrnn.cli.Settings;
import charrnn.model.Checkpoint;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class SamplerTest {
    @TempDir
    static Path tmp;
    static Checkpoint.Loaded model;

    /** A small model trained briefly, so its distributions are neither uniform nor one-hot. */
    @BeforeAll
    static void train() throws Exception {
        model = Checkpoint.load(SamplerModelFixture.train(tmp), false);
    }

    private Sampler sampler() {
        return new Sampler(model.net(), model.vocabulary());
    }

    /** The next-character distributions after each prefix of {@code ids}, fed step by step through DL4J. */
    private static float[][] dl4jStepwise(int[] ids) {
        var net = model.net();
        net.rnnClearPreviousState();
        float[][] result = new float[ids.length][];
        INDArray step = Nd4j.zeros(DataType.FLOAT, 1, model.vocabulary().size());
        for (int t = 0; t < ids.length; t++) {
            step.assign(0);
            step.putScalar(0, ids[t], 1f);
            result[t] = net.rnnTimeStep(step).toFloatVector();
        }
        net.rnnClearPreviousState();
        return result;
    }

    /** The same on the fast path: its logits through the strategy's softmax at temperature 1. */
    private static float[][] fastStepwise(int[] ids) {
        FastInference.Batch batch = new FastInference(model.net()).batch(1);
        float[][] result = new float[ids.length][];
        for (int t = 0; t < ids.length; t++) {
            double[] q = Strategy.temperature(1).filter(batch.step(new int[]{ids[t]}, null)[0]);
            result[t] = new float[q.length];
            for (int k = 0; k < q.length; k++) {
                result[t][k] = (float) q[k];
            }
        }
        return result;
    }

    @Test
    void argmaxIsTheMostProbableCharacterAtEveryStep() {
        int[] seed = model.vocabulary().encode("the cat");
        String out = sampler().generate(seed, 40, 1, Strategy.greedy(), 0, null, null)[0];
        int[] all = model.vocabulary().encode("the cat" + out);
        float[][] p = dl4jStepwise(all);
        for (int t = seed.length - 1; t < all.length - 1; t++) {
            assertEquals(Strategy.argmax(p[t]), all[t + 1], "step " + t);
        }
        assertEquals(out, sampler().generate(seed, 40, 1, Strategy.greedy(), 99, null, null)[0], "deterministic");
    }

    @Test
    void statefulStepsEqualRefeedingTheWholeText() {
        int[] ids = model.vocabulary().encode("hello world, the cat sat");
        float[][] stepwise = dl4jStepwise(ids);
        int v = model.vocabulary().size();
        for (int len = 1; len <= ids.length; len += 5) {
            INDArray in = Nd4j.create(DataType.FLOAT, new long[]{1, v, len}, 'f');
            for (int t = 0; t < len; t++) {
                in.putScalar(new long[]{0, ids[t], t}, 1f);
            }
            model.net().rnnClearPreviousState();
            INDArray out = model.net().output(in);
            for (int k = 0; k < v; k++) {
                assertEquals(out.getFloat(0, k, len - 1), stepwise[len - 1][k], 1e-5, "prefix " + len + " symbol " + k);
            }
        }
    }

    @Test
    void fastPathGivesDl4jProbabilities() {
        assertTrue(FastInference.supports(model.net()), "the sampler takes the fast path for this network");
        int[] ids = model.vocabulary().encode("hello world, the cat sat on the mat.\nhello world, the");
        float[][] dl4j = dl4jStepwise(ids);
        float[][] fast = fastStepwise(ids);
        for (int t = 0; t < ids.length; t++) {
            for (int k = 0; k < dl4j[t].length; k++) {
                assertEquals(dl4j[t][k], fast[t][k], 2e-6, "step " + t + " symbol " + k);
            }
        }
        // and so the same text, character for character, on both paths: also with a temperature
        // and with 8 samples in one batch
        int[] seed = model.vocabulary().encode("the ");
        for (Strategy s : new Strategy[]{Strategy.temperature(1.0), Strategy.temperature(0.6),
                Strategy.temperature(1.7), new Strategy(false, 0.8, 5, 0.9)}) {
            String[] viaDl4j = new Sampler(model.net(), model.vocabulary(), false).generate(seed, 300, 8, s, 3, null, null);
            assertArrayEquals(viaDl4j, sampler().generate(seed, 300, 8, s, 3, null, null), s.toString());
        }
    }

    @Test
    void sameRandomSeedSameTextDifferentSeedDifferentText() {
        int[] seed = model.vocabulary().encode("the ");
        Strategy s = Strategy.temperature(1.0);
        String a = sampler().generate(seed, 200, 1, s, 7, null, null)[0];
        String b = sampler().generate(seed, 200, 1, s, 7, null, null)[0];
        String c = sampler().generate(seed, 200, 1, s, 8, null, null)[0];
        assertEquals(a, b);
        assertNotEquals(a, c);
    }

    @Test
    void batchSamplesEqualSingleRunsWithMatchingSeeds() {
        int[] seed = model.vocabulary().encode("the ");
        Strategy s = Strategy.temperature(1.0);
        String[] batch = sampler().generate(seed, 150, 9, s, 100, null, null);
        for (int k = 0; k < 9; k++) {
            assertEquals(sampler().generate(seed, 150, 1, s, 100 + k, null, null)[0], batch[k], "sample " + k);
        }
    }

    @Test
    void samplesThatStopEarlyLeaveTheOthersRunning() {
        // the batch goes on while some of its samples have stopped, and stops when all of them have
        int[] seed = model.vocabulary().encode("the ");
        Strategy s = Strategy.temperature(1.2);
        String[] batch = sampler().generate(seed, 400, 9, s, 40, " ", null);
        for (int k = 0; k < 9; k++) {
            assertEquals(sampler().generate(seed, 400, 1, s, 40 + k, " ", null)[0], batch[k], "sample " + k);
            assertTrue(batch[k].length() == 400 || batch[k].endsWith(" "), batch[k]);
        }
    }

    @Test
    void aListenerHearsEveryCharacterOfEverySampleInOrder() {
        int[] seed = model.vocabulary().encode("the ");
        StringBuilder[] heard = new StringBuilder[9];
        for (int k = 0; k < 9; k++) {
            heard[k] = new StringBuilder();
        }
        Thread caller = Thread.currentThread();
        String[] out = sampler().generate(seed, 120, 9, Strategy.temperature(1.0), 2, null, (k, cp) -> {
            assertSame(caller, Thread.currentThread(), "listener called from another thread");
            heard[k].appendCodePoint(cp);
        });
        for (int k = 0; k < 9; k++) {
            assertEquals(out[k], heard[k].toString(), "sample " + k);
        }
        assertArrayEquals(sampler().generate(seed, 120, 9, Strategy.temperature(1.0), 2, null, null), out);
    }

    @Test
    void oneSamplerServesLargerAndSmallerBatchesInTurn() {
        // the fast path's state is sized at each generation: a larger batch after a smaller one and back
        int[] seed = model.vocabulary().encode("the ");
        Strategy s = Strategy.temperature(0.9);
        Sampler one = sampler();
        for (int n : new int[]{1, 9, 3, 12, 12}) {
            assertArrayEquals(sampler().generate(seed, 80, n, s, 5, null, null), one.generate(seed, 80, n, s, 5, null, null),
                    "n = " + n);
        }
    }

    @Test
    void stopAtEndsASample() {
        int[] seed = model.vocabulary().encode("the ");
        String[] out = sampler().generate(seed, 500, 3, Strategy.temperature(1.0), 1, "\n", null);
        for (String s : out) {
            assertTrue(s.length() < 500 && s.endsWith("\n") && s.indexOf('\n') == s.length() - 1, s);
        }
    }

    /**
     * The fast GRU and plain RNN cells against DL4J's rnnTimeStep (through the project's GRU layer and
     * DL4J's SimpleRnn), on networks whose weights and biases (a GRU's b_hn too) are far from their start.
     */
    @ParameterizedTest
    @ValueSource(strings = {"gru", "rnn"})
    void fastCellsGiveDl4jProbabilities(String cell) {
        int v = model.vocabulary().size();
        var spec = new charrnn.model.ModelSpec(cell, 2, 24, 0, v);
        var net = charrnn.model.Networks.build(spec, Settings.config().withRandomSeed(4).get());
        Nd4j.getRandom().setSeed(9);
        net.params().addi(Nd4j.rand(DataType.FLOAT, net.params().shape()).subi(0.5).muli(0.6));
        assertTrue(FastInference.supports(net));
        int[] ids = model.vocabulary().encode("hello world, the cat sat on the mat.");
        FastInference.Batch fast = new FastInference(net).batch(2);
        net.rnnClearPreviousState();
        INDArray step = Nd4j.zeros(DataType.FLOAT, 1, v);
        for (int t = 0; t < ids.length; t++) {
            step.assign(0);
            step.putScalar(0, ids[t], 1f);
            float[] dl4j = net.rnnTimeStep(step).toFloatVector();
            float[][] logits = fast.step(new int[]{ids[t], ids[t]}, null);
            for (float[] row : logits) {
                double[] q = Strategy.temperature(1).filter(row);
                for (int k = 0; k < v; k++) {
                    assertEquals(dl4j[k], q[k], 2e-6, "step " + t + " symbol " + k);
                }
            }
        }
    }
}
