package charrnn.train;

import charrnn.RnnException;
import charrnn.corpus.PreparedCorpus;
import charrnn.data.Batches;
import charrnn.data.StreamWindows;
import charrnn.data.TrainingWindows;
import charrnn.engine.Engine;
import charrnn.engine.Optimizer;
import charrnn.model.Checkpoint;
import charrnn.model.CheckpointInfo;
import charrnn.model.ModelSpec;
import charrnn.model.RecurrentState;
import charrnn.model.TrainConfig;
import charrnn.model.TrainingState;
import charrnn.sample.Sampler;
import charrnn.sample.Strategy;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.stream.Stream;

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

    private static final Pattern STEP_FILE = Pattern.compile("step-(\\d+)\\.zip");

    private final MultiLayerNetwork net;
    private final Engine engine;
    private final Optimizer optimizer;
    private final PreparedCorpus corpus;
    private final ModelSpec spec;
    private final TrainConfig config;
    private final TrainOptions options;
    private final Path dir;
    private final TrainingListener listener;
    private final String backend;
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private TrainingState state;
    private TrainingState saved;      // the state of the last checkpoint written
    private final RecurrentState carried; // stream training: the state the next step starts from, else null
    private CheckpointInfo.Parent parent; // --init-from's provenance, kept in every checkpoint

    /**
     * A run of {@code net}, whose steps and evaluations {@code engine} computes, continuing from
     * {@code state}; with stream training from the carried state {@code streams} (null: a zero state).
     */
    public Trainer(MultiLayerNetwork net, Engine engine, PreparedCorpus corpus, ModelSpec spec, TrainConfig config,
                   TrainOptions options, TrainingState state, RecurrentState streams, Path dir, String backend,
                   TrainingListener listener) {
        if (config.streams() && !engine.trainsFromState()) {
            throw RnnException.usage(STREAMS_NEED_FAST);
        }
        this.net = net;
        this.engine = engine;
        this.optimizer = new Optimizer(net, config.clip(), config.clipNorm());
        this.carried = !config.streams() ? null : streams != null ? streams.copy() : engine.newState(config.batch());
        this.corpus = corpus;
        this.spec = spec;
        this.config = config;
        this.options = options;
        this.state = state;
        this.dir = dir;
        this.backend = backend;
        this.listener = listener;
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
        Batches train = config.streams()
                ? new StreamWindows(corpus.trainStart(), corpus.trainLength(), config.seqLength(), config.batch(),
                        config.randomSeed())
                : new TrainingWindows(corpus.trainStart(), corpus.trainLength(), config.seqLength(), config.batch(),
                        config.randomSeed());
        long perEpoch = train.batchesPerEpoch();
        MetricsLog metrics = new MetricsLog(dir, state.step());
        train.setEpoch(state.epoch());
        train.skipBatches(state.batchInEpoch());
        long runStart = System.nanoTime();
        double elapsedBefore = state.elapsedSeconds();
        // the schedule runs over this run's budget; time budgets end at the time trained so far plus this run's
        state = state.withPlan(new TrainingState.Plan(options.epochs(), options.maxSteps(),
                        options.maxSeconds() > 0 ? elapsedBefore + options.maxSeconds() : 0))
                .withEvalChars(options.evalChars());
        long totalSteps = state.plan().steps(perEpoch); // after the plan is set: this run's, not the resumed one's
        listener.onStart(state.step(), totalSteps, elapsedBefore, state.plan().endSeconds());
        double lossSum = 0;
        int lossCount = 0;
        double trainSeconds = 0;
        long lastEvalStep = -1;
        Stop stop = null;
        double lastGoodLoss = Double.NaN;

        while (stop == null) {
            stop = budgetExhausted(runStart);
            if (stop != null) {
                break;
            }
            if (!train.hasNext()) {
                train.nextEpoch();
                state = state.atEpoch(train.epoch());
                if (carried != null) {
                    carried.reset(); // the streams start over at the start of the range
                }
                stop = budgetExhausted(runStart);
                if (stop != null) {
                    break;
                }
            }
            double lr = rate(elapsedBefore + (System.nanoTime() - runStart) / 1e9, perEpoch);
            // dropout seeded per step: a resumed run draws the same masks as an uninterrupted one
            long dropoutSeed = config.randomSeed() * 1_000_003L + state.step();
            long t0 = System.nanoTime();
            long[] starts = train.nextStarts();
            double loss;
            try {
                loss = engine.gradientSums(corpus, starts, dropoutSeed, carried)
                        / ((double) starts.length * config.seqLength());
            } catch (RnnException e) {
                // a step that could not be computed (a cluster gone) was not applied: keep the steps before it
                if (state.step() > 0) {
                    saveLast();
                }
                throw e;
            }
            if (!Double.isFinite(loss)) {
                diverged(state.step() + 1, String.format("the loss is %s (last finite loss %.4f)", loss, lastGoodLoss));
                stop = Stop.DIVERGED;
                break;
            }
            optimizer.apply(engine.gradient(), starts.length, lr);
            double dt = (System.nanoTime() - t0) / 1e9;
            lastGoodLoss = loss;
            trainSeconds += dt;
            lossSum += loss;
            lossCount++;
            long chars = (long) config.batch() * config.seqLength();
            state = state.afterStep(train.batchInEpoch(), elapsedBefore + (System.nanoTime() - runStart) / 1e9,
                    chars, loss);
            double cps = lossCount * (double) chars / Math.max(trainSeconds, 1e-9);
            listener.onStep(state.step(), state.epoch(), loss, cps, state.elapsedSeconds());

            if (state.step() % options.evalEvery() == 0) {
                if (!evaluate(metrics, lossSum / lossCount, cps, lr, runStart, totalSteps)) {
                    stop = Stop.DIVERGED;
                    break;
                }
                lastEvalStep = state.step();
                lossSum = 0;
                lossCount = 0;
                trainSeconds = 0;
                if (options.earlyStop() > 0 && state.evalsSinceBest() >= options.earlyStop()) {
                    listener.log("early stop: no better validation loss in " + options.earlyStop() + " evaluations");
                    stop = Stop.EARLY_STOP;
                }
            }
            if (options.sampleEvery() > 0 && state.step() % options.sampleEvery() == 0) {
                listener.onSample(state.step(), preview());
            }
            if (options.checkpointEvery() > 0 && state.step() % options.checkpointEvery() == 0) {
                saveStep();
            }
            if (stopRequested.get()) {
                stop = Stop.INTERRUPTED;
            }
        }
        if (stop == Stop.DIVERGED) {
            return new Result(stop, state, existing(Checkpoint.BEST), existing(Checkpoint.LAST));
        }
        if (state.step() > 0 && lastEvalStep != state.step() && stop != Stop.INTERRUPTED) {
            double cps = lossCount == 0 ? 0 : lossCount * (double) config.batch() * config.seqLength()
                    / Math.max(trainSeconds, 1e-9);
            if (!evaluate(metrics, lossCount == 0 ? state.lastTrainLoss() : lossSum / lossCount, cps,
                    rate(state.elapsedSeconds(), perEpoch), runStart, totalSteps)) {
                return new Result(Stop.DIVERGED, state, existing(Checkpoint.BEST), existing(Checkpoint.LAST));
            }
        }
        if (state.step() > 0) {
            saveLast();
        }
        return new Result(stop, state, existing(Checkpoint.BEST), existing(Checkpoint.LAST));
    }

    /** The rate of the next step, {@code seconds} into training: the schedule at the plan's progress. */
    private double rate(double seconds, long perEpoch) {
        return config.learningRate(state.step(), state.epoch(), state.plan().progress(state.step(), seconds, perEpoch));
    }

    /** How validation figures are measured: with the state carried through streams, or window by window from zero. */
    public static String protocol(TrainConfig config) {
        return config.streams() ? "streams" : "windows";
    }

    private Stop budgetExhausted(long runStart) {
        if (options.maxSteps() > 0 && state.step() >= options.maxSteps()) {
            return Stop.STEPS;
        }
        if (options.epochs() > 0 && state.epoch() >= options.epochs()) {
            return Stop.EPOCHS;
        }
        if (options.maxSeconds() > 0 && (System.nanoTime() - runStart) / 1e9 >= options.maxSeconds()) {
            return Stop.TIME;
        }
        if (stopRequested.get()) {
            return Stop.INTERRUPTED;
        }
        return null;
    }

    /** Scores the validation slice, records it and saves a new best; false (and nothing saved) when the loss is not finite. */
    private boolean evaluate(MetricsLog metrics, double trainLoss, double cps, double lr, long runStart,
                             long totalSteps) throws IOException {
        double v = (config.streams() ? engine.scoreStreams(corpus, corpus.valStart(), evalLength())
                : engine.score(corpus, corpus.valStart(), evalLength())).nats();
        if (!Double.isFinite(v)) {
            diverged(state.step(), "the validation loss is " + v);
            return false;
        }
        boolean best = state.isBest(v);
        state = state.afterEval(v);
        double runSeconds = (System.nanoTime() - runStart) / 1e9;
        double eta = eta(runSeconds, totalSteps);
        var report = new TrainingListener.EvalReport(state.step(), state.epoch(), state.elapsedSeconds(), trainLoss, v,
                cps, lr, best, eta, protocol(config));
        metrics.append(report);
        try {
            LossPlot.write(dir, metrics.rows(), "rnn: " + dir.getFileName());
        } catch (IOException | RuntimeException e) {
            listener.log("could not draw " + LossPlot.FILE + ": " + e.getMessage());
        }
        if (best) {
            Path b = dir.resolve(Checkpoint.BEST);
            Checkpoint.save(b, net, corpus.vocabulary(), info(), carried);
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
    private double eta(double runSeconds, long totalSteps) {
        double eta = Double.NaN;
        if (options.maxSeconds() > 0) {
            eta = Math.max(0, options.maxSeconds() - runSeconds);
        }
        if (totalSteps > 0 && state.step() > 0) {
            double perStep = state.elapsedSeconds() / state.step();
            double bySteps = (totalSteps - state.step()) * perStep;
            eta = Double.isNaN(eta) ? bySteps : Math.min(eta, bySteps);
        }
        return eta;
    }

    private String preview() {
        Sampler s = new Sampler(net, corpus.vocabulary());
        String text = s.generate(new int[0], options.sampleLength(), 1, Strategy.temperature(1.0),
                config.randomSeed() + state.step(), null, null)[0];
        return text;
    }

    private void saveStep() throws IOException {
        Path f = dir.resolve(String.format("step-%06d.zip", state.step()));
        Checkpoint.save(f, net, corpus.vocabulary(), info(), carried);
        Checkpoint.alias(f, dir.resolve(Checkpoint.LAST));
        saved = state;
        prune();
    }

    /**
     * The end of a run, unless a checkpoint of exactly this state exists: a step checkpoint when they
     * are on, else only last.zip.
     */
    private void saveLast() throws IOException {
        if (state.equals(saved)) {
            return;
        }
        if (options.checkpointEvery() > 0) {
            saveStep();
        } else {
            Checkpoint.save(dir.resolve(Checkpoint.LAST), net, corpus.vocabulary(), info(), carried);
            saved = state;
        }
    }

    private void prune() throws IOException {
        List<Path> steps;
        try (Stream<Path> s = Files.list(dir)) {
            steps = s.filter(p -> STEP_FILE.matcher(p.getFileName().toString()).matches()).sorted().toList();
        }
        for (int i = 0; i < steps.size() - options.keep(); i++) {
            Files.deleteIfExists(steps.get(i));
        }
    }

    private CheckpointInfo info() {
        return new CheckpointInfo(CheckpointInfo.FORMAT, CheckpointInfo.VERSION, spec, config, state,
                corpus.manifest(), backend, "1.0.0-M2.1", Instant.now().toString(), parent);
    }

    private Path existing(String name) {
        Path p = dir.resolve(name);
        return Files.exists(p) ? p : null;
    }
}
