package charrnn.cli;

import charrnn.ExitCodes;
import charrnn.RnnException;
import charrnn.corpus.Json;
import charrnn.corpus.PrepareOptions;
import charrnn.corpus.PreparedCorpus;
import charrnn.corpus.Preparer;
import charrnn.engine.Engine;
import charrnn.model.Checkpoint;
import charrnn.model.ModelSpec;
import charrnn.model.TrainConfig;
import charrnn.model.TrainingState;
import charrnn.train.TrainOptions;
import charrnn.train.Trainer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

@Command(name = "train", sortOptions = false,
        description = {"Train an LSTM (or plain RNN) on a corpus, with validation, checkpoints and resume.",
                "CORPUS is a text file (prepared on the fly into MODEL/corpus/) or a prepared directory;",
                "without it, data/alice.txt. Checkpoints, metrics.csv and loss.png go to --model."})
public final class TrainCommand implements Callable<Integer> {
    static final String DEFAULT_CORPUS = "data/alice.txt";
    /** Options fixed by the model: a resumed run takes them from the checkpoint. */
    private static final List<String> MODEL_OPTIONS = List.of("--cell", "--layers", "--hidden", "--dropout",
            "--seq-length", "--batch", "--optimizer", "--lr", "--lr-decay", "--lr-decay-after", "--clip",
            "--random-seed");

    @Spec
    CommandSpec spec;
    @Mixin
    Verbosity verbosity;

    @Parameters(paramLabel = "CORPUS", arity = "0..1", description = "Text file or prepared directory (default: data/alice.txt).")
    Path corpus;

    @Option(names = {"-m", "--model"}, paramLabel = "DIR", description = "Model directory (default: models/<corpus name>).")
    Path model;

    @Option(names = "--resume", paramLabel = "MODEL", description = "Continue a model directory (its last.zip) or a checkpoint file.")
    Path resume;

    @Option(names = "--force", description = "Start over in a model directory that already holds checkpoints (deletes them).")
    boolean force;

    @Option(names = "--cell", defaultValue = "lstm", paramLabel = "lstm|rnn", description = "Recurrent cell (default: ${DEFAULT-VALUE}).")
    String cell;
    @Option(names = "--layers", defaultValue = "2", description = "Recurrent layers (default: ${DEFAULT-VALUE}).")
    int layers;
    @Option(names = "--hidden", defaultValue = "256", description = "Units per layer (default: ${DEFAULT-VALUE}).")
    int hidden;
    @Option(names = "--dropout", defaultValue = "0.1", paramLabel = "P",
            description = "Dropout between layers and before the output (default: ${DEFAULT-VALUE}).")
    double dropout;

    @Option(names = "--seq-length", defaultValue = "100", description = "Characters per window; BPTT is truncated there (default: ${DEFAULT-VALUE}).")
    int seqLength;
    @Option(names = "--batch", defaultValue = "64", description = "Windows per step (default: ${DEFAULT-VALUE}).")
    int batch;
    @Option(names = "--optimizer", defaultValue = "adam", paramLabel = "adam|rmsprop", description = "Optimizer (default: ${DEFAULT-VALUE}).")
    String optimizer;
    @Option(names = "--lr", defaultValue = "4e-3", description = "Learning rate, in (0, 1] (default: ${DEFAULT-VALUE}).")
    double lr;
    @Option(names = "--lr-decay", defaultValue = "0.97", paramLabel = "D",
            description = "Multiply the learning rate by D at each epoch after --lr-decay-after epochs (default: ${DEFAULT-VALUE}; 1 = constant).")
    double lrDecay;
    @Option(names = "--lr-decay-after", defaultValue = "30", paramLabel = "E", description = "Epochs at the initial rate (default: ${DEFAULT-VALUE}).")
    int lrDecayAfter;
    @Option(names = "--clip", defaultValue = "5", description = "Clip each gradient element to [-clip, clip]; 0 = off (default: ${DEFAULT-VALUE}).")
    double clip;
    @Option(names = "--random-seed", defaultValue = "42", description = "Seed for initialisation, window order and dropout (default: ${DEFAULT-VALUE}).")
    long randomSeed;

    @Option(names = "--epochs", defaultValue = "0", description = "Stop after this many epochs in all (0 = no limit).")
    int epochs;
    @Option(names = "--max-steps", defaultValue = "0", description = "Stop at this step count in all (0 = no limit).")
    long maxSteps;
    @Option(names = "--max-time", converter = Durations.class, paramLabel = "DURATION",
            description = "Stop this run after e.g. 90s, 10m, 1h30m (default: 10m when no --epochs, --max-steps or --max-time is given).")
    Double maxTime;

    @Option(names = "--eval-every", defaultValue = "100", paramLabel = "N", description = "Validation loss every N steps (default: ${DEFAULT-VALUE}).")
    int evalEvery;
    @Option(names = "--eval-chars", defaultValue = "250000", paramLabel = "N",
            description = "Characters of the validation split each evaluation scores: the first N, the same ones every time"
                    + " (default: ${DEFAULT-VALUE}; 0 = the whole split).")
    long evalChars;
    @Option(names = "--sample-every", paramLabel = "N", description = "Preview generated text on stderr every N steps (default: at each evaluation; 0 = off).")
    Integer sampleEvery;
    @Option(names = "--sample-length", defaultValue = "200", paramLabel = "N", description = "Characters per preview (default: ${DEFAULT-VALUE}).")
    int sampleLength;
    @Option(names = "--checkpoint-every", defaultValue = "500", paramLabel = "N",
            description = "Write step-NNNNNN.zip every N steps (default: ${DEFAULT-VALUE}; 0 = only best.zip and last.zip).")
    int checkpointEvery;
    @Option(names = "--keep", defaultValue = "3", paramLabel = "K", description = "Step checkpoints to keep (default: ${DEFAULT-VALUE}).")
    int keep;
    @Option(names = "--early-stop", defaultValue = "0", paramLabel = "N",
            description = "Stop when the validation loss has not improved for N evaluations (0 = off).")
    int earlyStop;
    @Option(names = "--engine", defaultValue = "auto", paramLabel = "auto|fast|dl4j",
            description = "Training step: fast (the project's LSTM step on the CPU, same math as DL4J's, several times"
                    + " faster), dl4j (DL4J's own layers; always used for --cell rnn), or auto: fast for LSTMs on the"
                    + " CPU, dl4j on a GPU (default: ${DEFAULT-VALUE}).")
    Engine.Kind engine;
    @Option(names = "--json", description = "Print the final summary as JSON on stdout.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        String backend = Backend.load();
        PrintWriter err = spec.commandLine().getErr();
        TrainOptions options = new TrainOptions(epochs, maxSteps,
                maxTime != null ? maxTime : (epochs == 0 && maxSteps == 0 ? 600.0 : 0.0),
                evalEvery, evalChars, sampleEvery != null ? sampleEvery : evalEvery, sampleLength, checkpointEvery, keep, earlyStop);

        MultiLayerNetwork net;
        ModelSpec modelSpec;
        TrainConfig config;
        TrainingState state;
        PreparedCorpus data;
        Path dir;
        if (resume != null) {
            List<String> fixed = MODEL_OPTIONS.stream()
                    .filter(o -> spec.commandLine().getParseResult().hasMatchedOption(o)).toList();
            if (!fixed.isEmpty()) {
                throw RnnException.usage(String.join(", ", fixed) + " cannot change when resuming: the checkpoint"
                        + " fixes the model and its optimisation (start a new --model to change them)");
            }
            Path file = Files.isDirectory(resume) ? resume.resolve(Checkpoint.LAST) : resume;
            if (Files.isDirectory(resume) && !Files.exists(file)) {
                throw RnnException.badModel(resume + ": nothing to resume (no " + Checkpoint.LAST + ")");
            }
            Checkpoint.Loaded loaded = Checkpoint.load(file, true);
            net = loaded.net();
            modelSpec = loaded.info().spec();
            config = loaded.info().config();
            state = loaded.info().state();
            dir = model != null ? model : file.toAbsolutePath().getParent();
            data = corpus != null ? openOrPrepare(corpus, dir, err) : reopen(loaded, dir, err);
            if (!data.vocabulary().equals(loaded.vocabulary())) {
                throw RnnException.badModel(data.dir() + ": its vocabulary (" + data.vocabulary().size()
                        + " symbols) differs from the model's (" + loaded.vocabulary().size()
                        + "); resume with the corpus the model was trained on");
            }
            state = state.withCorpusDir(data.dir().toAbsolutePath().toString());
            info(err, String.format("Resuming %s at step %d (epoch %d)", file, state.step(), state.epoch()));
        } else {
            config = new TrainConfig(seqLength, batch, optimizer.toLowerCase(), lr, lrDecay, lrDecayAfter, clip, randomSeed);
            new ModelSpec(cell.toLowerCase(), layers, hidden, dropout, 2); // validate options before any work
            Path source = corpus != null ? corpus : defaultCorpus();
            dir = model != null ? model : defaultModelDir(source);
            checkFreshModelDir(dir);
            data = openOrPrepare(source, dir, err);
            modelSpec = new ModelSpec(cell.toLowerCase(), layers, hidden, dropout, data.vocabulary().size());
            net = charrnn.model.Networks.build(modelSpec, config);
            state = TrainingState.start(data.dir().toAbsolutePath().toString());
        }
        if (data.trainLength() <= (long) config.seqLength() * config.batch()) {
            info(err, String.format("warning: the training split (%,d characters) holds fewer than one batch of"
                    + " %d windows of %d; consider a smaller --batch or --seq-length", data.trainLength(),
                    config.batch(), config.seqLength()));
        }
        if (data.trainLength() <= config.seqLength() + 1L || data.valLength() < 2) {
            throw RnnException.badData(data.dir() + ": too short for --seq-length " + config.seqLength()
                    + " (train split " + data.trainLength() + " characters)");
        }
        if ((data.trainLength() - 1) / config.seqLength() < config.batch()) {
            throw RnnException.usage(String.format("--batch %d needs %d windows of %d characters but the training"
                    + " split has %d; lower --batch or --seq-length", config.batch(), config.batch(),
                    config.seqLength(), (data.trainLength() - 1) / config.seqLength()));
        }

        info(err, String.format("Training %s %dx%d (%,d parameters) on %s: %,d train / %,d validation characters,"
                        + " vocabulary %d, backend %s", modelSpec.cell().toUpperCase(), modelSpec.layers(),
                modelSpec.hidden(), net.numParams(), data.manifest().source().path(), data.trainLength(),
                data.valLength(), data.vocabulary().size(), backend));
        info(err, "Model directory: " + dir);

        TrainingConsole console = new TrainingConsole(err, Terminal.stderrIsTerminal() && !Verbosity.isQuiet(),
                Verbosity.isQuiet());
        Engine step = Engine.create(engine.resolve(backend, modelSpec.cell()), net, modelSpec, config.batch(),
                config.seqLength());
        Trainer trainer = new Trainer(net, step, data, modelSpec, config, options, state, dir, backend, console);
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
        summary(err, result);
        if (json) {
            ObjectNode o = Json.COMPACT.createObjectNode();
            o.put("stop", result.stop().name().toLowerCase());
            o.put("steps", result.state().step());
            o.put("epoch", result.state().epoch());
            o.put("elapsedSeconds", result.state().elapsedSeconds());
            o.put("bestValLoss", result.state().bestValLoss());
            o.put("bestValBitsPerChar", result.state().bestValLoss() / Math.log(2));
            o.put("bestStep", result.state().bestStep());
            o.put("lastValLoss", result.state().lastValLoss());
            o.put("best", result.best() == null ? null : result.best().toString());
            o.put("last", result.last() == null ? null : result.last().toString());
            PrintWriter out = spec.commandLine().getOut();
            out.println(Json.COMPACT.writeValueAsString(o));
            out.flush();
        }
        return switch (result.stop()) {
            case INTERRUPTED -> ExitCodes.INTERRUPTED;
            case DIVERGED -> ExitCodes.DIVERGED;
            default -> ExitCodes.OK;
        };
    }

    private void summary(PrintWriter err, Trainer.Result r) {
        if (Verbosity.isQuiet() && r.stop() != Trainer.Stop.DIVERGED) {
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
            err.printf("Best validation loss %.4f nats = %.4f bits per character, at step %,d: %s%n",
                    s.bestValLoss(), s.bestValLoss() / Math.log(2), s.bestStep(), r.best());
        }
        if (r.last() != null) {
            err.printf("Last checkpoint: %s%s%n", r.last(),
                    r.stop() == Trainer.Stop.INTERRUPTED ? " (continue with: rnn train --resume " + r.last().getParent() + ")" : "");
        }
        err.flush();
    }

    private void info(PrintWriter err, String message) {
        if (!Verbosity.isQuiet()) {
            err.println(message);
            err.flush();
        }
    }

    private static Path defaultCorpus() {
        Path p = Paths.get(DEFAULT_CORPUS);
        if (Files.exists(p)) {
            return p;
        }
        String home = System.getProperty("rnn.home");
        if (home != null && Files.exists(Paths.get(home, DEFAULT_CORPUS))) {
            return Paths.get(home, DEFAULT_CORPUS);
        }
        throw RnnException.badData(DEFAULT_CORPUS + ": not found; run data/fetch-alice.sh first, or name a corpus");
    }

    private static Path defaultModelDir(Path source) {
        String name = source.toAbsolutePath().normalize().getFileName().toString();
        int dot = name.lastIndexOf('.');
        if (dot > 0 && !Files.isDirectory(source)) {
            name = name.substring(0, dot);
        }
        // the default corpus found under the installation: the model goes there too
        Path parent = source.toAbsolutePath().normalize().getParent();
        if (parent != null && parent.getFileName() != null && parent.getFileName().toString().equals("data")
                && Files.isDirectory(parent.resolveSibling("models"))) {
            return parent.resolveSibling("models").resolve(name);
        }
        return Paths.get("models", name);
    }

    private void checkFreshModelDir(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> old;
        try (Stream<Path> s = Files.list(dir)) {
            old = s.filter(p -> p.getFileName().toString().endsWith(".zip")
                    || p.getFileName().toString().equals(charrnn.train.MetricsLog.FILE)
                    || p.getFileName().toString().equals(charrnn.train.LossPlot.FILE)).toList();
        }
        if (old.isEmpty()) {
            return;
        }
        if (!force) {
            throw RnnException.usage(dir + ": already holds a trained model; continue it with --resume " + dir
                    + ", choose another --model, or pass --force to start over (deletes its checkpoints)");
        }
        for (Path p : old) {
            Files.delete(p);
        }
    }

    /** A prepared directory as is; a text file prepared into DIR/corpus unless already prepared from the same bytes. */
    private static PreparedCorpus openOrPrepare(Path source, Path dir, PrintWriter err) throws IOException {
        if (Files.isDirectory(source)) {
            return PreparedCorpus.open(source);
        }
        Path cache = dir.resolve("corpus");
        if (PreparedCorpus.isPrepared(cache)) {
            try {
                PreparedCorpus c = PreparedCorpus.open(cache);
                String sha = Preparer.sha256(source);
                if (sha.equals(c.manifest().source().sha256())
                        && PrepareOptions.defaults().valFraction() == c.manifest().split().valFraction()) {
                    return c;
                }
            } catch (RnnException e) {
                // damaged cache: prepare again below
            }
        }
        Files.createDirectories(dir);
        Preparer p = new Preparer(PrepareOptions.defaults(), m -> {
            if (!Verbosity.isQuiet()) {
                err.println(m);
            }
        }, new Progress(err, "prepare " + source.getFileName())::update);
        if (!Files.exists(source)) {
            throw RnnException.badData(source + ": no such file or prepared directory");
        }
        p.prepare(source, cache, true);
        return PreparedCorpus.open(cache);
    }

    /** The corpus a checkpoint was trained on: its prepared directory, else its source file prepared again. */
    private static PreparedCorpus reopen(Checkpoint.Loaded loaded, Path dir, PrintWriter err) throws IOException {
        String prepared = loaded.info().state().corpusDir();
        if (prepared != null && PreparedCorpus.isPrepared(Paths.get(prepared))) {
            return PreparedCorpus.open(Paths.get(prepared));
        }
        Path source = Paths.get(loaded.info().corpus().source().path());
        if (Files.isRegularFile(source)) {
            return openOrPrepare(source, dir, err);
        }
        throw RnnException.badData("the corpus this model was trained on is gone (" + prepared + ", " + source
                + "); name it: rnn train CORPUS --resume ...");
    }
}
