package charrnn.cli;

import charrnn.RnnException;
import picocli.CommandLine;

/**
 * Which build app/rnn runs a command line on, decided where picocli parses it (so options in an
 * {@code @file} count): "spark" for {@code rnn train --spark}, "spark-local" when its master runs in
 * this JVM (local[N], or --spark alone), else "cpu". A command line that does not parse is the CPU
 * build's to refuse with its usage line.
 */
public final class Build {
    private Build() {
    }

    public static void main(String[] args) {
        try {
            System.out.println(of(args, System.getProperty("rnn.backend", "cpu")));
        } catch (RnnException e) {
            System.err.println("rnn: " + e.getMessage());
            System.exit(e.exitCode());
        }
    }

    /** The build for {@code args} on {@code backend}; --spark on the CUDA backend is refused here, before it is built. */
    static String of(String[] args, String backend) {
        try {
            CommandLine.ParseResult leaf = Main.commandLine().parseArgs(args);
            while (leaf.hasSubcommand()) {
                leaf = leaf.subcommand();
            }
            if (leaf.commandSpec().userObject() instanceof TrainCommand t && t.run.spark != null) {
                if ("cuda".equals(backend)) {
                    throw RnnException.usage(TrainCommand.sparkNeedsTheCpu(false));
                }
                return t.run.spark.isEmpty() || t.run.spark.startsWith("local") ? "spark-local" : "spark";
            }
            return "cpu";
        } catch (CommandLine.PicocliException e) {
            return "cpu";
        }
    }
}
