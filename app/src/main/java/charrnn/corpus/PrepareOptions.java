package charrnn.corpus;

/** Settings of {@code rnn prepare}. */
public record PrepareOptions(
        double valFraction,
        boolean normaliseNewlines,
        boolean dropBom,
        boolean stripBoilerplate,
        boolean lowercase,
        boolean ascii,
        boolean replaceInvalid) {

    /** The switches {@code m}'s corpus was prepared with; a manifest that recorded none was prepared with these. */
    public static PrepareOptions of(Manifest m) {
        var n = m.normalisation();
        double f = m.split().valFraction();
        return n == null ? new PrepareOptions(f, true, true, true, false, false, false) : new PrepareOptions(f,
                n.newlines(), n.dropBom(), n.stripBoilerplate(), n.lowercase(), n.ascii(), n.replaceInvalid());
    }
}
