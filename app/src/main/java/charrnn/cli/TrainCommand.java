package charrnn.cli;

import charrnn.ExitCodes;
import charrnn.RnnException;
import charrnn.corpus.PreparedCorpus;
import charrnn.corpus.Preparer;
import charrnn.engine.ClusterEngines;
import charrnn.engine.Engine;
import charrnn.model.Hyperparameters;
import charrnn.model.TrainingState;
import charrnn.train.RunOptions;
import charrnn.train.RunSetup;
import charrnn.train.Trainer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "train", sortOptions = false, showDefaultValues = true, abbreviateSynopsis = true,
        description = {"Train a GRU, LSTM or plain RNN on a corpus, with validation, checkpoints and resume.",
                "Text files and folders are prepared on the fly into MODEL/corpus/ and reused while they are unchanged.",
                "Options can be kept in a file, one or more per line: rnn train @experiment.args"})
public final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    Verbosity verbosity;

    @Parameters(paramLabel = "CORPUS", arity = "0..*",
            description = "Text files and folders (as rnn prepare reads them), or a prepared directory. Default: data/alice.txt.")
    List<Path> corpus;

    @ArgGroup(validate = false, heading = "%nPreparing a text CORPUS (as rnn prepare; fixed by the checkpoint when"
            + " resuming):%n", order = 0)
    PrepareGroup prepare = new PrepareGroup();
    @ArgGroup(validate = false, heading = "%nModel (fixed by the checkpoint when resuming):%n", order = 1)
    TrainOptionGroups.Model model = new TrainOptionGroups.Model();
    @ArgGroup(validate = false, heading = "%nOptimisation (fixed by the checkpoint when resuming):%n", order = 2)
    TrainOptionGroups.Optimisation optimisation = new TrainOptionGroups.Optimisation();
    @ArgGroup(validate = false, heading = "%nBudget (whichever comes first stops training):%n", order = 3)
    TrainOptionGroups.Budget budget = new TrainOptionGroups.Budget();
    @ArgGroup(validate = false, heading = "%nEvaluation and checkpoints:%n", order = 4)
    TrainOptionGroups.Evaluation evaluation = new TrainOptionGroups.Evaluation();
    @ArgGroup(validate = false, heading = "%nRun and output:%n", order = 5)
    TrainOptionGroups.Setup run = new TrainOptionGroups.Setup();

    @Override
    public Integer call() throws Exception {
        String backend = Backend.load(verbosity.verbose());
        PrintWriter err = spec.commandLine().getErr();
        if (run.spark != null) {
            checkSpark(backend);
        } else if (run.sparkCorpus != null) {
            throw RnnException.usage("--spark-corpus names the corpus for a cluster's executors: it needs --spark");
        }
        var options = TrainOptionGroups.options(budget, evaluation);
        Progress progress = new Progress(err, "prepare", verbosity);
        List<String> switches = givenIn(PrepareGroup.class);
        if (corpus != null && corpus.stream().anyMatch(PreparedCorpus::isPrepared)) {
            if (corpus.size() > 1) {
                throw RnnException.usage(corpus.stream().filter(PreparedCorpus::isPrepared).findFirst().get()
                        + " is a prepared corpus: give it alone, or the text files it was prepared from");
            }
            if (!switches.isEmpty()) {
                throw RnnException.usage(String.join(", ", switches) + ": " + corpus.get(0) + " is prepared already;"
                        + " give the text file, or prepare it again with rnn prepare");
            }
        }
        var setup = new RunSetup(new Preparer(prepare.options(), this::info, progress::update));
        RunSetup.Start r;
        try {
            r = run.resume != null ? setup.resume(checkNothingFixedChanges(), run.model, corpus)
                    : run.initFrom != null ? setup.fineTune(run.initFrom, corpus, run.model, run.force, given(),
                    config(backend))
                    : setup.fresh(corpus, run.model, run.force, model.spec(), config(backend));
        } finally {
            progress.done();
        }
        try (r) {
            TrainingConsole console = new TrainingConsole(err, Terminal.stderrIsTerminal() && !verbosity.quiet(),
                    verbosity.quiet());
            Engine engine;
            try {
                engine = engine(r, backend, console);
            } catch (RuntimeException e) {
                r.abandon(); // nothing trained: a model directory this run made goes
                throw e;
            }
            try (engine) {
                if (r.resumedFrom() != null) {
                    info(String.format("Resuming %s at step %d (epoch %d)", r.resumedFrom(), r.state().step(),
                            r.state().epoch()));
                    if (givenIn(TrainOptionGroups.Budget.class).isEmpty()) {
                        options = options.continuing(r.state());
                        info(RunOptions.planLeft(r.state()) ? "Continuing the resumed run's budget: "
                                + budgetText(options) : "No budget given and the resumed run's is used up: training "
                                + Durations.format(options.maxSeconds()) + " more, the schedule over that");
                    }
                    options = resumedEvaluation(r.state(), options, err);
                }
                if (r.parent() != null && r.state().step() == 0) {
                    info(String.format("Fine-tuning %s (step %d), %d new symbols", r.parent().checkpoint(),
                            r.parent().steps(), r.parent().newSymbols().size()));
                }
                return train(r, engine, options, backend, err, console);
            }
        }
    }

    /** The local engine, or a cluster's whose lines (from Spark's threads too) go through the console. */
    private Engine engine(RunSetup.Start r, String backend, TrainingConsole console) {
        Engine.Kind kind = run.engine.resolve(backend);
        if (r.config().streams() && kind == Engine.Kind.dl4j) {
            throw RnnException.usage((r.resumedFrom() != null ? r.resumedFrom() + " trained on streams: " : "")
                    + Trainer.STREAMS_NEED_FAST);
        }
        Engine local = Engine.create(kind, r.net(), r.spec(), r.config().batch(), r.config().seqLength());
        return run.spark == null ? local : ClusterEngines.find().create(run.spark, run.sparkCorpus, local, r.net(),
                r.spec(), r.config(), r.corpus(), m -> {
                    if (!verbosity.quiet()) {
                        console.log(m);
                    }
                });
    }

    private int train(RunSetup.Start r, Engine engine, RunOptions options, String backend, PrintWriter err,
                      TrainingConsole console) throws IOException {
        info(String.format("Training %s %dx%d (%,d parameters) on %s: %,d train / %,d validation characters,"
                        + " vocabulary %d, backend %s", r.spec().cell().toUpperCase(), r.spec().layers(),
                r.spec().hidden(), r.net().numParams(), r.corpus().manifest().describe(),
                r.corpus().trainLength(), r.corpus().valLength(), r.corpus().vocabulary().size(), backend));
        info("Model directory: " + r.dir());
        Trainer trainer = new Trainer(r.net(), engine, r.corpus(), r.spec(), r.config(), options, r.state(),
                r.streams(), r.dir(), backend, console);
        trainer.setParent(r.parent());
        Signals.onInterrupt(() -> {
            console.log("stopping after this step and writing a checkpoint (interrupt again to quit at once)");
            trainer.requestStop();
        });
        Trainer.Result result;
        try {
            result = trainer.run();
        } finally {
            console.close();
        }
        summary(err, result, r.config());
        if (run.json) {
            JsonOutput.print(spec, Summary.of(result, r.config()));
        }
        return switch (result.stop()) {
            case INTERRUPTED -> ExitCodes.INTERRUPTED;
            case DIVERGED -> ExitCodes.DIVERGED;
            default -> ExitCodes.OK;
        };
    }

    /** What {@code --json} prints at the end of a run. */
    record Summary(String stop, long steps, int epoch, double elapsedSeconds, double bestValLoss,
                   double bestValBitsPerChar, long bestStep, double bestElapsedSeconds, double lastValLoss,
                   String valProtocol, String best, String last) {
        static Summary of(Trainer.Result r, Hyperparameters config) {
            TrainingState s = r.state();
            return new Summary(r.stop().name().toLowerCase(), s.step(), s.epoch(), s.elapsedSeconds(), s.bestValLoss(),
                    s.bestValLoss() / Math.log(2), s.bestStep(), s.bestSeconds(), s.lastValLoss(),
                    Trainer.protocol(config), r.best() == null ? null : r.best().toString(),
                    r.last() == null ? null : r.last().toString());
        }
    }

    /**
     * The optimisation of a fresh run, refused before anything is prepared when the engine cannot run
     * on this backend (fast on a GPU) or when it asks for streams on DL4J's engine.
     */
    private Hyperparameters config(String backend) {
        Hyperparameters c = optimisation.config();
        if (run.engine.resolve(backend) == Engine.Kind.dl4j && c.streams()) {
            throw RnnException.usage(Trainer.STREAMS_NEED_FAST);
        }
        return c;
    }

    /**
     * What --spark cannot run with, refused before anything is prepared: a master Spark does not
     * accept, DL4J's engine or the CUDA backend (each executor computes with the fast engine, on the CPU).
     */
    private void checkSpark(String backend) {
        ClusterEngines.checkMaster(run.spark);
        if (run.sparkCorpus != null) {
            ClusterEngines.checkCorpus(run.sparkCorpus);
        }
        if (run.engine == Engine.Kind.dl4j || "cuda".equals(backend)) {
            throw RnnException.usage(sparkNeedsTheCpu(run.engine == Engine.Kind.dl4j));
        }
        ClusterEngines.find().check(run.spark);
    }

    static String sparkNeedsTheCpu(boolean dl4jEngine) {
        return "--spark computes each executor's share with the fast engine on the CPU: leave out "
                + (dl4jEngine ? "--engine dl4j" : "the CUDA backend (RNN_BACKEND=cpu)");
    }

    /** The options given of the groups {@code groups}, by their longest names. */
    private List<String> givenIn(Class<?>... groups) {
        List<Class<?>> types = List.of(groups);
        return spec.commandLine().getParseResult().matchedOptions().stream()
                .filter(o -> o.group() != null && types.contains(o.group().typeInfo().getType()))
                .map(OptionSpec::longestName).distinct().toList();
    }

    private static String budgetText(RunOptions o) {
        List<String> parts = new java.util.ArrayList<>();
        if (o.epochs() > 0) {
            parts.add("to epoch " + o.epochs());
        }
        if (o.maxSteps() > 0) {
            parts.add("to step " + o.maxSteps());
        }
        if (o.maxSeconds() > 0) {
            parts.add(Durations.format(o.maxSeconds()) + " more");
        }
        return String.join(", ", parts);
    }

    /** The model options given on the command line, which --init-from checks against the parent's. */
    private RunSetup.Given given() {
        var p = spec.commandLine().getParseResult();
        return new RunSetup.Given(p.hasMatchedOption("--cell") ? model.cell.toLowerCase() : null,
                p.hasMatchedOption("--layers") ? model.layers : null, p.hasMatchedOption("--hidden") ? model.hidden : null,
                p.hasMatchedOption("--dropout") ? model.dropout : null);
    }

    /** The resumed checkpoint fixes the model and its optimisation: giving one of their options is a usage error. */
    private Path checkNothingFixedChanges() {
        if (run.initFrom != null) {
            throw RnnException.usage("--init-from cannot be combined with --resume: a resumed model already has its"
                    + " weights (fine-tune into a new --model instead)");
        }
        List<String> fixed = givenIn(PrepareGroup.class, TrainOptionGroups.Model.class, TrainOptionGroups.Optimisation.class);
        if (!fixed.isEmpty()) {
            throw RnnException.usage(String.join(", ", fixed) + " cannot change when resuming: the checkpoint"
                    + " fixes the corpus's preparation, the model and its optimisation (start a new --model to change"
                    + " them)");
        }
        return run.resume;
    }

    private void summary(PrintWriter err, Trainer.Result r, Hyperparameters config) {
        if (verbosity.quiet() && r.stop() != Trainer.Stop.DIVERGED) {
            return;
        }
        var s = r.state();
        String why = switch (r.stop()) {
            case STEPS -> "reached --max-steps";
            case EPOCHS -> "reached --epochs";
            case TIME -> "reached --max-time";
            case EARLY_STOP -> "early stop";
            case INTERRUPTED -> "interrupted";
            case DIVERGED -> "diverged";
        };
        err.printf("Done (%s): %,d steps, epoch %d, %s trained in all.%n", why, s.step(), s.epoch(),
                Durations.format(s.elapsedSeconds()));
        if (!Double.isNaN(s.bestValLoss())) {
            err.printf("Best validation loss %.4f nats = %.4f bits per character (%s), at step %,d after %s: %s%n",
                    s.bestValLoss(), s.bestValLoss() / Math.log(2), protocolText(config), s.bestStep(),
                    Durations.format(s.bestSeconds()), r.best());
        }
        if (r.last() != null) {
            err.printf("Last checkpoint: %s%s%n", r.last(),
                    r.stop() == Trainer.Stop.INTERRUPTED ? " (continue with: rnn train --resume " + r.last().getParent() + ")" : "");
        }
        err.flush();
    }

    /**
     * A resumed run's evaluations score what the resumed run's did, so that its figures compare with the best so
     * far: its {@code --eval-chars} unless the option is given; given and different, a warning says so.
     */
    private RunOptions resumedEvaluation(TrainingState state, RunOptions options, PrintWriter err) {
        Long used = state.evalChars();
        if (used == null || used == options.evalChars()) {
            return options;
        }
        if (!spec.commandLine().getParseResult().hasMatchedOption("--eval-chars")) {
            info("Evaluating " + evalText(used) + " of the validation split, as the resumed run did (--eval-chars"
                    + " changes it)");
            return options.withEvalChars(used);
        }
        if (!Double.isNaN(state.bestValLoss())) {
            err.printf("warning: --eval-chars %d: the resumed run's best validation loss (%.4f at step %d) was measured"
                    + " on %s of the validation split; best.zip changes only for a lower figure on the new text%n",
                    options.evalChars(), state.bestValLoss(), state.bestStep(), evalText(used));
        }
        return options;
    }

    private static String evalText(long evalChars) {
        return evalChars == 0 ? "all" : String.format("the first %,d characters", evalChars);
    }

    /** How validation was scored, in words. */
    static String protocolText(Hyperparameters config) {
        return config.streams() ? config.batch() + " streams, state carried" : "windows from a zero state";
    }

    private void info(String message) {
        verbosity.info(spec.commandLine().getErr(), message);
    }
}
