package charrnn.cli;

import charrnn.model.Checkpoint;
import charrnn.model.Gru;
import charrnn.train.TinyCorpus;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** {@code --cell gru} through every command, on both engines. */
class GruCommandTest {
    @TempDir
    Path tmp;

    private static final String[] TINY = {"--cell", "gru", "--layers", "2", "--hidden", "16", "--seq-length", "20",
            "--batch", "8", "--dropout", "0.2", "--lr-schedule", "char-rnn", "--lr-decay", "0.9", "--lr-decay-after",
            "1", "--eval-every", "4", "--sample-every", "0", "--checkpoint-every", "3", "-q"};

    private static String[] train(Path corpus, Path model, int steps, String... more) {
        List<String> a = new ArrayList<>(List.of("train", corpus.toString(), "--model", model.toString(),
                "--max-steps", String.valueOf(steps)));
        a.addAll(Arrays.asList(TINY));
        a.addAll(Arrays.asList(more));
        return a.toArray(String[]::new);
    }

    @Test
    void aGruTrainsSamplesEvaluatesShowsAndRestoresInPlainDl4j() throws Exception {
        Path corpus = TinyCorpus.write(tmp, TinyCorpus.PATTERN + "and the dog ate the frog!\n", 40);
        Path m = tmp.resolve("m");
        CliRunner t = CliRunner.run(train(corpus, m, 6, "--json"));
        assertEquals(0, t.code(), t.err());
        double val = charrnn.corpus.Json.MAPPER.readTree(t.out()).get("lastValLoss").asDouble();
        assertTrue(val > 0 && val < Math.log(20), "learnt something: " + val);

        CliRunner info = CliRunner.run("info", "-m", m.toString());
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().contains("model         GRU, 2 layers x 16, dropout 0.2,"), info.out());

        var loaded = Checkpoint.load(m.resolve("last.zip"), false);
        MultiLayerNetwork net = loaded.net();
        assertInstanceOf(Gru.class, net.getLayer(0).conf().getLayer());
        // argmax sampling from the carried state (rnnTimeStep) equals argmax over the whole text each time
        String seed = "the ";
        CliRunner s = CliRunner.run("sample", "-m", m.toString(), "-s", seed, "--argmax", "-n", "12", "--no-echo-seed");
        assertEquals(0, s.code(), s.err());
        StringBuilder text = new StringBuilder(seed);
        int v = loaded.vocabulary().size();
        for (int i = 0; i < 12; i++) {
            int[] ids = loaded.vocabulary().encode(text.toString());
            INDArray in = Nd4j.zeros(DataType.FLOAT, 1, v, ids.length);
            for (int k = 0; k < ids.length; k++) {
                in.putScalar(new long[]{0, ids[k], k}, 1f);
            }
            INDArray p = net.output(in).get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.point(ids.length - 1));
            text.appendCodePoint(loaded.vocabulary().codePoint(p.argMax().getInt(0)));
        }
        assertEquals(text.substring(seed.length()) + "\n", s.out());

        // eval, both protocols (windows masks the last short window; streams carries the state)
        for (String protocol : new String[]{"windows", "streams"}) {
            CliRunner e = CliRunner.run("eval", "-m", m.toString(), corpus.toString(), "--json", "--protocol", protocol);
            assertEquals(0, e.code(), e.err());
            var o = charrnn.corpus.Json.MAPPER.readTree(e.out());
            assertEquals(Files.readString(corpus).length() - 1, o.get("characters").asLong());
            assertTrue(o.get("nats").asDouble() > 0 && o.get("nats").asDouble() < Math.log(20), e.out());
        }

        // fine-tuning on a text with a new symbol: the parent's GRU, its rows moved to the new vocabulary
        Path more = Files.createDirectories(tmp.resolve("more"));
        Path other = TinyCorpus.write(more, TinyCorpus.PATTERN + "Quick!\n", 40);
        CliRunner ft = CliRunner.run("train", other.toString(), "--init-from", m.toString(), "--model",
                tmp.resolve("ft").toString(), "--max-steps", "2", "--batch", "8", "--seq-length", "20", "-q");
        assertEquals(0, ft.code(), ft.err());
        var tuned = Checkpoint.load(tmp.resolve("ft").resolve("last.zip"), false);
        assertEquals("gru", tuned.info().spec().cell());
        assertInstanceOf(Gru.class, tuned.net().getLayer(1).conf().getLayer());

        // the checkpoint is a ModelSerializer zip that plain DL4J restores, the GRU layer class by its name
        MultiLayerNetwork plain = ModelSerializer.restoreMultiLayerNetwork(m.resolve("last.zip").toFile());
        assertEquals(net.getLayerWiseConfigurations(), plain.getLayerWiseConfigurations());
        INDArray in = Nd4j.rand(DataType.FLOAT, 2, v, 7);
        assertEquals(net.output(in), plain.output(in));
    }

    /** On the fast engine, with windows and with streams (the carried state in the checkpoint), and on DL4J's. */
    @ParameterizedTest
    @ValueSource(strings = {"--no-streams", "--streams", "--engine=dl4j"})
    void resumedGruTrainingEqualsUninterruptedTraining(String how) throws Exception {
        Path corpus = TinyCorpus.write(tmp, TinyCorpus.PATTERN + "and the dog ate the frog!\n", 40);
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        CliRunner whole = CliRunner.run(train(corpus, a, 16, how));
        assertEquals(0, whole.code(), whole.err());
        assertEquals(0, CliRunner.run(train(corpus, b, 8, how)).code());
        // the engine is a run option, not the model's: the resume names it again
        List<String> resume = new ArrayList<>(List.of("train", "--resume", b.toString(), "--max-steps", "16", "-q"));
        if (how.startsWith("--engine")) {
            resume.add(how);
        }
        CliRunner rest = CliRunner.run(resume.toArray(String[]::new));
        assertEquals(0, rest.code(), rest.err());
        var la = Checkpoint.load(a.resolve("last.zip"), true);
        var lb = Checkpoint.load(b.resolve("last.zip"), true);
        assertEquals(16, lb.info().state().step());
        assertTrue(la.info().state().epoch() >= 1, "the run crossed an epoch");
        assertEquals(la.net().params(), lb.net().params());
        assertEquals(la.net().getUpdater().getStateViewArray(), lb.net().getUpdater().getStateViewArray());
    }

    /** The GRU on DL4J's engine trains on windows only: its layers cannot train from a carried state (NOTES 41). */
    @Test
    void streamsOnDl4jsEngineRefuseAGruInOneLineBeforeAnythingIsWritten() throws Exception {
        Path corpus = TinyCorpus.write(tmp, TinyCorpus.PATTERN, 40);
        Path m = tmp.resolve("models").resolve("m");
        CliRunner streams = CliRunner.run(train(corpus, m, 2, "--streams", "--engine", "dl4j"));
        assertEquals(2, streams.code(), streams.err());
        assertEquals("rnn: " + charrnn.train.Trainer.STREAMS_NEED_FAST, streams.oneErrorLine());
        assertFalse(Files.exists(tmp.resolve("models")), "no model directory left behind");
    }
}
