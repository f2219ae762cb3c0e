package charrnn.cli;

import charrnn.engine.Engine;
import charrnn.cell.Cell;
import charrnn.model.ModelSpec;
import charrnn.model.Hyperparameters;
import charrnn.train.RunOptions;
import charrnn.engine.ClusterEngines;
import picocli.CommandLine.IParameterPreprocessor;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.Stack;

/**
 * {@code rnn train}'s options, grouped as its help shows them; each group converts to its record
 * here and nowhere else. The model and optimisation groups are what a checkpoint fixes.
 */
final class TrainOptionGroups {
    private TrainOptionGroups() {
    }

    static final class Model {
        @Option(names = "--cell", defaultValue = "gru", paramLabel = "gru|lstm|rnn",
                description = "Recurrent cell: gru, PyTorch's and cuDNN's GRU (the reset gate applied"
                        + " after the recurrent product: one product per step for all gates); lstm, char-rnn's; rnn,"
                        + " the tutorials' plain recurrent baseline.")
        String cell;
        @Option(names = "--layers", defaultValue = "2", paramLabel = "N", description = "Recurrent layers.")
        int layers;
        @Option(names = "--hidden", paramLabel = "N",
                description = "Units per layer. Default: 296 for gru, the parameters of a 2 x 256 LSTM; 256 for lstm"
                        + " and rnn.")
        Integer hidden;
        @Option(names = "--dropout", defaultValue = "0.1", paramLabel = "P",
                description = "Dropout between layers and before the output, never on the input.")
        double dropout;

        /** The spec to build; its vocabulary size is a placeholder until the corpus is known. */
        ModelSpec spec() {
            String c = cell.toLowerCase();
            Cell type = Cell.named(c);
            int units = hidden != null ? hidden : type != null ? type.defaultHidden : 1;
            return new ModelSpec(c, layers, units, dropout, 2);
        }
    }

    static final class Optimisation {
        @Option(names = "--seq-length", defaultValue = "100", paramLabel = "N",
                description = "Characters per window; backpropagation through time is truncated there.")
        int seqLength;
        @Option(names = "--batch", defaultValue = "32", paramLabel = "N",
                description = "Windows per step (with --streams: the number of streams).")
        int batch;
        @Option(names = "--optimizer", defaultValue = "adam", paramLabel = "adam|rmsprop", description = "Optimizer.")
        String optimizer;
        @Option(names = "--streams", negatable = true, defaultValue = "false", fallbackValue = "true",
                description = "char-rnn's contiguous streams: --batch streams through the training split, each window"
                        + " starting from the state the one before left, validation scored the same way."
                        + " --no-streams (the default): windows in shuffled order, each from a zero state.")
        boolean streams;
        @Option(names = "--lr", defaultValue = "3e-3", paramLabel = "X", description = "Peak learning rate, in (0, 1].")
        double lr;
        @Option(names = "--lr-schedule", defaultValue = "wsd", paramLabel = "wsd|cosine|char-rnn|constant",
                description = "wsd: hold --lr, then fall linearly to --min-lr over the final --decay-fraction of the"
                        + " budget; cosine: from --lr to --min-lr over the budget; char-rnn: times --lr-decay each"
                        + " epoch after --lr-decay-after; constant. Budget progress: steps, or time with --max-time.")
        String schedule;
        @Option(names = "--min-lr", paramLabel = "X", description = "Where wsd and cosine end. Default: --lr / 10.")
        Double minLr;
        @Option(names = "--decay-fraction", defaultValue = "0.2", paramLabel = "F",
                description = "wsd: the final fraction of the budget that decays.")
        double decayFraction;
        @Option(names = "--warmup", defaultValue = "0", paramLabel = "STEPS",
                description = "Linear warm-up to --lr over the first STEPS steps.")
        int warmup;
        @Option(names = "--lr-decay", defaultValue = "0.97", paramLabel = "D",
                description = "char-rnn schedule: multiply the rate by D each epoch after --lr-decay-after epochs.")
        double lrDecay;
        @Option(names = "--lr-decay-after", defaultValue = "30", paramLabel = "E",
                description = "char-rnn schedule: epochs at the initial rate.")
        int lrDecayAfter;
        @Option(names = "--clip", defaultValue = "5", paramLabel = "C",
                description = "Clip each gradient element to [-C, C]; 0 = off.")
        double clip;
        @Option(names = "--clip-norm", defaultValue = "0", paramLabel = "C",
                description = "Then scale the whole gradient down to L2 norm C when it is longer; 0 = off.")
        double clipNorm;
        @Option(names = "--random-seed", defaultValue = "42", paramLabel = "S",
                description = "Seed of the initialisation, the window order and dropout.")
        long randomSeed;

        Hyperparameters config() {
            return new Hyperparameters(seqLength, batch, optimizer.toLowerCase(), lr, lrDecay, lrDecayAfter, clip, randomSeed,
                    schedule.toLowerCase(), minLr != null ? minLr : Hyperparameters.defaultMinLr(lr), warmup, decayFraction,
                    clipNorm, streams);
        }
    }

    static final class Budget {
        @Option(names = "--epochs", defaultValue = "0", paramLabel = "N", description = "Stop after N epochs in all; 0 = no limit.")
        int epochs;
        @Option(names = "--max-steps", defaultValue = "0", paramLabel = "N", description = "Stop at step N in all; 0 = no limit.")
        long maxSteps;
        @Option(names = "--max-time", converter = Durations.class, paramLabel = "DURATION",
                description = "Stop this run after e.g. 90s, 10m, 1h30m. No budget: 10m, or on --resume what is left"
                        + " of the resumed run's budget.")
        Double maxSeconds;
    }

    static final class Evaluation {
        @Option(names = "--eval-every", defaultValue = "100", paramLabel = "N", description = "Validation loss every N steps.")
        int evalEvery;
        // 50,000, not 250,000: on War and Peace evaluations of 250,000 took a fifth of a 10-minute run's time
        // from training (bench/NOTES.md 63).
        @Option(names = "--eval-chars", defaultValue = "50000", paramLabel = "N",
                description = "Characters of the validation split each evaluation scores: the first N, the same every"
                        + " time; 0 = the whole split.")
        long evalChars;
        @Option(names = "--sample-every", paramLabel = "N",
                description = "A preview of generated text on stderr every N steps; 0 = off. Default: at each evaluation.")
        Integer sampleEvery;
        @Option(names = "--sample-length", defaultValue = "200", paramLabel = "N", description = "Characters per preview.")
        int sampleLength;
        @Option(names = "--checkpoint-every", defaultValue = "500", paramLabel = "N",
                description = "Write step-NNNNNN.zip every N steps; 0 = only best.zip and last.zip.")
        int checkpointEvery;
        @Option(names = "--keep", defaultValue = "3", paramLabel = "K", description = "Step checkpoints to keep.")
        int keep;
        @Option(names = "--early-stop", defaultValue = "0", paramLabel = "N",
                description = "Stop when the validation loss has not improved for N evaluations; 0 = off.")
        int earlyStop;
    }

    static final class Setup {
        @Option(names = {"-m", "--model"}, paramLabel = "DIR", description = "Model directory. Default: models/<corpus name>.")
        Path model;
        @Option(names = "--resume", paramLabel = "MODEL", description = "Continue a model directory (its last.zip) or a checkpoint file.")
        Path resume;
        @Option(names = "--init-from", paramLabel = "MODEL",
                description = "Start from this model's weights (its cell, layers and sizes) with a fresh optimizer and"
                        + " step 0: fine-tuning on CORPUS. A directory's best.zip, else last.zip, or a checkpoint file.")
        Path initFrom;
        @Option(names = "--force", description = "Start over in a model directory that already holds checkpoints (deletes them).")
        boolean force;
        @Option(names = "--engine", defaultValue = "auto", paramLabel = "auto|fast|dl4j",
                description = "Training step: fast (the project's step on the CPU for every cell, same math as DL4J's"
                        + " layers, several times faster), dl4j (DL4J's own layers), or auto: fast on the CPU, dl4j on"
                        + " a GPU.")
        Engine.Kind engine;
        @Option(names = "--spark", arity = "0..1", paramLabel = "MASTER", preprocessor = SparkMaster.class,
                description = "Train on Apache Spark: each step's windows split over the executors of MASTER, which"
                        + " compute with the fast engine; this process applies the steps and writes the checkpoints."
                        + " local[N] (N threads in this JVM), spark://HOST:PORT (a standalone cluster), yarn or"
                        + " k8s://URL (through spark-submit). --spark alone: spark-submit's --master, else local[*].")
        String spark;
        @Option(names = "--spark-corpus", paramLabel = "URI",
                description = "With --spark: the executors read the prepared corpus's copy at URI, an absolute path"
                        + " every node sees (a shared file system) or a Hadoop file system URI (hdfs://...). Default:"
                        + " a local master reads this process's; a cluster gets a copy shipped with the job.")
        String sparkCorpus;
        @Option(names = "--json", description = "Print the final summary as JSON on stdout.")
        boolean json;
    }

    /**
     * {@code --spark} takes the next argument as its MASTER only when it is one ({@code rnn train --spark
     * data/alice.txt} trains data/alice.txt on the default master); an empty value stands for that default.
     */
    static final class SparkMaster implements IParameterPreprocessor {
        @Override
        public boolean preprocess(Stack<String> args, CommandSpec commandSpec, ArgSpec argSpec, Map<String, Object> info) {
            if (" ".equals(info.get("separator"))
                    && (args.isEmpty() || !ClusterEngines.MASTER_LIKE.matcher(args.peek()).matches())) {
                args.push("");
            }
            return false;
        }
    }

    /** The run's budget and cadence: 10 minutes when no budget is given, a preview at each evaluation by default. */
    static RunOptions options(Budget b, Evaluation e) {
        double seconds = b.maxSeconds != null ? b.maxSeconds : b.epochs == 0 && b.maxSteps == 0 ? RunOptions.DEFAULT_SECONDS : 0;
        return new RunOptions(b.epochs, b.maxSteps, seconds, e.evalEvery, e.evalChars,
                e.sampleEvery != null ? e.sampleEvery : e.evalEvery, e.sampleLength, e.checkpointEvery, e.keep,
                e.earlyStop);
    }
}
