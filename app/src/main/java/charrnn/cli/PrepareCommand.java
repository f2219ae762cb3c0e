package charrnn.cli;

import charrnn.corpus.Manifest;
import charrnn.corpus.Preparer;
import charrnn.corpus.Vocabulary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

@Command(name = "prepare", sortOptions = false,
        description = {"Build the character lookup table and the encoded, split corpus.",
                "Writes vocab.json, ids.bin and manifest.json into DIR (default: beside CORPUS, named after it)."})
public final class PrepareCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    Verbosity verbosity;

    @Parameters(paramLabel = "CORPUS", description = "A UTF-8 text file.")
    Path corpus;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", description = "Output directory.")
    Path output;

    @Mixin
    PrepareGroup switches;

    @Option(names = "--force", description = "Replace an output directory that holds part of a prepared corpus (never other files).")
    boolean force;

    @Option(names = "--json", description = "Print the manifest as JSON on stdout instead of the summary.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        var options = switches.options();
        Path out = output != null ? output : Preparer.defaultOutput(corpus);
        Progress progress = new Progress(err, "prepare " + corpus.getFileName(), verbosity);
        var preparer = new Preparer(options, msg -> {
            if (!verbosity.quiet()) {
                err.println(msg);
            }
        }, progress::update);
        Manifest m;
        try {
            m = preparer.prepare(corpus, out, force);
        } finally {
            progress.done();
        }
        if (json) {
            JsonOutput.printAsWritten(spec, m);
        } else if (!verbosity.quiet()) {
            summary(err, preparer.vocabulary(), m, out);
        }
        return 0;
    }

    static void summary(PrintWriter err, Vocabulary v, Manifest m, Path out) {
        err.printf("Prepared %s -> %s%n", m.source().path(), out);
        err.printf("  %,d code points (%,d in the file), vocabulary of %d symbols%n", m.codePoints(),
                m.source().codePoints(), m.vocabSize());
        String top = IntStream.range(0, v.size()).boxed()
                .sorted(Comparator.comparingLong(v::count).reversed())
                .limit(10)
                .map(i -> Vocabulary.describe(v.codePoint(i)) + " " + percent(v.count(i), m.codePoints()))
                .collect(Collectors.joining(", "));
        err.printf("  most frequent: %s%n", top);
        err.printf("  split: train %,d, validation %,d (%.0f%%, at the end)%n", m.split().trainLength(),
                m.split().valLength(), 100 * m.split().valFraction());
        var n = m.normalisation();
        if (n.crlfConverted() + n.loneCrConverted() > 0 || n.bomDropped() || n.nonAsciiDropped() > 0
                || n.invalidReplaced() > 0) {
            err.printf("  normalised: %,d CRLF and %,d lone CR to LF%s%s%s%n", n.crlfConverted(), n.loneCrConverted(),
                    n.bomDropped() ? ", BOM dropped" : "",
                    n.nonAsciiDropped() > 0 ? String.format(", %,d non-ASCII dropped", n.nonAsciiDropped()) : "",
                    n.invalidReplaced() > 0 ? String.format(", %,d invalid sequences replaced", n.invalidReplaced()) : "");
        }
    }

    private static String percent(long count, long total) {
        return String.format("%.1f%%", 100.0 * count / total);
    }
}
