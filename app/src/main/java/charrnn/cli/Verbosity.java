package charrnn.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code --verbose} / {@code --quiet} and {@code --help}, shared by every command as a mixin, with
 * the exit codes at the end of the command's help. (Not {@code --version}: {@code rnn train -V},
 * a slip for {@code -v}, must not exit 0 without training.)
 */
@Command(footer = {"", Main.EXIT_CODES_1, Main.EXIT_CODES_2})
public final class Verbosity {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    private static volatile boolean verbose;
    private static volatile boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "Show library logs and stack traces.")
    void setVerbose(boolean v) {
        verbose = v;
        if (v) {
            var ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
            for (String name : new String[]{"ROOT", "org.nd4j", "org.deeplearning4j", "org.bytedeco"}) {
                ctx.getLogger(name).setLevel(Level.INFO);
            }
        }
    }

    @Option(names = {"-q", "--quiet"}, description = "Print nothing on stderr but errors.")
    void setQuiet(boolean q) {
        quiet = q;
    }

    public static boolean isVerbose() {
        return verbose;
    }

    public static boolean isQuiet() {
        return quiet;
    }
}
