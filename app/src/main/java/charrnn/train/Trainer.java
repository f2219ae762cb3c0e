package charrnn.train;

import charrnn.RnnException;
import charrnn.corpus.PreparedCorpus;
import charrnn.data.Batches;
import charrnn.data.StreamWindows;
import charrnn.data.TrainingWindows;
import charrnn.engine.Engine;
import charrnn.engine.ParameterUpdate;
import charrnn.model.Checkpoint;
import charrnn.model.CheckpointInfo;
import charrnn.model.ModelSpec;
import charrnn.model.RecurrentState;
import charrnn.model.Hyperparameters;
import charrnn.model.TrainingState;
import charrnn.sample.Sampler;
import charrnn.sample.Strategy;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The training loop: steps over shuffled windows or contiguous streams (the state carried from one
 * window to the next), at the rate the schedule gives for the budget's progress, evaluates on (a
 * fixed slice of) the validation split by the same protocol, writes
 * checkpoints (every N steps, at each new best, at the end), stops on the first exhausted budget,
 * on early stopping, on a stop request (signal) or when the loss stops being finite.
 */
public final class Trainer {
    /** Why a run ended. */
    public enum Stop { STEPS, EPOCHS, TIME, EARLY_STOP, INTERRUPTED, DIVERGED }

    public record Result(Stop stop, TrainingState state, Path best, Path last) {
    }

    public static final String STREAMS_NEED_FAST = "--streams needs the fast engine (--engine fast, on the CPU):"
            + " DL4J's layers cannot train from a carried state; use --no-streams";

    private final MultiLayerNetwork net;
    private final Engine engine;
    private final ParameterUpdate optimizer;
    private final PreparedCorpus corpus;
    private final ModelSpec spec;
    private final Hyperparameters config;
    private final RunOptions options;
    private final Path dir;
    private final TrainingListener listener;
    private final String backend;
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private TrainingState state;
    private final RecurrentState carried; // stream training: the state the next step starts from, else null
    private CheckpointInfo.Parent parent; // --init-from's provenance, kept in every checkpoint
    private final CheckpointFiles files;
    // this run's: when it started, the time trained before it, its step total (0 = none), its metrics
    private long runStart;
    private double elapsedBefore;
    private long perEpoch;
    private long totalSteps;
    private MetricsLog metrics;
    private final Interval interval = new Interval();

    /**
     * A run of {@code net}, whose steps and evaluations {@code engine} computes, continuing from
     * {@code state}; with stream training from the carried state {@code streams} (null: a zero state).
     */
    public Trainer(MultiLayerNetwork net, Engine engine, PreparedCorpus corpus, ModelSpec spec, Hyperparameters config,
                   RunOptions options, TrainingState state, RecurrentState streams, Path dir, String backend,
                   TrainingListener listener) {
        if (config.streams() && !engine.trainsFromState()) {
            throw RnnException.usage(STREAMS_NEED_FAST);
        }
        this.net = net;
        this.engine = engine;
        this.optimizer = new ParameterUpdate(net, config.clip(), config.clipNorm());
        this.carried = !config.streams() ? null : streams != null ? streams.copy() : engine.newState(config.batch());
        this.corpus = corpus;
        this.spec = spec;
        this.config = config;
        this.options = options;
        this.state = state;
        this.dir = dir;
        this.backend = backend;
        this.listener = listener;
        this.files = new CheckpointFiles(dir, net, corpus.vocabulary(), carried, options.checkpointEvery(),
                options.keep());
    }

    /** Records in every checkpoint that this model was fine-tuned from {@code parent} (null: from scratch). */
    public void setParent(CheckpointInfo.Parent parent) {
        this.parent = parent;
    }

    /** Asks the loop to stop after the current step and write a checkpoint (signal handlers call this). */
    public void requestStop() {
        stopRequested.set(true);
    }

    public Result run() throws IOException {
        Files.createDirectories(dir);
        Batches train = batches();
        perEpoch = train.batchesPerEpoch();
        metrics = new MetricsLog(dir, state.step());
        runStart = System.nanoTime();
        elapsedBefore = state.elapsedSeconds();
        // the schedule runs over this run's budget; time budgets end at the time trained so far plus this run's
        state = state.withPlan(new TrainingState.Plan(options.epochs(), options.maxSteps(),
                        options.maxSeconds() > 0 ? elapsedBefore + options.maxSeconds() : 0))
                .withEvalChars(options.evalChars());
        totalSteps = state.plan().steps(perEpoch); // after the plan is set: this run's, not the resumed one's
        listener.onStart(state.step(), totalSteps, elapsedBefore, state.plan().endSeconds());
        long lastEvalStep = -1;
        Stop stop = budgetExhausted();
        while (stop == null) {
            if (!train.hasNext()) {
                train.nextEpoch();
                state = state.atEpoch(train.epoch());
                if (carried != null) {
                    carried.reset(); // the streams start over at the start of the range
                }
                if ((stop = budgetExhausted()) != null) {
                    break;
                }
            }
            double lr = rate(runSeconds() + elapsedBefore);
            if (!step(train, lr)) {
                return result(Stop.DIVERGED);
            }
            if (state.step() % options.evalEvery() == 0) {
                if (!evaluate(lr)) {
                    return result(Stop.DIVERGED);
                }
                lastEvalStep = state.step();
                if (options.earlyStop() > 0 && state.evalsSinceBest() >= options.earlyStop()) {
                    listener.log("early stop: no better validation loss in " + options.earlyStop() + " evaluations");
                    stop = Stop.EARLY_STOP;
                }
            }
            if (options.sampleEvery() > 0 && state.step() % options.sampleEvery() == 0) {
                listener.onSample(state.step(), preview());
            }
            files.afterStep(state.step(), this::info);
            if (stop == null) {
                stop = budgetExhausted();
            }
        }
        if (state.step() > 0 && lastEvalStep != state.step() && stop != Stop.INTERRUPTED
                && !evaluate(rate(state.elapsedSeconds()))) {
            return result(Stop.DIVERGED);
        }
        if (state.step() > 0) {
            files.last(info());
        }
        return result(stop);
    }

    private Batches batches() {
        Batches b = config.streams()
                ? new StreamWindows(corpus.trainStart(), corpus.trainLength(), config.seqLength(), config.batch(),
                        config.randomSeed())
                : new TrainingWindows(corpus.trainStart(), corpus.trainLength(), config.seqLength(), config.batch(),
                        config.randomSeed());
        b.setEpoch(state.epoch());
        b.skipBatches(state.batchInEpoch());
        return b;
    }

    /** One step at rate {@code lr}; false when its loss is not finite (nothing applied). */
    private boolean step(Batches train, double lr) throws IOException {
        // dropout seeded per step: a resumed run draws the same masks as an uninterrupted one
        long dropoutSeed = config.randomSeed() * 1_000_003L + state.step();
        long t0 = System.nanoTime();
        long[] starts = train.nextStarts();
        double loss;
        try {
            loss = engine.gradientSums(corpus, starts, dropoutSeed, carried) / ((double) starts.length * config.seqLength());
        } catch (RnnException e) {
            // a step that could not be computed (a cluster gone) was not applied: keep the steps before it
            if (state.step() > 0) {
                files.last(info());
            }
            throw e;
        }
        if (!Double.isFinite(loss)) {
            diverged(state.step() + 1, String.format("the loss is %s (last finite loss %.4f)", loss,
                    state.lastTrainLoss()));
            return false;
        }
        optimizer.apply(engine.gradient(), starts.length, lr);
        long chars = (long) config.batch() * config.seqLength();
        interval.add(loss, chars, (System.nanoTime() - t0) / 1e9);
        state = state.afterStep(train.batchInEpoch(), elapsedBefore + runSeconds(), chars, loss);
        listener.onStep(state.step(), state.epoch(), loss, interval.charsPerSecond(), state.elapsedSeconds());
        return true;
    }

    /** The training loss and speed since the last evaluation. */
    private final class Interval {
        private double lossSum;
        private int steps;
        private long chars;
        private double seconds;

        void add(double loss, long stepChars, double stepSeconds) {
            lossSum += loss;
            steps++;
            chars += stepChars;
            seconds += stepSeconds;
        }

        double meanLoss() {
            return steps == 0 ? state.lastTrainLoss() : lossSum / steps;
        }

        double charsPerSecond() {
            return steps == 0 ? 0 : chars / Math.max(seconds, 1e-9);
        }

        void clear() {
            lossSum = 0;
            steps = 0;
            chars = 0;
            seconds = 0;
        }
    }

    private double runSeconds() {
        return (System.nanoTime() - runStart) / 1e9;
    }

    private Result result(Stop stop) {
        return new Result(stop, state, files.existing(Checkpoint.BEST), files.existing(Checkpoint.LAST));
    }

    /** The rate of the next step, {@code seconds} into training: the schedule at the plan's progress. */
    private double rate(double seconds) {
        return config.learningRate(state.step(), state.epoch(), state.plan().progress(state.step(), seconds, perEpoch));
    }

    /** How validation figures are measured: with the state carried through streams, or window by window from zero. */
    public static String protocol(Hyperparameters config) {
        return config.streams() ? "streams" : "windows";
    }

    private Stop budgetExhausted() {
        if (options.maxSteps() > 0 && state.step() >= options.maxSteps()) {
            return Stop.STEPS;
        }
        if (options.epochs() > 0 && state.epoch() >= options.epochs()) {
            return Stop.EPOCHS;
        }
        if (options.maxSeconds() > 0 && runSeconds() >= options.maxSeconds()) {
            return Stop.TIME;
        }
        if (stopRequested.get()) {
            return Stop.INTERRUPTED;
        }
        return null;
    }

    /**
     * Scores the validation slice, records it with the training loss since the last evaluation and
     * saves a new best; false (and nothing saved) when the loss is not finite.
     */
    private boolean evaluate(double lr) throws IOException {
        double v = (config.streams() ? engine.scoreStreams(corpus, corpus.valStart(), evalLength())
                : engine.score(corpus, corpus.valStart(), evalLength())).nats();
        if (!Double.isFinite(v)) {
            diverged(state.step(), "the validation loss is " + v);
            return false;
        }
        boolean best = state.isBest(v);
        state = state.afterEval(v);
        var report = new TrainingListener.EvalReport(state.step(), state.epoch(), state.elapsedSeconds(),
                interval.meanLoss(), v, interval.charsPerSecond(), lr, best, eta(), protocol(config));
        interval.clear();
        metrics.append(report);
        try {
            LossPlot.write(dir, metrics.rows(), "rnn: " + dir.getFileName());
        } catch (IOException | RuntimeException e) {
            listener.log("could not draw " + LossPlot.FILE + ": " + e.getMessage());
        }
        if (best) {
            files.best(info());
        }
        listener.onEval(report);
        return true;
    }

    private void diverged(long step, String what) {
        listener.log("training diverged at step " + step + ": " + what + "; the last good checkpoint is kept;"
                + " try a lower --lr or --clip");
    }

    /**
     * Ids of the validation split that evaluations read: the first {@code --eval-chars} characters
     * to predict plus the one before them, so the cost of an evaluation does not grow with the
     * corpus; the same slice every time, so evaluations compare.
     */
    private long evalLength() {
        long all = corpus.valLength();
        return options.evalChars() > 0 ? Math.min(all, options.evalChars() + 1) : all;
    }

    /** Seconds left in this run, by whichever budget ends first; NaN when there is none. */
    private double eta() {
        double eta = Double.NaN;
        if (options.maxSeconds() > 0) {
            eta = Math.max(0, options.maxSeconds() - runSeconds());
        }
        if (totalSteps > 0 && state.step() > 0) {
            double perStep = state.elapsedSeconds() / state.step();
            double bySteps = (totalSteps - state.step()) * perStep;
            eta = Double.isNaN(eta) ? bySteps : Math.min(eta, bySteps);
        }
        return eta;
    }

    private String preview() {
        return new Sampler(net, corpus.vocabulary()).generate(new int[0], options.sampleLength(), 1,
                Strategy.temperature(1.0), config.randomSeed() + state.step(), null, null)[0];
    }

    private CheckpointInfo info() {
        return new CheckpointInfo(CheckpointInfo.FORMAT, CheckpointInfo.VERSION, spec, config, state,
                corpus.manifest(), backend, "1.0.0-M2.1", Instant.now().toString(), parent);
    }
}
