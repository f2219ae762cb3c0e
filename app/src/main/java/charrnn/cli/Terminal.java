package charrnn.cli;

/** Whether stderr/stdout are terminals: Java cannot tell for stderr, so the launcher passes it in. */
final class Terminal {
    private Terminal() {
    }

    static boolean stderrIsTerminal() {
        return "1".equals(System.getProperty("rnn.stderr.tty"));
    }

    static boolean stdoutIsTerminal() {
        return "1".equals(System.getProperty("rnn.stdout.tty"));
    }
}
