package charrnn.cli;

import charrnn.ExitCodes;
import charrnn.RnnException;
import charrnn.corpus.EncodedText;
import charrnn.model.Checkpoint;
import charrnn.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "eval", sortOptions = false,
        description = {"Loss of a model on a text: nats and bits per character, and perplexity.",
                "The text gets the model corpus's normalisation; characters outside the vocabulary are",
                "left out and reported. Scored as the model's training scored its validation (--protocol)."})
public final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    Verbosity verbosity;
    @Mixin
    ModelOption model;

    @Parameters(paramLabel = "FILE", description = "A UTF-8 text file.")
    Path file;

    @Option(names = "--json", description = "Print the figures as one JSON object.")
    boolean json;

    @Option(names = "--protocol", paramLabel = "streams|windows",
            description = "streams: the text cut into the model's --batch contiguous streams, each scored window after"
                    + " window with the state carried (char-rnn's and torch-rnn's validation); windows: windows of the"
                    + " model's sequence length, each from a zero state. Default: how the model was trained.")
    String protocol;

    /** What {@code --json} prints. */
    record Result(String file, String model, String protocol, double nats, double bitsPerChar, double perplexity,
                  long characters, long codePoints, long unknown) {
    }

    /**
     * The engine training's validation used on this backend, with the model's batch and sequence
     * length (so the figures are the same); DL4J's when the fast engine's buffers do not fit the heap
     * (eval needs no backward pass, so it need not refuse such a model).
     */
    private Engine scoringEngine(Checkpoint.Loaded loaded) {
        var spec = loaded.info().spec();
        var config = loaded.info().config();
        Engine.Kind kind = Engine.Kind.auto.resolve(model.backend());
        try {
            return Engine.create(kind, loaded.net(), spec, config.batch(), config.seqLength());
        } catch (RnnException e) {
            if (e.exitCode() != ExitCodes.USAGE) {
                throw e;
            }
            return Engine.create(Engine.Kind.dl4j, loaded.net(), spec, config.batch(), config.seqLength());
        }
    }

    @Override
    public Integer call() throws Exception {
        Checkpoint.Loaded loaded = model.load(verbosity);
        try (EncodedText text = EncodedText.encode(file, loaded.vocabulary(), loaded.info().corpus() == null ? null
                : loaded.info().corpus().normalisation())) {
            if (text.length() < 2) {
                throw RnnException.badData(file + ": fewer than 2 characters of the model's vocabulary; nothing to evaluate");
            }
            if (text.unknown() > 0 && !verbosity.quiet()) {
                PrintWriter err = spec.commandLine().getErr();
                err.printf("%,d of %,d characters are not in the model's vocabulary and were left out: %s%n",
                        text.unknown(), text.codePoints(), text.unknownExamples());
                err.flush();
            }
            String how = protocol != null ? protocol.toLowerCase() : loaded.info().config().streams() ? "streams"
                    : "windows";
            Engine engine = scoringEngine(loaded);
            Engine.Loss loss = switch (how) {
                case "streams" -> engine.scoreStreams(text, 0, text.length());
                case "windows" -> engine.score(text, 0, text.length());
                default -> throw RnnException.usage("--protocol must be streams or windows, got '" + protocol + "'");
            };
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                JsonOutput.print(spec, new Result(file.toString(), loaded.file().toString(), how, loss.nats(),
                        loss.bitsPerChar(), loss.perplexity(), loss.characters(), text.codePoints(), text.unknown()));
            } else {
                out.printf("%s: %.4f nats/char, %.4f bits/char, perplexity %.3f over %,d predicted characters (%s)%n",
                        file, loss.nats(), loss.bitsPerChar(), loss.perplexity(), loss.characters(), how);
            }
            out.flush();
        }
        return 0;
    }
}
