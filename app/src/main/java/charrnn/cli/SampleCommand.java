package charrnn.cli;

import charrnn.RnnException;
import charrnn.corpus.DocumentSet;
import charrnn.corpus.Json;
import charrnn.corpus.PreparedCorpus;
import charrnn.corpus.Utf8Reader;
import charrnn.corpus.Vocabulary;
import charrnn.model.Checkpoint;
import charrnn.sample.Sampler;
import charrnn.sample.Strategy;
import charrnn.train.RunSetup;
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

    /** Draws of a sample after its first, with --novel, before it is given up. */
    static final int NOVEL_DRAWS = 100;

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
    @Option(names = "--document",
            description = "Whole documents: each starts where a document of the corpus starts (the seed is its"
                    + " beginning) and ends at the boundary that ends one, -n the cap. For models trained on documents.")
    boolean document;
    @Option(names = "--label", paramLabel = "L",
            description = "With --document: documents under label L, for a model trained with labels (an unknown"
                    + " label: exit 3, naming the known ones).")
    String label;
    @Option(names = "--novel",
            description = "With --document: draw again a document that equals one of the training corpus (up to "
                    + NOVEL_DRAWS + " more draws each); stderr says how many were rejected.")
    boolean novel;
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
        if (label != null && !document) {
            throw RnnException.usage("--label puts a document under a label: it needs --document");
        }
        if (novel && !document) {
            throw RnnException.usage("--novel compares whole documents: it needs --document");
        }
        if (document && stopAt != null) {
            throw RnnException.usage("--document ends each sample at the end of a document; leave --stop-at out");
        }
        Strategy strategy = new Strategy(argmax, temperature, topK, topP);
        List<String> seeds = seeds();
        long rs = randomSeed != null ? randomSeed : new java.security.SecureRandom().nextLong();

        Checkpoint.Loaded loaded = model.load(verbosity);
        Vocabulary vocab = loaded.vocabulary();
        Sampler sampler = new Sampler(loaded.net(), vocab);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int boundary = document ? boundary(loaded) : -1;
        String stop = document ? Character.toString(boundary) : stopAt;
        DocumentSet known = novel ? trainingDocuments(loaded, boundary) : null;
        // a document of lines is one line: no header between them
        boolean headers = numSamples > 1 && boundary != '\n';
        boolean stream = !json && numSamples == 1 && !novel && Terminal.stdoutIsTerminal();
        long rejected = 0;
        long givenUp = 0;

        for (String s : seeds) {
            int[] ids = encode(vocab, s, err);
            int warmUp = 0;
            if (document) {
                int[] prefix = label == null ? new int[0] : loaded.info().corpus().labelPrefix(label, vocab);
                int[] start = new int[ids.length + prefix.length + 1];
                start[0] = vocab.id(boundary);
                System.arraycopy(prefix, 0, start, 1, prefix.length);
                System.arraycopy(ids, 0, start, 1 + prefix.length, ids.length);
                ids = start;
                warmUp = 1 + prefix.length; // the throwaway document is one of the label's too
            }
            String shown = noEchoSeed ? "" : s;
            if (stream) {
                out.print(shown);
                out.flush();
            }
            String[] texts = sampler.generate(ids, length, numSamples, strategy, rs, stop, !stream ? null
                    : (k, cp) -> {
                        if (cp != boundary) {
                            out.print(Character.toString(cp));
                            out.flush();
                        }
                    }, warmUp);
            long[] seedOf = new long[texts.length];
            for (int k = 0; k < texts.length; k++) {
                seedOf[k] = rs + k;
            }
            if (known != null) {
                long next = rs + numSamples;
                for (int draw = 0; draw < NOVEL_DRAWS; draw++) {
                    List<Integer> copies = new ArrayList<>();
                    for (int k = 0; k < texts.length; k++) {
                        if (texts[k] != null && known.contains(s + withoutEnd(texts[k], stop))) {
                            copies.add(k);
                        }
                    }
                    if (copies.isEmpty()) {
                        break;
                    }
                    rejected += copies.size();
                    String[] again = sampler.generate(ids, length, copies.size(), strategy, next, stop, null, warmUp);
                    for (int i = 0; i < copies.size(); i++) {
                        texts[copies.get(i)] = again[i];
                        seedOf[copies.get(i)] = next + i;
                    }
                    next += copies.size();
                }
                for (int k = 0; k < texts.length; k++) {
                    if (known.contains(s + withoutEnd(texts[k], stop))) {
                        texts[k] = null;
                        givenUp++;
                    }
                }
            }
            for (int k = 0; k < texts.length; k++) {
                if (texts[k] == null) {
                    continue;
                }
                boolean ended = document && texts[k].endsWith(stop);
                String text = document ? withoutEnd(texts[k], stop) : texts[k];
                if (json) {
                    ObjectNode o = json(s, k, text, loaded.file().toString(), seedOf[k]);
                    if (document) {
                        o.put("complete", ended);
                    }
                    JsonOutput.print(spec, o);
                } else if (!stream) {
                    if (headers) {
                        out.printf(HEADER, k);
                    }
                    out.println(shown + text);
                }
            }
            if (stream) {
                out.println();
            }
            out.flush();
        }
        if (known != null && !verbosity.quiet()) {
            err.printf("--novel: %,d drawn documents were copies of the %,d training documents and were drawn again%s%n",
                    rejected, known.size(), givenUp == 0 ? "" : String.format("; %,d still copies after %d draws were"
                            + " left out", givenUp, NOVEL_DRAWS + 1));
        }
        if (randomSeed == null && !argmax && !verbosity.quiet()) {
            err.println("(random seed " + rs + "; pass --random-seed " + rs + " to repeat this output)");
        }
        return 0;
    }

    /** The code point that ends a document of the model's corpus; a model of one stream has none. */
    private int boundary(Checkpoint.Loaded loaded) {
        var corpus = loaded.info().corpus();
        Integer b = corpus == null ? null : corpus.documentsOrNone().boundary();
        if (b == null || !loaded.vocabulary().contains(b)) {
            throw RnnException.usage("--document: " + loaded.file() + " was trained on one stream, without documents;"
                    + " train it on a folder, several files or --documents lines");
        }
        return b;
    }

    /** The documents of the corpus the model was trained on, from its prepared directory. */
    private static DocumentSet trainingDocuments(Checkpoint.Loaded loaded, int boundary) {
        String dir = loaded.info().state().corpusDir();
        Path prepared = dir != null && PreparedCorpus.isPrepared(Path.of(dir)) ? Path.of(dir)
                : loaded.file().toAbsolutePath().getParent().resolve(RunSetup.CORPUS_CACHE);
        if (!PreparedCorpus.isPrepared(prepared)) {
            throw RnnException.badData("--novel compares with the training documents, but " + prepared
                    + " is gone; train the model again or leave --novel out");
        }
        return DocumentSet.of(PreparedCorpus.open(prepared), boundary);
    }

    /** A sample's text without the document boundary that ended it. */
    private static String withoutEnd(String text, String end) {
        return end != null && text.endsWith(end) ? text.substring(0, text.length() - end.length()) : text;
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
        if (document) {
            st.put("document", true);
            st.put("novel", novel);
            if (label != null) {
                st.put("label", label);
            }
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
