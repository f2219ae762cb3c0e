package charrnn.cli;

import charrnn.RnnException;
import charrnn.corpus.Json;
import charrnn.corpus.Utf8Reader;
import charrnn.corpus.Vocabulary;
import charrnn.model.Checkpoint;
import charrnn.sample.Sampler;
import charrnn.sample.Strategy;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "sample", sortOptions = false,
        description = {"Generate text from a trained model.",
                "The seed is fed once, a character per time step; each new character then costs one more step."})
public final class SampleCommand implements Callable<Integer> {
    /** The line before each sample when --num-samples > 1 (text mode); k counts from 0, as in --json. */
    static final String HEADER = "\u2500\u2500\u2500\u2500 sample %d \u2500\u2500\u2500\u2500%n";

    enum Unknown { error, skip }

    @Spec
    CommandSpec spec;
    @Mixin
    Verbosity verbosity;
    @Mixin
    ModelOption model;

    @Option(names = {"-s", "--seed"}, paramLabel = "TEXT",
            description = "Text to continue; '-' reads it from stdin (default: start of a line).")
    String seed;
    @Option(names = "--seed-file", paramLabel = "FILE", description = "One seed per line; one result per seed.")
    Path seedFile;
    @Option(names = {"-n", "--length"}, defaultValue = "500", paramLabel = "N",
            description = "Characters to generate, the seed not counted (default: ${DEFAULT-VALUE}).")
    int length;
    @Option(names = {"-t", "--temperature"}, defaultValue = "1.0", paramLabel = "T",
            description = "> 0; below 1 is more conservative, above 1 more random (default: ${DEFAULT-VALUE}).")
    double temperature;
    @Option(names = "--argmax", description = "Always take the most probable character (deterministic; ignores -t, --top-k, --top-p).")
    boolean argmax;
    @Option(names = "--top-k", defaultValue = "0", paramLabel = "K", description = "Draw only among the K most probable characters (0 = off).")
    int topK;
    @Option(names = "--top-p", defaultValue = "1.0", paramLabel = "P",
            description = "Draw only among the most probable characters holding mass P, in (0, 1] (1 = off).")
    double topP;
    @Option(names = "--random-seed", paramLabel = "S", description = "Makes the output reproducible (default: random).")
    Long randomSeed;
    @Option(names = "--num-samples", defaultValue = "1", paramLabel = "K",
            description = "Independent samples from one seed, generated as one batch (default: ${DEFAULT-VALUE}).")
    int numSamples;
    @Option(names = "--stop-at", paramLabel = "STRING", description = "End a sample when it produces STRING (kept), e.g. $'\\n\\n'.")
    String stopAt;
    @Option(names = "--no-echo-seed", description = "Print only the continuation.")
    boolean noEchoSeed;
    @Option(names = "--unknown", defaultValue = "error", paramLabel = "error|skip",
            description = "Seed characters outside the vocabulary: error (exit 3) or skip with a warning (default: ${DEFAULT-VALUE}).")
    Unknown unknown;
    @Option(names = "--json", description = "One JSON object per seed and sample on stdout: seed, sample, text, settings.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (length < 0) {
            throw RnnException.usage("--length must be >= 0, got " + length);
        }
        if (numSamples < 1 || numSamples > 4096) {
            throw RnnException.usage("--num-samples must be between 1 and 4096, got " + numSamples);
        }
        if (stopAt != null && stopAt.isEmpty()) {
            throw RnnException.usage("--stop-at is empty; give the text that ends a sample, e.g. $'\\n\\n', or leave it"
                    + " out");
        }
        if (seed != null && seedFile != null) {
            throw RnnException.usage("--seed and --seed-file are exclusive; give one");
        }
        Strategy strategy = new Strategy(argmax, temperature, topK, topP);
        List<String> seeds = seeds();
        long rs = randomSeed != null ? randomSeed : new java.security.SecureRandom().nextLong();

        Checkpoint.Loaded loaded = model.load(verbosity);
        Vocabulary vocab = loaded.vocabulary();
        Sampler sampler = new Sampler(loaded.net(), vocab);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean stream = !json && numSamples == 1 && Terminal.stdoutIsTerminal();

        for (String s : seeds) {
            int[] ids = encode(vocab, s, err);
            String shown = noEchoSeed ? "" : s;
            if (stream) {
                out.print(shown);
                out.flush();
            }
            String[] texts = sampler.generate(ids, length, numSamples, strategy, rs, stopAt, !stream ? null
                    : (k, cp) -> {
                        out.print(Character.toString(cp));
                        out.flush();
                    });
            for (int k = 0; k < texts.length; k++) {
                if (json) {
                    JsonOutput.print(spec, json(s, k, texts[k], loaded.file().toString(), rs + k));
                } else if (!stream) {
                    if (numSamples > 1) {
                        out.printf(HEADER, k);
                    }
                    out.println(shown + texts[k]);
                }
            }
            if (stream) {
                out.println();
            }
            out.flush();
        }
        if (randomSeed == null && !argmax && !verbosity.quiet()) {
            err.println("(random seed " + rs + "; pass --random-seed " + rs + " to repeat this output)");
        }
        return 0;
    }

    /** Sample {@code k} of {@code seed} as {@code --json} prints it: the text and the settings that made it. */
    private ObjectNode json(String seed, int k, String text, String modelFile, long sampleSeed) {
        ObjectNode o = Json.COMPACT.createObjectNode();
        o.put("seed", seed);
        o.put("sample", k);
        o.put("text", text);
        ObjectNode st = o.putObject("settings");
        st.put("model", modelFile);
        st.put("length", length);
        st.put("argmax", argmax);
        st.put("temperature", temperature);
        st.put("topK", topK);
        st.put("topP", topP);
        st.put("randomSeed", sampleSeed);
        if (stopAt != null) {
            st.put("stopAt", stopAt);
        }
        return o;
    }

    private List<String> seeds() throws IOException {
        List<String> seeds = new ArrayList<>();
        if (seedFile != null) {
            if (!Files.isRegularFile(seedFile)) {
                throw RnnException.badData(seedFile + ": no such seed file");
            }
            seeds.addAll(Utf8Reader.readString(seedFile).lines().toList());
            if (seeds.isEmpty()) {
                throw RnnException.badData(seedFile + ": is empty; give one seed per line");
            }
        } else if ("-".equals(seed)) {
            var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder();
            char[] buf = new char[8192];
            for (int n; (n = in.read(buf)) > 0; ) {
                sb.append(buf, 0, n);
            }
            seeds.add(sb.toString());
        } else {
            seeds.add(seed == null ? "" : seed);
        }
        return seeds;
    }

    private int[] encode(Vocabulary vocab, String s, PrintWriter err) {
        if (unknown == Unknown.error) {
            return vocab.encode(s);
        }
        List<String> dropped = new ArrayList<>();
        int[] ids = vocab.encodeKnown(s, dropped);
        if (!dropped.isEmpty() && !verbosity.quiet()) {
            err.println("warning: skipped seed characters not in the vocabulary: " + String.join(", ", dropped));
        }
        return ids;
    }
}
