package charrnn.cli;

import charrnn.corpus.Json;
import charrnn.corpus.Vocabulary;
import charrnn.model.Checkpoint;
import charrnn.model.CheckpointInfo;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

@Command(name = "info", description = "What a model is, what it was trained on, and how far.")
public final class InfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    Verbosity verbosity;
    @Mixin
    ModelOption model;

    @Option(names = "--json", description = "Print everything as one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Checkpoint.Loaded l = model.load(verbosity);
        CheckpointInfo i = l.info();
        Vocabulary v = l.vocabulary();
        StringBuilder symbols = new StringBuilder();
        for (int k = 0; k < v.size(); k++) {
            int cp = v.codePoint(k);
            symbols.append(cp == '\n' ? "\\n" : cp == '\t' ? "\\t" : cp == '\r' ? "\\r" : cp == ' ' ? "\u2423"
                    : Character.toString(cp));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode o = Json.COMPACT.valueToTree(i);
            o.put("file", l.file().toString());
            o.put("parameters", l.net().numParams());
            o.put("vocabulary", symbols.toString());
            JsonOutput.print(spec, o);
            return 0;
        }
        var s = i.state();
        var c = i.config();
        out.printf("checkpoint    %s (format %s v%d, written %s)%n", l.file(), i.format(), i.formatVersion(), i.created());
        out.printf("model         %s, %d layers x %d, dropout %s, %,d parameters%n", i.spec().cell().toUpperCase(),
                i.spec().layers(), i.spec().hidden(), i.spec().dropout(), l.net().numParams());
        out.printf("vocabulary    %d symbols: %s%n", v.size(), symbols);
        if (i.corpus() != null) {
            var srcs = i.corpus().sources();
            out.printf("corpus        %s (%,d bytes, sha256 %s)%n", i.corpus().describe(),
                    srcs.stream().mapToLong(src -> src.bytes()).sum(), i.corpus().sha256());
            out.printf("              %,d characters: %,d train, %,d validation%n", i.corpus().codePoints(),
                    i.corpus().split().trainLength(), i.corpus().split().valLength());
            var d = i.corpus().documentsOrNone();
            if (d.boundary() != null) {
                out.printf("documents     %,d (%s): %,d train, %,d validation (%s)%n", d.count(), d.mode(), d.train(),
                        d.validation(), d.heldOut());
            }
            if (d.labels() != null) {
                out.printf("labels        %s%n", String.join("; ", d.labels().stream().map(lab -> String.format(
                        "%s: %,d documents, %,d characters", lab.label(), lab.documents(), lab.characters())).toList()));
            }
        }
        for (var p = i.parent(); p != null; p = p.parent()) {
            out.printf("%-13s %s: step %,d%s%n", p == i.parent() ? "parent" : "its parent", p.checkpoint(),
                    p.steps(), p.bestValLoss() == null ? "" : String.format(", best val loss %.4f", p.bestValLoss()));
            out.printf("              corpus %s (sha256 %s)%n", p.corpus(), p.corpusSha256());
            out.printf("              %d new symbols%s%n", p.newSymbols().size(), p.newSymbols().isEmpty() ? ""
                    : ": " + String.join(", ", p.newSymbols().stream().map(Vocabulary::describe).toList()));
        }
        out.printf("training      %s, %s, lr %s, %s, %s, seq %d, batch %d, seed %d%n", c.streams() ? "streams" : "shuffled windows",
                c.optimizer(), plain(c.lr()), scheduleText(c), clipText(c), c.seqLength(), c.batch(), c.randomSeed());
        out.printf("progress      step %,d, epoch %d, %s trained, %,d characters seen%n", s.step(), s.epoch(),
                Durations.format(s.elapsedSeconds()), s.charsSeen());
        if (!Double.isNaN(s.bestValLoss())) {
            out.printf("best val loss %.4f nats = %.4f bits/char at step %,d (last %.4f; %s)%n", s.bestValLoss(),
                    s.bestValLoss() / Math.log(2), s.bestStep(), s.lastValLoss(), TrainCommand.protocolText(c));
        }
        out.printf("backend       %s, Deeplearning4j %s%n", i.backend(), i.dl4jVersion());
        out.flush();
        return 0;
    }

    private static String scheduleText(charrnn.model.Hyperparameters c) {
        String warm = c.warmup() > 0 ? ", " + c.warmup() + " warm-up steps" : "";
        return switch (c.schedule()) {
            case "wsd" -> "wsd to " + plain(c.minLr()) + " over the last " + c.decayFraction() + " of the budget" + warm;
            case "cosine" -> "cosine to " + plain(c.minLr()) + warm;
            case "char-rnn" -> "x" + c.lrDecay() + " per epoch after " + c.lrDecayAfter() + warm;
            default -> c.schedule() + warm;
        };
    }

    /** A rate as a person writes it: 0.0003, not Double.toString's 3.0E-4. */
    private static String plain(double x) {
        return java.math.BigDecimal.valueOf(x).stripTrailingZeros().toPlainString();
    }

    private static String clipText(charrnn.model.Hyperparameters c) {
        String e = c.clip() > 0 ? "clip " + c.clip() : "no element clip";
        return c.clipNorm() > 0 ? e + ", norm clip " + c.clipNorm() : e;
    }
}
