package charrnn.train;

import charrnn.cli.Settings;
import charrnn.corpus.PreparedCorpus;
import charrnn.engine.Engine;
import charrnn.model.Checkpoint;
import charrnn.model.ModelSpec;
import charrnn.model.Networks;
import charrnn.model.Hyperparameters;
import charrnn.model.TrainingState;
import charrnn.sample.Sampler;
import charrnn.sample.Strategy;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class TrainerTest {
    @TempDir
    Path tmp;

    static RunOptions steps(long n, int evalEvery) {
        return Settings.options().withMaxSteps(n).withEvalEvery(evalEvery).withEvalChars(0).withSampleEvery(0)
                .withCheckpoints(0, 3).get();
    }

    @Test
    void evalCharsScoresTheFirstCharactersOfTheValidationSplitWithEitherEngine() throws IOException {
        PreparedCorpus c = TinyCorpus.prepared(tmp);
        assertTrue(c.valLength() > 101, "the tiny corpus needs a longer validation split");
        var spec = new ModelSpec("lstm", 1, 8, 0, c.vocabulary().size());
        var windows = Settings.config().withWindows(12, 4).withConstantRate("adam", 1e-2).withRandomSeed(1)
                .withStreams(false).get();
        for (Engine.Kind engine : new Engine.Kind[]{Engine.Kind.fast, Engine.Kind.dl4j}) {
            MultiLayerNetwork net = Networks.build(spec, windows);
            var options = Settings.of(steps(1, 1)).withEvalChars(100).get();
            var result = TinyCorpus.trainer(engine, net, c, spec, windows, options, TrainingState.start(c.dir().toString()),
                    tmp.resolve("m-" + engine), new TrainingListener() { }).run();
            // 100 characters scored: 101 ids from the start of the validation split
            var expected = Engine.create(Engine.Kind.dl4j, net, spec, 4, 12).score(c, c.valStart(), 101);
            assertEquals(100, expected.characters());
            assertEquals(expected.nats(), result.state().bestValLoss(), 1e-5, engine.name());
        }
        // stream training scores its validation with the state carried through 4 streams
        var streams = Settings.of(windows).withStreams(true).get();
        MultiLayerNetwork net = Networks.build(spec, streams);
        var result = TinyCorpus.trainer(Engine.Kind.fast, net, c, spec, streams, Settings.of(steps(1, 1)).withEvalChars(100).get(),
                TrainingState.start(c.dir().toString()), tmp.resolve("m-streams"), new TrainingListener() { }).run();
        var expected = Engine.create(Engine.Kind.dl4j, net, spec, 4, 12).scoreStreams(c, c.valStart(), 101);
        assertEquals(100, expected.characters());
        assertEquals(expected.nats(), result.state().bestValLoss(), 1e-5);
    }

    @Test
    void tinyModelLearnsARepetitivePattern() throws IOException {
        PreparedCorpus c = TinyCorpus.prepared(tmp);
        var spec = new ModelSpec("lstm", 1, 48, 0, c.vocabulary().size());
        var config = Settings.config().withWindows(24, 16).withConstantRate("adam", 1e-2).withRandomSeed(1).get();
        MultiLayerNetwork net = Networks.build(spec, config);
        Path dir = tmp.resolve("model");
        var result = TinyCorpus.trainer(net, c, spec, config, Settings.of(steps(150, 50)).withCheckpoints(150, 3).get(), dir).run();
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
        java.awt.image.BufferedImage plot = javax.imageio.ImageIO.read(dir.resolve(LossPlot.FILE).toFile());
        assertEquals(List.of(900, 500), List.of(plot.getWidth(), plot.getHeight()));
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int x = 0; x < plot.getWidth(); x += 3) {
            for (int y = 0; y < plot.getHeight(); y += 3) {
                colours.add(plot.getRGB(x, y));
            }
        }
        assertTrue(colours.size() > 20, "a drawn chart, not a blank image: " + colours.size() + " colours");
        List<String> rows = Files.readAllLines(dir.resolve(MetricsLog.FILE));
        assertEquals(MetricsLog.HEADER, rows.get(0));
        assertEquals(4, rows.size(), "header + evaluations at 50, 100, 150");
        assertTrue(rows.get(3).startsWith("150,"));
    }

    @Test
    void checkpointRoundTripKeepsParametersAndUpdaterState() throws IOException {
        PreparedCorpus c = TinyCorpus.prepared(tmp);
        var spec = new ModelSpec("lstm", 2, 16, 0.1, c.vocabulary().size());
        var config = Settings.charRnn(20, 8, "adam", 2e-3, 0.9, 1, 5, 3);
        MultiLayerNetwork net = Networks.build(spec, config);
        Path dir = tmp.resolve("m");
        TinyCorpus.trainer(net, c, spec, config, steps(5, 5), dir).run();
        try (var files = Files.list(dir)) {
            assertEquals(List.of("best.zip", "last.zip"), files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".zip")).sorted().toList(), "--checkpoint-every 0: only best and last");
        }
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
        var config = Settings.config().withWindows(20, 8).withConstantRate("adam", 2e-3).withRandomSeed(3).get();
        MultiLayerNetwork net = Networks.build(spec, config);
        Path dir = tmp.resolve("m");
        var first = TinyCorpus.trainer(net, c, spec, config, steps(4, 4), dir).run();
        byte[] last = Files.readAllBytes(dir.resolve("last.zip"));
        byte[] best = Files.readAllBytes(dir.resolve("best.zip"));
        net.params().assign(Double.NaN); // what an exploding update leaves behind
        StringBuilder log = new StringBuilder();
        var r = TinyCorpus.trainer(Engine.Kind.fast, net, c, spec, config, steps(8, 4), first.state(), dir, new TrainingListener() {
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
        var config = Settings.config().withWindows(16, 8).withConstantRate("rmsprop", 5e-3).withRandomSeed(1)
                .withStreams(false).get();
        MultiLayerNetwork net = Networks.build(spec, config);
        var r = TinyCorpus.trainer(Engine.Kind.dl4j, net, c, spec, config, steps(60, 60),
                TrainingState.start(c.dir().toString()), tmp.resolve("r"), new TrainingListener() { }).run();
        assertTrue(r.state().bestValLoss() < Math.log(c.vocabulary().size()) - 1, "learned something: "
                + r.state().bestValLoss());
    }

    @Test
    void eachBudgetStopsTrainingWithItsReason() throws IOException {
        PreparedCorpus c = TinyCorpus.prepared(tmp);
        var spec = new ModelSpec("lstm", 1, 8, 0, c.vocabulary().size());
        var config = Settings.config().withWindows(20, 8).withConstantRate("adam", 1e-2).withRandomSeed(1).get();
        long perEpoch = (c.trainLength() - 1) / 20 / 8;
        var byEpochs = TinyCorpus.trainer(Networks.build(spec, config), c, spec, config,
                Settings.of(steps(0, 1000)).withEpochs(2).get(), tmp.resolve("e")).run();
        assertEquals(Trainer.Stop.EPOCHS, byEpochs.stop());
        assertEquals(2, byEpochs.state().epoch());
        assertEquals(2 * perEpoch, byEpochs.state().step());
        var byTime = TinyCorpus.trainer(Networks.build(spec, config), c, spec, config,
                Settings.of(steps(0, 1000)).withMaxSeconds(0.5).get(), tmp.resolve("t")).run();
        assertEquals(Trainer.Stop.TIME, byTime.stop());
        assertTrue(byTime.state().elapsedSeconds() >= 0.5 && byTime.state().step() > 0, byTime.state().toString());
    }

    @Test
    void earlyStopEndsTheRunAfterNEvaluationsWithoutANewBest() throws IOException {
        PreparedCorpus c = TinyCorpus.prepared(tmp);
        var spec = new ModelSpec("lstm", 1, 8, 0, c.vocabulary().size());
        var config = Settings.config().withWindows(20, 8).withConstantRate("adam", 1e-2).withRandomSeed(1).get();
        // a best loss of 0 cannot be beaten: every evaluation counts towards the early stop
        var unbeatable = TrainingState.start(c.dir().toString()).afterEval(0.0);
        var r = TinyCorpus.trainer(Engine.Kind.fast, Networks.build(spec, config), c, spec, config,
                Settings.of(steps(100, 2)).withEarlyStop(3).get(), unbeatable, tmp.resolve("m"), new TrainingListener() { }).run();
        assertEquals(Trainer.Stop.EARLY_STOP, r.stop());
        assertEquals(6, r.state().step());
        assertEquals(3, r.state().evalsSinceBest());
    }

    @Test
    void theLearningRateFollowsCharRnnsPerEpochDecayInMetrics() throws IOException {
        var config = Settings.charRnn(20, 8, "adam", 1e-2, 0.5, 2, 5, 1);
        assertEquals(1e-2, config.learningRate(0));
        assertEquals(1e-2, config.learningRate(1));
        assertEquals(5e-3, config.learningRate(2));
        assertEquals(1.25e-3, config.learningRate(4));
        PreparedCorpus c = TinyCorpus.prepared(tmp);
        var spec = new ModelSpec("lstm", 1, 8, 0, c.vocabulary().size());
        long perEpoch = (c.trainLength() - 1) / 20 / 8;
        Path dir = tmp.resolve("m");
        TinyCorpus.trainer(Networks.build(spec, config), c, spec, config, Settings.of(steps(0, (int) perEpoch)).withEpochs(4).get(), dir).run();
        List<String> rows = Files.readAllLines(dir.resolve(MetricsLog.FILE));
        // one row per epoch, at its last step: the rate of that epoch
        int lr = List.of(rows.get(0).split(",")).indexOf("lr");
        assertEquals(List.of("0.0100000", "0.0100000", "0.00500000", "0.00250000"),
                rows.subList(1, 5).stream().map(l -> l.split(",")[lr]).toList());
        assertTrue(rows.subList(1, 5).stream().allMatch(l -> l.endsWith(",windows")), rows.toString());
    }
}
