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

    /** The switches {@code m}'s corpus was prepared with; a manifest that recorded none, the defaults'. */
    public static PrepareOptions of(Manifest m) {
        var n = m.normalisation();
        double f = m.split().valFraction();
        return n == null ? defaults().withValFraction(f) : new PrepareOptions(f, n.newlines(), n.dropBom(),
                n.stripBoilerplate(), n.lowercase(), n.ascii(), n.replaceInvalid());
    }

    public PrepareOptions withValFraction(double f) {
        return new PrepareOptions(f, normaliseNewlines, dropBom, stripBoilerplate, lowercase, ascii, replaceInvalid);
    }
}
