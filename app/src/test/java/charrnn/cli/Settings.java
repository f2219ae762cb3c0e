package charrnn.cli;

import charrnn.corpus.PrepareOptions;
import charrnn.model.ModelSpec;
import charrnn.model.Hyperparameters;
import charrnn.train.RunOptions;
import picocli.CommandLine;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;

/**
 * The settings tests start from: the CLI's defaults, read from its picocli annotations (the only place
 * they are written), and copies of a settings record with some components changed.
 */
public final class Settings {
    private Settings() {
    }

    private static TrainCommand train() {
        TrainCommand cmd = new TrainCommand();
        new CommandLine(cmd).parseArgs();
        return cmd;
    }

    /** {@code rnn train}'s model over {@code vocabSize} symbols. */
    public static ModelSpec spec(int vocabSize) {
        return Records.with(train().model.spec(), "vocabSize", vocabSize);
    }

    /** {@code rnn train}'s optimisation settings. */
    public static Config config() {
        return new Config(train().optimisation.config());
    }

    /** {@code rnn train}'s budget and cadence. */
    public static Options options() {
        TrainCommand cmd = train();
        return new Options(TrainOptionGroups.options(cmd.budget, cmd.evaluation));
    }

    /** {@code rnn prepare}'s switches. */
    public static Prepare prepare() {
        PrepareCommand cmd = new PrepareCommand();
        new CommandLine(cmd).parseArgs("corpus.txt");
        return new Prepare(cmd.switches.options());
    }

    /** char-rnn's per-epoch schedule on shuffled windows with these settings, the rest the defaults. */
    public static Hyperparameters charRnn(int seqLength, int batch, String optimizer, double lr, double lrDecay,
                                      int lrDecayAfter, double clip, long randomSeed) {
        return Records.with(config().get(), "seqLength", seqLength, "batch", batch, "optimizer", optimizer, "lr", lr,
                "minLr", Hyperparameters.defaultMinLr(lr), "lrDecay", lrDecay, "lrDecayAfter", lrDecayAfter, "clip", clip,
                "randomSeed", randomSeed, "schedule", Hyperparameters.CHAR_RNN);
    }

    public static Config of(Hyperparameters c) {
        return new Config(c);
    }

    public static Options of(RunOptions o) {
        return new Options(o);
    }

    /** A copy of a record with named components changed. */
    static final class Records {
        static <R extends Record> R with(R r, Object... nameValues) {
            RecordComponent[] cs = r.getClass().getRecordComponents();
            Object[] values = new Object[cs.length];
            Class<?>[] types = new Class<?>[cs.length];
            try {
                for (int i = 0; i < cs.length; i++) {
                    types[i] = cs[i].getType();
                    values[i] = cs[i].getAccessor().invoke(r);
                    for (int k = 0; k < nameValues.length; k += 2) {
                        if (cs[i].getName().equals(nameValues[k])) {
                            values[i] = nameValues[k + 1];
                        }
                    }
                }
                @SuppressWarnings("unchecked")
                R copy = (R) r.getClass().getDeclaredConstructor(types).newInstance(values);
                return copy;
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
            } catch (ReflectiveOperationException | IllegalArgumentException e) {
                throw new IllegalArgumentException(r.getClass().getSimpleName() + " with "
                        + Arrays.toString(nameValues) + ": " + e, e);
            }
        }
    }

    /** A {@link Hyperparameters} being changed. */
    public static final class Config {
        private Hyperparameters c;

        Config(Hyperparameters c) {
            this.c = c;
        }

        public Config with(String component, Object value) {
            c = Records.with(c, component, value);
            return this;
        }

        public Config withWindows(int seqLength, int batch) {
            return with("seqLength", seqLength).with("batch", batch);
        }

        /** {@code optimizer} at a constant rate {@code lr}. */
        public Config withConstantRate(String optimizer, double lr) {
            c = Records.with(c, "optimizer", optimizer, "lr", lr, "lrDecay", 1.0, "schedule", Hyperparameters.CONSTANT,
                    "minLr", Math.min(c.minLr(), lr), "warmup", 0);
            return this;
        }

        /** The schedule {@code schedule} from lr down to {@code minLr}, after {@code warmup} steps of warm-up. */
        public Config withSchedule(String schedule, double minLr, int warmup, double decayFraction) {
            c = Records.with(c, "schedule", schedule, "minLr", minLr, "warmup", warmup, "decayFraction", decayFraction);
            return this;
        }

        public Config withClip(double clip) {
            return with("clip", clip);
        }

        public Config withClipNorm(double clipNorm) {
            return with("clipNorm", clipNorm);
        }

        public Config withRandomSeed(long seed) {
            return with("randomSeed", seed);
        }

        public Config withStreams(boolean streams) {
            return with("streams", streams);
        }

        public Hyperparameters get() {
            return c;
        }
    }

    /** {@link RunOptions} being changed. */
    public static final class Options {
        private RunOptions o;

        Options(RunOptions o) {
            this.o = o;
        }

        private Options with(Object... nameValues) {
            o = Records.with(o, nameValues);
            return this;
        }

        /** A budget of {@code n} steps and nothing else. */
        public Options withMaxSteps(long n) {
            return with("epochs", 0, "maxSteps", n, "maxSeconds", 0.0);
        }

        /** A budget of {@code n} epochs and nothing else. */
        public Options withEpochs(int n) {
            return with("epochs", n, "maxSteps", 0L, "maxSeconds", 0.0);
        }

        /** A budget of {@code seconds} of this run and nothing else. */
        public Options withMaxSeconds(double seconds) {
            return with("epochs", 0, "maxSteps", 0L, "maxSeconds", seconds);
        }

        public Options withEvalEvery(int n) {
            return with("evalEvery", n);
        }

        public Options withEvalChars(long n) {
            return with("evalChars", n);
        }

        public Options withSampleEvery(int n) {
            return with("sampleEvery", n);
        }

        public Options withCheckpoints(int every, int keep) {
            return with("checkpointEvery", every, "keep", keep);
        }

        public Options withEarlyStop(int evaluations) {
            return with("earlyStop", evaluations);
        }

        public RunOptions get() {
            return o;
        }
    }

    /** {@link PrepareOptions} being changed. */
    public static final class Prepare {
        private PrepareOptions p;

        Prepare(PrepareOptions p) {
            this.p = p;
        }

        public Prepare withValFraction(double f) {
            p = Records.with(p, "valFraction", f);
            return this;
        }

        /** With the named components changed: with("lowercase", true, "valFraction", 0.5). */
        public Prepare with(Object... nameValues) {
            p = Records.with(p, nameValues);
            return this;
        }

        public PrepareOptions get() {
            return p;
        }
    }
}
