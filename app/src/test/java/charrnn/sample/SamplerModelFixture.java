package charrnn.sample;

import charrnn.cli.Settings;
import charrnn.corpus.PreparedCorpus;
import charrnn.engine.Engine;
import charrnn.model.Checkpoint;
import charrnn.model.ModelSpec;
import charrnn.model.Networks;
import charrnn.model.Hyperparameters;
import charrnn.train.TinyCorpus;
import charrnn.model.TrainingState;
import charrnn.train.RunOptions;
import charrnn.train.Trainer;
import charrnn.train.TrainingListener;

import java.nio.file.Path;

/** Trains the small model the sampling tests use; returns its directory. */
public final class SamplerModelFixture {
    private SamplerModelFixture() {
    }

    public static Path train(Path tmp) throws Exception {
        return train(tmp, "cpu", Engine.Kind.fast);
    }

    /** As a run on {@code backend} with {@code engine} writes it (a GPU run: "cuda" and DL4J's own step). */
    public static Path train(Path tmp, String backend, Engine.Kind engine) throws Exception {
        PreparedCorpus c = TinyCorpus.prepared(tmp);
        var spec = new ModelSpec("lstm", 2, 24, 0, c.vocabulary().size());
        var config = Settings.charRnn(20, 8, "adam", 1e-2, 1, 0, 5, 5);
        var net = Networks.build(spec, config);
        var options = Settings.options().withMaxSteps(30).withEvalEvery(30).withEvalChars(0).withSampleEvery(0)
                .withCheckpoints(0, 1).get();
        new Trainer(net, Engine.create(engine, net, spec, config.batch(), config.seqLength()), c, spec, config, options,
                TrainingState.start(c.dir().toString()), null, tmp.resolve("m"), backend, new TrainingListener() { }).run();
        return tmp.resolve("m");
    }

    /** The reference: what DL4J's {@code rnnTimeStep} path generates from the model in {@code dir}. */
    public static String[] viaDl4j(Path dir, String seed, int length, int n, Strategy s, long randomSeed) throws Exception {
        Checkpoint.Loaded l = Checkpoint.load(dir, false);
        return new Sampler(l.net(), l.vocabulary(), false).generate(l.vocabulary().encode(seed), length, n, s, randomSeed,
                null, null);
    }
}
