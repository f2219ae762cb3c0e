package charrnn.model;

import charrnn.cli.Settings;
import charrnn.RnnException;
import charrnn.train.RunOptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The learning-rate schedules' values at chosen points, and how a budget's progress is measured. */
class ScheduleTest {
    private static Hyperparameters schedule(String name, int warmup) {
        return Settings.of(Settings.charRnn(20, 8, "adam", 4e-3, 0.5, 2, 5, 1)).withSchedule(name, 4e-4, warmup, 0.25).get();
    }

    @Test
    void wsdHoldsThenFallsLinearlyOverTheFinalFraction() {
        var c = schedule(Hyperparameters.WSD, 0);
        assertEquals(4e-3, c.learningRate(0, 0, 0), 1e-15);
        assertEquals(4e-3, c.learningRate(500, 3, 0.75), 1e-15);
        assertEquals(4e-3 + (4e-4 - 4e-3) * 0.5, c.learningRate(875, 5, 0.875), 1e-15);
        assertEquals(4e-4, c.learningRate(1000, 9, 1.0), 1e-15);
        assertEquals(4e-4, c.learningRate(1200, 9, 1.2), 1e-15, "past the budget: the minimum");
    }

    @Test
    void cosineFallsOverTheWholeBudget() {
        var c = schedule(Hyperparameters.COSINE, 0);
        assertEquals(4e-3, c.learningRate(0, 0, 0), 1e-15);
        assertEquals((4e-3 + 4e-4) / 2, c.learningRate(50, 0, 0.5), 1e-15);
        assertEquals(4e-4 + 3.6e-3 * 0.5 * (1 + Math.cos(Math.PI * 0.25)), c.learningRate(25, 0, 0.25), 1e-15);
        assertEquals(4e-4, c.learningRate(100, 0, 1), 1e-15);
    }

    @Test
    void charRnnDecaysPerEpochAndConstantHolds() {
        var c = schedule(Hyperparameters.CHAR_RNN, 0);
        assertEquals(4e-3, c.learningRate(10, 1, 0.9), 1e-15);
        assertEquals(2e-3, c.learningRate(10, 2, 0.0), 1e-15);
        assertEquals(5e-4, c.learningRate(10, 4, 0.5), 1e-15);
        var k = schedule(Hyperparameters.CONSTANT, 0);
        assertEquals(4e-3, k.learningRate(10, 7, 0.99), 1e-15);
    }

    @Test
    void warmUpRisesLinearlyOverItsSteps() {
        var c = schedule(Hyperparameters.WSD, 4);
        assertEquals(1e-3, c.learningRate(0, 0, 0), 1e-15);
        assertEquals(2e-3, c.learningRate(1, 0, 0.01), 1e-15);
        assertEquals(4e-3, c.learningRate(3, 0, 0.03), 1e-15);
        assertEquals(4e-3, c.learningRate(4, 0, 0.04), 1e-15);
    }

    @Test
    void progressIsStepsOrTimeWhicheverIsNearerItsEnd() {
        var steps = new TrainingState.Plan(0, 200, 0);
        assertEquals(0.25, steps.progress(50, 999, 10), 1e-12);
        var epochs = new TrainingState.Plan(4, 0, 0);
        assertEquals(0.5, epochs.progress(20, 999, 10), 1e-12);
        var time = new TrainingState.Plan(0, 0, 600);
        assertEquals(0.5, time.progress(1_000_000, 300, 10), 1e-12);
        var both = new TrainingState.Plan(0, 100, 600);
        assertEquals(0.9, both.progress(90, 60, 10), 1e-12);
        assertEquals(0.5, both.progress(10, 300, 10), 1e-12);
        assertEquals(0, TrainingState.Plan.NONE.progress(10_000, 10_000, 10));
    }

    @Test
    void aResumeWithoutABudgetContinuesThePlanOrTrainsTenMoreMinutes() {
        var cadence = Settings.options().get();
        var state = TrainingState.start("c");
        // a 10-minute run interrupted after 4 minutes: 6 more, the same end
        var interrupted = stateAt(state, 120, 0, 240).withPlan(new TrainingState.Plan(0, 0, 600));
        var o = cadence.continuing(interrupted);
        assertEquals(360, o.maxSeconds(), 1e-9);
        assertEquals(0, o.maxSteps());
        // a step budget: the same last step
        var bySteps = stateAt(state, 120, 1, 50).withPlan(new TrainingState.Plan(0, 500, 0));
        assertEquals(500, cadence.continuing(bySteps).maxSteps());
        assertEquals(0, cadence.continuing(bySteps).maxSeconds());
        // used up: 10 more minutes
        var done = stateAt(state, 500, 3, 50).withPlan(new TrainingState.Plan(0, 500, 0));
        assertEquals(600, cadence.continuing(done).maxSeconds());
        assertEquals(0, cadence.continuing(done).maxSteps());
        var none = stateAt(state, 5, 0, 5);
        assertEquals(600, cadence.continuing(none).maxSeconds());
    }

    private static TrainingState stateAt(TrainingState s, long step, int epoch, double seconds) {
        TrainingState t = s;
        for (long i = 0; i < step; i++) {
            t = t.afterStep(i + 1, seconds, 10, 1.0);
        }
        return t.atEpoch(epoch);
    }

    @Test
    void badScheduleOptionsAreUsageErrors() {
        var c = Settings.charRnn(20, 8, "adam", 4e-3, 0.5, 2, 5, 1);
        for (Runnable r : new Runnable[]{
                () -> Settings.of(c).withSchedule("linear", 1e-4, 0, 0.2).get(),
                () -> Settings.of(c).withSchedule("wsd", 1e-2, 0, 0.2).get(),
                () -> Settings.of(c).withSchedule("wsd", 1e-4, -1, 0.2).get(),
                () -> Settings.of(c).withSchedule("wsd", 1e-4, 0, 1.5).get(),
                () -> Settings.of(c).withClipNorm(-1).get()}) {
            var e = assertThrows(RnnException.class, r::run);
            assertEquals(charrnn.ExitCodes.USAGE, e.exitCode());
        }
    }

    @Test
    void aCheckpointFromBeforeSchedulesReadsAsCharRnnOnWindows() throws Exception {
        String old = "{\"seqLength\":20,\"batch\":8,\"optimizer\":\"adam\",\"lr\":0.002,\"lrDecay\":0.97,"
                + "\"lrDecayAfter\":10,\"clip\":5.0,\"randomSeed\":42}";
        var c = charrnn.corpus.Json.MAPPER.readValue(old, Hyperparameters.class);
        assertEquals(Hyperparameters.CHAR_RNN, c.schedule());
        assertFalse(c.streams());
        assertEquals(0, c.clipNorm());
        assertEquals(0.002 * 0.97, c.learningRate(5, 10, 0.5), 1e-15);
    }

    /** Checkpoints from before the evaluation's size was saved were evaluated with 250,000, the default then. */
    @Test
    void aCheckpointWithoutItsEvaluationSizeWasEvaluatedWithTheOldDefault() throws Exception {
        var trained = TrainingState.start("c").afterStep(1, 1.0, 10, 2.5);
        var json = (com.fasterxml.jackson.databind.node.ObjectNode) charrnn.corpus.Json.MAPPER.valueToTree(trained);
        assertTrue(json.has("evalChars"));
        json.remove("evalChars");
        var old = charrnn.corpus.Json.MAPPER.treeToValue(json, TrainingState.class);
        assertEquals(250_000L, old.evalChars());
        assertEquals(50_000L, trained.withEvalChars(50_000).evalChars());
        assertEquals(0L, trained.withEvalChars(0).evalChars());
        assertEquals(null, TrainingState.start("c").evalChars(), "a new model has used none");
    }
}
