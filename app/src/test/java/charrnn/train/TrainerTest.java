package charrnn.train;

import charrnn.corpus.PreparedCorpus;
import charrnn.data.OneHotWindows;
import charrnn.model.Checkpoint;
import charrnn.model.ModelSpec;
import charrnn.model.Networks;
import charrnn.model.TrainConfig;
import charrnn.model.TrainingState;
import charrnn.sample.Sampler;
import charrnn.sample.Strategy;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class TrainerTest {
    @TempDir
    Path tmp;

    static TrainOptions steps(long n, int evalEvery) {
        return new TrainOptions(0, n, 0, evalEvery, 0, 0, 50, 0, 3, 0, TrainOptions.Engine.fast);
    }

    @Test
    void evalCharsScoresTheFirstCharactersOfTheValidationSplitWithEitherEngine() throws IOException {
        PreparedCorpus c = TinyCorpus.prepared(tmp);
        assertTrue(c.valLength() > 101, "the tiny corpus needs a longer validation split");
        var spec = new ModelSpec("lstm", 1, 8, 0, c.vocabulary().size());
        var config = new TrainConfig(12, 4, "adam", 1e-2, 1, 0, 5, 1);
        for (TrainOptions.Engine engine : new TrainOptions.Engine[]{TrainOptions.Engine.fast, TrainOptions.Engine.dl4j}) {
            MultiLayerNetwork net = Networks.build(spec, config);
            var options = new TrainOptions(0, 1, 0, 1, 100, 0, 50, 0, 3, 0, engine);
            var result = new Trainer(net, c, spec, config, options, TrainingState.start(c.dir().toString()),
                    tmp.resolve("m-" + engine), "cpu", new TrainingListener() { }).run();
            // 100 characters scored: 101 ids from the start of the validation split
            var expected = Evaluator.evaluate(net, new charrnn.data.OneHotWindows(c, c.valStart(), 101, 12, 4, false, 0));
            assertEquals(100, expected.characters());
            assertEquals(expected.nats(), result.state().bestValLoss(), 1e-5, engine.name());
        }
    }

    @Test
    void tinyModelLearnsARepetitivePattern() throws IOException {
        PreparedCorpus c = TinyCorpus.prepared(tmp);
        var spec = new ModelSpec("lstm", 1, 48, 0, c.vocabulary().size());
        var config = new TrainConfig(24, 16, "adam", 1e-2, 1, 0, 5, 1);
        MultiLayerNetwork net = Networks.build(spec, config);
        Path dir = tmp.resolve("model");
        var result = new Trainer(net, c, spec, config, steps(150, 50), TrainingState.start(c.dir().toString()), dir,
                "cpu", new TrainingListener() { }).run();
        assertEquals(Trainer.Stop.STEPS, result.stop());
        assertEquals(150, result.state().step());
        assertTrue(result.state().bestValLoss() < 0.15, "validation loss " + result.state().bestValLoss());

        // argmax from a seed reproduces the pattern
        var s = new Sampler(net, c.vocabulary());
        String seed = "hello world, the ";
        String out = s.generate(c.vocabulary().encode(seed), 60, 1, Strategy.greedy(), 0, null, null)[0];
        String expected = TinyCorpus.PATTERN.repeat(3).substring(seed.length(), seed.length() + 60);
        assertEquals(expected, out);

        // checkpoints, metrics and plot are where the README says
        assertTrue(Files.exists(dir.resolve("best.zip")));
        assertTrue(Files.exists(dir.resolve("last.zip")));
        assertTrue(Files.exists(dir.resolve("step-000150.zip")));
        assertTrue(Files.size(dir.resolve(LossPlot.FILE)) > 1000);
        List<String> rows = Files.readAllLines(dir.resolve(MetricsLog.FILE));
        assertEquals(MetricsLog.HEADER, rows.get(0));
        assertEquals(4, rows.size(), "header + evaluations at 50, 100, 150");
        assertTrue(rows.get(3).startsWith("150,"));
    }

    @Test
    void scoreOverSeqLengthIsNatsPerCharacter() throws IOException {
        PreparedCorpus c = TinyCorpus.prepared(tmp);
        var spec = new ModelSpec("lstm", 2, 16, 0, c.vocabulary().size());
        var config = new TrainConfig(20, 8, "adam", 2e-3, 1, 0, 5, 3);
        MultiLayerNetwork net = Networks.build(spec, config);
        var it = new OneHotWindows(c, c.trainStart(), 8L * 20 + 1, 20, 8, false, 0);
        DataSet ds = it.next();
        double score = net.score(ds, false) / 20;
        var eval = Evaluator.evaluate(net, new OneHotWindows(c, c.trainStart(), 8L * 20 + 1, 20, 8, false, 0));
        assertEquals(eval.nats(), score, 1e-4);
        assertEquals(Math.log(c.vocabulary().size()), eval.nats(), 0.05, "untrained: about ln(vocabulary)");
    }

    @Test
    void checkpointRoundTripKeepsParametersAndUpdaterState() throws IOException {
        PreparedCorpus c = TinyCorpus.prepared(tmp);
        var spec = new ModelSpec("lstm", 2, 16, 0.1, c.vocabulary().size());
        var config = new TrainConfig(20, 8, "adam", 2e-3, 0.9, 1, 5, 3);
        MultiLayerNetwork net = Networks.build(spec, config);
        Path dir = tmp.resolve("m");
        new Trainer(net, c, spec, config, steps(5, 5), TrainingState.start(c.dir().toString()), dir, "cpu",
                new TrainingListener() { }).run();
        Checkpoint.Loaded l = Checkpoint.load(dir.resolve("last.zip"), true);
        assertEquals(net.params(), l.net().params());
        assertEquals(net.getUpdater().getStateViewArray(), l.net().getUpdater().getStateViewArray());
        assertEquals(spec, l.info().spec());
        assertEquals(config, l.info().config());
        assertEquals(5, l.info().state().step());
        assertEquals(c.vocabulary(), l.vocabulary());
        assertEquals(c.manifest(), l.info().corpus());
        // plain DL4J loads the same file (rnn writes ModelSerializer's entries itself, uncompressed)
        MultiLayerNetwork plain = org.deeplearning4j.util.ModelSerializer.restoreMultiLayerNetwork(
                dir.resolve("last.zip").toFile(), true);
        assertEquals(net.params(), plain.params());
        assertEquals(net.getUpdater().getStateViewArray(), plain.getUpdater().getStateViewArray());
        assertEquals(net.getLayerWiseConfigurations(), plain.getLayerWiseConfigurations());
    }

    @Test
    void nonFiniteLossStopsAndKeepsTheLastGoodCheckpoint() throws IOException {
        PreparedCorpus c = TinyCorpus.prepared(tmp);
        var spec = new ModelSpec("lstm", 1, 16, 0, c.vocabulary().size());
        var config = new TrainConfig(20, 8, "adam", 2e-3, 1, 0, 5, 3);
        MultiLayerNetwork net = Networks.build(spec, config);
        Path dir = tmp.resolve("m");
        var first = new Trainer(net, c, spec, config, steps(4, 4), TrainingState.start(c.dir().toString()), dir, "cpu",
                new TrainingListener() { }).run();
        byte[] last = Files.readAllBytes(dir.resolve("last.zip"));
        byte[] best = Files.readAllBytes(dir.resolve("best.zip"));
        net.params().assign(Double.NaN); // what an exploding update leaves behind
        StringBuilder log = new StringBuilder();
        var r = new Trainer(net, c, spec, config, steps(8, 4), first.state(), dir, "cpu", new TrainingListener() {
            @Override
            public void log(String message) {
                log.append(message);
            }
        }).run();
        assertEquals(Trainer.Stop.DIVERGED, r.stop());
        assertTrue(log.toString().contains("diverged at step 5"), log.toString());
        assertArrayEquals(last, Files.readAllBytes(dir.resolve("last.zip")), "last.zip untouched");
        assertArrayEquals(best, Files.readAllBytes(dir.resolve("best.zip")), "best.zip untouched");
    }

    @Test
    void rnnCellTrainsToo() throws IOException {
        PreparedCorpus c = TinyCorpus.prepared(tmp);
        var spec = new ModelSpec("rnn", 1, 32, 0, c.vocabulary().size());
        var config = new TrainConfig(16, 8, "rmsprop", 5e-3, 1, 0, 5, 1);
        MultiLayerNetwork net = Networks.build(spec, config);
        var r = new Trainer(net, c, spec, config, steps(60, 60), TrainingState.start(c.dir().toString()),
                tmp.resolve("r"), "cpu", new TrainingListener() { }).run();
        assertTrue(r.state().bestValLoss() < Math.log(c.vocabulary().size()) - 1, "learned something: "
                + r.state().bestValLoss());
    }
}
