package charrnn.sample;

import charrnn.corpus.PreparedCorpus;
import charrnn.model.ModelSpec;
import charrnn.model.Networks;
import charrnn.model.TrainConfig;
import charrnn.train.TinyCorpus;
import charrnn.train.TrainOptions;

import java.nio.file.Path;

/** Trains the small model the sampling tests use; returns its directory. */
public final class SamplerModelFixture {
    private SamplerModelFixture() {
    }

    public static Path train(Path tmp) throws Exception {
        PreparedCorpus c = TinyCorpus.prepared(tmp);
        var spec = new ModelSpec("lstm", 2, 24, 0, c.vocabulary().size());
        var config = new TrainConfig(20, 8, "adam", 1e-2, 1, 0, 5, 5);
        TinyCorpus.trainer(Networks.build(spec, config), c, spec, config,
                TrainOptions.defaults().withMaxSteps(30).withEvalEvery(30).withEvalChars(0).withSampleEvery(0)
                        .withCheckpoints(0, 1), tmp.resolve("m")).run();
        return tmp.resolve("m");
    }
}
