package charrnn.train;

import charrnn.cli.Settings;
import charrnn.corpus.PrepareOptions;
import charrnn.corpus.PreparedCorpus;
import charrnn.corpus.Preparer;
import charrnn.engine.Engine;
import charrnn.model.ModelSpec;
import charrnn.model.Hyperparameters;
import charrnn.model.TrainingState;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small corpora for tests that train. */
public final class TinyCorpus {
    private TinyCorpus() {
    }

    /** A repetitive text a tiny network learns in seconds. */
    public static final String PATTERN = "hello world, the cat sat on the mat.\n";

    public static Path write(Path dir, String text, int repeats) throws IOException {
        Path f = dir.resolve("tiny.txt");
        Files.writeString(f, text.repeat(repeats));
        return f;
    }

    public static PreparedCorpus prepared(Path dir) throws IOException {
        Path f = write(dir, PATTERN, 120);
        new Preparer(Settings.prepare().get(), m -> { }, null).prepare(f, dir.resolve("prepared"), false);
        return PreparedCorpus.open(dir.resolve("prepared"));
    }

    /** A run of {@code net} from its first step, with the fast engine, reporting to nothing. */
    public static Trainer trainer(MultiLayerNetwork net, PreparedCorpus c, ModelSpec spec, Hyperparameters config,
                                  RunOptions options, Path dir) {
        return trainer(Engine.Kind.fast, net, c, spec, config, options, TrainingState.start(c.dir().toString()), dir,
                new TrainingListener() { });
    }

    public static Trainer trainer(Engine.Kind kind, MultiLayerNetwork net, PreparedCorpus c, ModelSpec spec,
                                  Hyperparameters config, RunOptions options, TrainingState state, Path dir,
                                  TrainingListener listener) {
        Engine engine = Engine.create(kind, net, spec, config.batch(), config.seqLength());
        return new Trainer(net, engine, c, spec, config, options, state, null, dir, "cpu", listener);
    }
}
