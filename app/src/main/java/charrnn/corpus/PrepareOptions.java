package charrnn.corpus;

/** Settings of {@code rnn prepare}; the defaults are those of the CLI. */
public record PrepareOptions(
        double valFraction,
        boolean normaliseNewlines,
        boolean dropBom,
        boolean stripBoilerplate,
        boolean lowercase,
        boolean ascii,
        boolean replaceInvalid) {

    public static PrepareOptions defaults() {
        return new PrepareOptions(0.1, true, true, true, false, false, false);
    }

    public PrepareOptions withValFraction(double f) {
        return new PrepareOptions(f, normaliseNewlines, dropBom, stripBoilerplate, lowercase, ascii, replaceInvalid);
    }
}
