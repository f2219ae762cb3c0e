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
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

@Command(name = "prepare", sortOptions = false,
        description = {"Build the character lookup table and the encoded, split corpus from text files and folders.",
                "Writes vocab.json, ids.bin and manifest.json into DIR (default: beside the first PATH, named after it)."})
public final class PrepareCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    Verbosity verbosity;

    @Parameters(paramLabel = "PATH", arity = "1..*",
            description = "UTF-8 text files, or folders whose files (below them, in sorted order, hidden ones left out) are read.")
    List<Path> corpus;

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
        Path out = output != null ? output : Preparer.defaultOutput(corpus.get(0));
        Progress progress = new Progress(err, "prepare " + corpus.get(0).getFileName(), verbosity);
        var preparer = new Preparer(options, msg -> {
            if (!verbosity.quiet()) {
                err.println(msg);
            }
        }, progress::update);
        Manifest m;
        try {
            m = preparer.prepare(corpus, out, force, null);
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
        err.printf("Prepared %s -> %s%n", m.describe(), out);
        err.printf("  %,d code points (%,d in the file%s), vocabulary of %d symbols%n", m.codePoints(),
                m.sources().stream().mapToLong(s -> s.codePoints()).sum(), m.sources().size() > 1 ? "s" : "",
                m.vocabSize());
        String top = IntStream.range(0, v.size()).boxed()
                .sorted(Comparator.comparingLong(v::count).reversed())
                .limit(10)
                .map(i -> Vocabulary.describe(v.codePoint(i)) + " " + percent(v.count(i), m.codePoints()))
                .collect(Collectors.joining(", "));
        err.printf("  most frequent: %s%n", top);
        var d = m.documentsOrNone();
        if (d.boundary() != null) {
            err.printf("  %,d documents (%s, each ending with %s)%n", d.count(), d.mode(),
                    Vocabulary.describe(d.boundary()));
        }
        err.printf("  split: train %,d, validation %,d (%.0f%%, %s)%n", m.split().trainLength(),
                m.split().valLength(), 100 * m.split().valFraction(), d.boundary() == null ? "at the end"
                        : d.heldOut().equals("documents") ? String.format("%,d whole document%s", d.validation(),
                        d.validation() == 1 ? "" : "s")
                        : "the end of each document");
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
