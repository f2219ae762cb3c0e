package charrnn.cli;

import charrnn.ExitCodes;
import charrnn.RnnException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.lang.reflect.Field;

/** Entry point: picocli subcommands, exit codes and the one-line error policy. */
@Command(name = "rnn", mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Character-level text generation with recurrent networks: GRU, LSTM, plain RNN (Deeplearning4j).",
        subcommands = {
                PrepareCommand.class,
                TrainCommand.class,
                SampleCommand.class,
                ServeCommand.class,
                EvalCommand.class,
                ScoreCommand.class,
                InfoCommand.class,
                EnvCommand.class,
                WarmUpCommand.class,
                CommandLine.HelpCommand.class
        },
        footer = {"", Main.EXIT_CODES_1, Main.EXIT_CODES_2})
public final class Main implements Runnable {
    /** The end of every command's help (ExitCodes). */
    static final String EXIT_CODES_1 = "Exit codes: 0 ok, 1 unexpected failure, 2 usage error, 3 bad input data,";
    static final String EXIT_CODES_2 = "4 bad or incompatible model, 5 training diverged, 6 no such device,"
            + " 7 Spark cluster failure, 130 interrupted.";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given writers; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = commandLine();
        cl.setOut(out);
        cl.setErr(err);
        return cl.execute(args);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // every number option is finite: NaN and infinity are usage errors, never values that reach a record
        CommandLine.ITypeConverter<Double> finite = Main::finite; // one lambda: two of the same break the CDS dump
        cl.registerConverter(Double.class, finite).registerConverter(double.class, finite);
        cl.setParameterExceptionHandler(Main::usageError);
        cl.setExecutionExceptionHandler(Main::failure);
        cl.setExecutionStrategy(parsed -> {
            CommandLine.ParseResult leaf = parsed;
            while (leaf.hasSubcommand()) {
                leaf = leaf.subcommand();
            }
            Verbosity.of(leaf.commandSpec()).applyToLogging();
            return new CommandLine.RunLast().execute(parsed);
        });
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    static Double finite(String text) {
        double v;
        try {
            v = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a number");
        }
        if (!Double.isFinite(v)) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a finite number");
        }
        return v;
    }

    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println("rnn: " + e.getMessage());
        err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for more information.");
        return ExitCodes.USAGE;
    }

    private static int failure(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        boolean verbose = Verbosity.of(cl.getCommandSpec()).verbose();
        if (e instanceof RnnException r) {
            err.println("rnn: " + asOption(r, cl.getCommandSpec()));
            if (verbose && r.getCause() != null) {
                r.getCause().printStackTrace(err);
            }
            return r.exitCode();
        }
        if (e instanceof java.io.IOException io) {
            err.println("rnn: I/O error: " + describe(io) + (verbose ? "" : " (--verbose shows details)"));
        } else {
            err.println("rnn: unexpected failure: " + describe(e) + (verbose ? "" : " (--verbose shows the stack trace)"));
        }
        if (verbose) {
            e.printStackTrace(err);
        }
        return ExitCodes.FAILURE;
    }

    /**
     * The error as the command line's user knows it: a record's invalid setting named by the option
     * whose field has the setting's name ({@code topK} is {@code --top-k}).
     */
    static String asOption(RnnException r, CommandLine.Model.CommandSpec spec) {
        return spec.options().stream()
                .filter(o -> r.setting() != null && o.userObject() instanceof Field f && f.getName().equals(r.setting()))
                .findFirst()
                .map(o -> o.longestName() + " " + r.problem())
                .orElse(r.getMessage());
    }

    static String describe(Throwable e) {
        String m = e.getMessage();
        String name = e.getClass().getSimpleName();
        if (e instanceof java.nio.file.NoSuchFileException) {
            return m + ": no such file or directory";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return m + ": permission denied";
        }
        return m == null ? name : name + ": " + m.lines().findFirst().orElse("");
    }

    /** The version from the jar's manifest (Implementation-Version), or "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[]{"rnn " + (v == null ? "dev" : v) + " (Deeplearning4j 1.0.0-M2.1, Java "
                    + System.getProperty("java.version") + ")"};
        }
    }
}
