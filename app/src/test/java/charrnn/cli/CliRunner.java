package charrnn.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the CLI in-process with captured stdout/stderr. */
record CliRunner(int code, String out, String err) {
    static CliRunner run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliRunner(code, out.toString(), err.toString());
    }

    /** Exactly one line on stderr, starting "rnn: ", and no stack trace. */
    String oneErrorLine() {
        String[] lines = err.strip().split("\n");
        if (!err.startsWith("rnn: ") || err.contains("\tat ") || err.contains("Exception")) {
            throw new AssertionError("expected a one-line error, got:\n" + err);
        }
        if (lines.length > 2 || lines.length == 2 && !lines[1].startsWith("Try ")) {
            throw new AssertionError("expected one error line (and a 'Try' hint), got:\n" + err);
        }
        return lines[0];
    }
}
