package charrnn.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/**
 * {@code --verbose} / {@code --quiet} and {@code --help}, shared by every command as a mixin, with
 * the exit codes at the end of the command's help. (Not {@code --version}: {@code rnn train -V},
 * a slip for {@code -v}, must not exit 0 without training.) Held by each parsed command, so two
 * runs in one JVM (tests, {@code rnn warm-up}) do not share it.
 */
@Command(footer = {"", Main.EXIT_CODES_1, Main.EXIT_CODES_2})
public final class Verbosity {
    private static final String[] LIBRARY_LOGGERS = {"ROOT", "org.nd4j", "org.deeplearning4j", "org.bytedeco"};
    /**
     * The Spark build's (--spark): off unless --verbose, from the start of the command. Spark warns about
     * loopback addresses and native Hadoop, and logs a lost executor as an error that rnn reports in its
     * own line; a failure rnn stops on is its one line, with Spark's first line of the cause.
     */
    private static final String[] CLUSTER_LOGGERS = {"org.apache.spark", "org.sparkproject", "io.netty", "org.apache.hadoop"};

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;
    @Option(names = {"-v", "--verbose"}, description = "Show library logs and stack traces.")
    boolean verbose;
    @Option(names = {"-q", "--quiet"}, description = "Print nothing on stderr but errors.")
    boolean quiet;

    /** The verbosity a command was given; the defaults for a command without the mixin. */
    static Verbosity of(CommandSpec command) {
        var mixin = command.mixins().get("verbosity");
        return mixin == null ? new Verbosity() : (Verbosity) mixin.userObject();
    }

    boolean verbose() {
        return verbose;
    }

    boolean quiet() {
        return quiet;
    }

    /** A line on stderr, unless --quiet. */
    void info(PrintWriter err, String message) {
        if (!quiet) {
            err.println(message);
            err.flush();
        }
    }

    /** The library loggers at INFO with --verbose, else at WARN (logback.xml's level): set for each run. */
    void applyToLogging() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return; // another binding (a Spark installation's log4j 2 under spark-submit) keeps its configuration
        }
        for (String name : LIBRARY_LOGGERS) {
            ctx.getLogger(name).setLevel(verbose ? Level.INFO : Level.WARN);
        }
        for (String name : CLUSTER_LOGGERS) {
            ctx.getLogger(name).setLevel(verbose ? Level.INFO : Level.OFF);
        }
    }
}
