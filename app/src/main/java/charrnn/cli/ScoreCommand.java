package charrnn.cli;

import charrnn.corpus.Manifest;
import charrnn.corpus.PrepareOptions;
import charrnn.corpus.TextDocuments;
import charrnn.model.Checkpoint;
import charrnn.sample.Scorer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "score", sortOptions = false,
        description = {"The model's loss on each document of text files and folders: one JSON object per document on"
                + " stdout, a summary on stderr.",
                "Each document is scored from a zero state, after the boundary that begins a document (a newline for a"
                        + " model of one stream), its end included; with the model corpus's normalisation, characters"
                        + " outside the vocabulary left out and counted."})
public final class ScoreCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    Verbosity verbosity;
    @Mixin
    ModelOption model;

    @Parameters(paramLabel = "PATH", arity = "1..*",
            description = "UTF-8 text files, or folders whose files are read (as rnn prepare reads them).")
    List<Path> paths;

    @Option(names = "--documents", paramLabel = "files|lines",
            description = "What a document is: each file, or each non-empty line. Default: the model corpus's rule"
                    + " (each file for a model of one stream).")
    PrepareOptions.Documents documents;

    @Option(names = "--label", paramLabel = "L",
            description = "Score every document under label L (a model trained with labels; default: none).")
    String label;

    /** One line of stdout. {@code line}: the document's first line in its file, for line documents. */
    record Score(String source, long document, Long line, long characters, long unknown, double nats,
                 Double natsPerChar, Double bitsPerChar, Double perplexity) {
    }

    @Override
    public Integer call() throws Exception {
        Checkpoint.Loaded loaded = model.load(verbosity);
        Manifest corpus = loaded.info().corpus();
        Manifest.Documents rule = corpus == null ? null : corpus.documentsOrNone();
        boolean lines = documents != null ? documents == PrepareOptions.Documents.LINES
                : rule != null && rule.mode().equals(PrepareOptions.Documents.LINES.label());
        Scorer scorer = new Scorer(loaded.net(), loaded.vocabulary(), rule == null ? null : rule.boundary());
        int[] context = label == null ? new int[0] : corpus.labelPrefix(label, loaded.vocabulary());
        PrintWriter err = spec.commandLine().getErr();
        double[] total = {0};
        long[] counts = new long[4]; // documents, characters, unknown, predictions
        TextDocuments.read(paths, lines, corpus == null ? null : corpus.normalisation(), loaded.vocabulary(),
                new TextDocuments.Sink() {
                    Path source;
                    long number;
                    long line;

                    @Override
                    public void begin(Path source, long number, long line) {
                        this.source = source;
                        this.number = number;
                        this.line = line;
                        scorer.begin(context);
                    }

                    @Override
                    public void ids(int[] ids, int from, int to) {
                        scorer.accept(ids, from, to);
                    }

                    @Override
                    public void end(long characters, long unknown) throws java.io.IOException {
                        double nats = scorer.end();
                        long n = scorer.predictions();
                        Double perChar = n == 0 ? null : nats / n;
                        JsonOutput.print(spec, new Score(source.toString(), number, lines ? line : null, characters,
                                unknown, nats, perChar, perChar == null ? null : perChar / Math.log(2),
                                perChar == null ? null : Math.exp(perChar)));
                        total[0] += nats;
                        counts[0]++;
                        counts[1] += characters;
                        counts[2] += unknown;
                        counts[3] += n;
                    }
                });
        spec.commandLine().getOut().flush();
        if (!verbosity.quiet()) {
            double mean = counts[3] == 0 ? Double.NaN : total[0] / counts[3];
            err.printf("scored %,d documents, %,d characters: %.4f nats per character (%.4f bits), %,d characters"
                    + " outside the vocabulary%n", counts[0], counts[1], mean, mean / Math.log(2), counts[2]);
        }
        return 0;
    }
}
