package charrnn.train;

import charrnn.cli.Settings;
import charrnn.corpus.PreparedCorpus;
import charrnn.engine.Engine;
import charrnn.model.Checkpoint;
import charrnn.model.ModelSpec;
import charrnn.model.Networks;
import charrnn.model.Hyperparameters;
import charrnn.model.TrainingState;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A run stopped part-way and resumed ends exactly where the uninterrupted run ends, under every
 * schedule and both protocols: the schedule's plan, the window position and (streams) the carried
 * state are all in the checkpoint.
 */
class ScheduledResumeTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource({"wsd,true", "wsd,false", "cosine,true", "cosine,false", "char-rnn,true", "constant,false"})
    void aStoppedAndResumedRunEqualsTheUninterruptedOne(String schedule, boolean streams) throws IOException {
        PreparedCorpus c = TinyCorpus.prepared(tmp);
        var spec = new ModelSpec("lstm", 2, 12, 0.2, c.vocabulary().size());
        // 12 steps an epoch: 20 steps cross an epoch; warm-up 3, wsd decays over the last half
        var config = Settings.of(Settings.charRnn(20, 16, "adam", 1e-2, 0.5, 1, 5, 3))
                .withSchedule(schedule, 1e-3, 3, 0.5).withClipNorm(2).withStreams(streams).get();
        var options = Settings.options().withMaxSteps(20).withEvalEvery(4).withEvalChars(0).withSampleEvery(0)
                .withCheckpoints(0, 1).get();

        Path a = tmp.resolve("a");
        var whole = TinyCorpus.trainer(Engine.Kind.fast, Networks.build(spec, config), c, spec, config, options,
                TrainingState.start(c.dir().toString()), a, new TrainingListener() { }).run();
        assertEquals(20, whole.state().step());
        assertTrue(whole.state().epoch() >= 1);

        Path b = tmp.resolve("b");
        Trainer[] first = new Trainer[1];
        first[0] = TinyCorpus.trainer(Engine.Kind.fast, Networks.build(spec, config), c, spec, config, options,
                TrainingState.start(c.dir().toString()), b, new TrainingListener() {
                    @Override
                    public void onStep(long step, int epoch, double loss, double cps, double elapsedSeconds) {
                        if (step == 9) {
                            first[0].requestStop();
                        }
                    }
                });
        assertEquals(Trainer.Stop.INTERRUPTED, first[0].run().stop());
        var saved = Checkpoint.load(b.resolve(Checkpoint.LAST), true);
        assertEquals(9, saved.info().state().step());
        assertEquals(streams, saved.streams() != null);
        // the resumed run's budget: what the CLI gives a resume without budget options
        var rest = options.continuing(saved.info().state());
        assertEquals(20, rest.maxSteps());
        var engine = Engine.create(Engine.Kind.fast, saved.net(), spec, config.batch(), config.seqLength());
        var resumed = new Trainer(saved.net(), engine, c, spec, saved.info().config(), rest, saved.info().state(),
                saved.streams(), b, "cpu", new TrainingListener() { }).run();
        assertEquals(20, resumed.state().step());

        var la = Checkpoint.load(a.resolve(Checkpoint.LAST), true);
        var lb = Checkpoint.load(b.resolve(Checkpoint.LAST), true);
        double diff = la.net().params().sub(lb.net().params()).amaxNumber().doubleValue();
        assertTrue(diff < 1e-6, "max abs difference " + diff);
        assertEquals(la.streams(), lb.streams());
        // the learning rates in metrics.csv agree row by row
        assertEquals(column(a, "lr"), column(b, "lr"));
        assertEquals(column(a, "val_loss"), column(b, "val_loss"));
    }

    private static List<String> column(Path dir, String name) throws IOException {
        List<String> rows = Files.readAllLines(dir.resolve(MetricsLog.FILE));
        int i = List.of(rows.get(0).split(",")).indexOf(name);
        return rows.subList(1, rows.size()).stream().map(r -> r.split(",")[i]).toList();
    }
}
