package charrnn;

/**
 * A failure the user can act on: the message is one line naming the file or option and what to do,
 * the exit code is one of {@link ExitCodes}. The CLI prints the message without a stack trace.
 */
public class RnnException extends RuntimeException {
    private final int exitCode;
    private final String setting;

    public RnnException(int exitCode, String message) {
        this(exitCode, message, null, null);
    }

    private RnnException(int exitCode, String message, String setting, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
        this.setting = setting;
    }

    public RnnException(int exitCode, String message, Throwable cause) {
        this(exitCode, message, null, cause);
    }

    public int exitCode() {
        return exitCode;
    }

    /** The record component an {@link #invalid} value was given for, else null. */
    public String setting() {
        return setting;
    }

    /** What is wrong with the value, without the setting's name: "must be > 0, got -1". */
    public String problem() {
        return setting == null ? getMessage() : getMessage().substring(setting.length() + 1);
    }

    public static RnnException badData(String message) {
        return new RnnException(ExitCodes.BAD_DATA, message);
    }

    public static RnnException badModel(String message) {
        return new RnnException(ExitCodes.BAD_MODEL, message);
    }

    /**
     * A value a record refuses, named by the record's component ({@code "temperature must be > 0, got
     * 0"}): a caller names it as its user knows it (the CLI as the option that set it).
     */
    public static RnnException invalid(String setting, String problem) {
        return new RnnException(ExitCodes.USAGE, setting + " " + problem, setting, null);
    }

    public static RnnException usage(String message) {
        return new RnnException(ExitCodes.USAGE, message);
    }
}
