package charrnn.train;

import charrnn.AtomicFiles;
import charrnn.RnnException;
import charrnn.corpus.Manifest;
import charrnn.corpus.PrepareOptions;
import charrnn.corpus.PreparedCorpus;
import charrnn.corpus.Preparer;
import charrnn.corpus.Vocabulary;
import charrnn.model.Checkpoint;
import charrnn.model.CheckpointInfo;
import charrnn.model.ModelSpec;
import charrnn.model.RecurrentState;
import charrnn.model.Networks;
import charrnn.model.Hyperparameters;
import charrnn.model.TrainingState;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Everything a training run needs before its first step, for a fresh model, a resumed one or one
 * fine-tuned from another: the corpus (prepared on the fly and cached in the model directory), the
 * model directory (locked for the run), the network and where training stands. Each policy is a
 * method of its own.
 */
public final class RunSetup {
    public static final String DEFAULT_CORPUS = "data/alice.txt";
    /** Where a text corpus is prepared inside the model directory. */
    public static final String CORPUS_CACHE = "corpus";

    /**
     * A run ready to start, with the carried state stream training continues from (null: none
     * saved, start from zero); close it to release the model directory. {@code parent}: see
     * {@link CheckpointInfo}.
     */
    public record Start(MultiLayerNetwork net, ModelSpec spec, Hyperparameters config, TrainingState state,
                      RecurrentState streams, PreparedCorpus corpus, Path dir, String resumedFrom,
                      CheckpointInfo.Parent parent, ModelLock lock, boolean createdDir) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            lock.close();
        }

        /** A run whose set-up failed after this (its engine could not start): removes the directory it made. */
        public void abandon() throws IOException {
            RunSetup.abandon(lock, createdDir ? dir : null);
        }
    }

    private final Preparer preparer;

    /** @param preparer prepares a text corpus with the CLI's defaults (and reports its progress) */
    public RunSetup(Preparer preparer) {
        this.preparer = preparer;
    }

    /** A new model of {@code model} (its vocabulary size comes from the corpus) trained with {@code config}. */
    public Start fresh(List<Path> corpus, Path modelDir, boolean force, ModelSpec model, Hyperparameters config)
            throws IOException {
        List<Path> source = sources(corpus);
        Path dir = modelDir != null ? modelDir : defaultModelDir(source.get(0));
        boolean created = createModelDir(dir);
        ModelLock lock = ModelLock.acquire(dir);
        try {
            clearForFreshStart(dir, force);
            PreparedCorpus data = openOrPrepare(source, dir, null);
            checkSizes(data, config);
            ModelSpec spec = new ModelSpec(model.cell(), model.layers(), model.hidden(), model.dropout(),
                    data.vocabulary().size());
            return new Start(Networks.build(spec, config), spec, config,
                    TrainingState.start(data.dir().toAbsolutePath().toString()), null, data, dir, null, null, lock,
                    created);
        } catch (IOException | RuntimeException e) {
            abandon(lock, created ? dir : null);
            throw e;
        }
    }

    /**
     * The model in {@code resume} (a directory's last.zip, or a checkpoint file), trained on in
     * {@code modelDir} (default: the checkpoint's directory) on {@code corpus} (default: the one it
     * was trained on).
     */
    public Start resume(Path resume, Path modelDir, List<Path> corpus) throws IOException {
        Path file = Files.isDirectory(resume) ? resume.resolve(Checkpoint.LAST) : resume;
        Path dir = modelDir != null ? modelDir : file.toAbsolutePath().getParent();
        boolean created = createModelDir(dir);
        ModelLock lock = ModelLock.acquire(dir); // first: a run in progress may not have written last.zip yet
        try {
            if (Files.isDirectory(resume) && !Files.exists(file)) {
                throw RnnException.badModel(resume + ": nothing to resume (no " + Checkpoint.LAST + ")");
            }
            Checkpoint.Loaded loaded = Checkpoint.load(file, true);
            var info = loaded.info();
            // the model's vocabulary as the base: a fine-tuned model's holds symbols its corpus lacks
            // the model corpus's switches: a text prepared again gets the vocabulary the model has
            RunSetup same = new RunSetup(preparer.with(PrepareOptions.of(info.corpus())));
            PreparedCorpus data = corpus != null && !corpus.isEmpty()
                    ? same.openOrPrepare(corpus, dir, loaded.vocabulary())
                    : same.reopen(info.state().corpusDir(), info.corpus().sources().stream()
                    .map(src -> Paths.get(src.path())).toList(), dir, loaded.vocabulary());
            if (!data.vocabulary().equals(loaded.vocabulary())) {
                throw RnnException.badModel(data.dir() + ": its vocabulary (" + data.vocabulary().size()
                        + " symbols) differs from the model's (" + loaded.vocabulary().size()
                        + "); resume with the corpus the model was trained on");
            }
            checkSizes(data, info.config());
            return new Start(loaded.net(), info.spec(), info.config(),
                    info.state().withCorpusDir(data.dir().toAbsolutePath().toString()), loaded.streams(), data, dir,
                    file.toString(), info.parent(), lock, created);
        } catch (IOException | RuntimeException e) {
            abandon(lock, created ? dir : null);
            throw e;
        }
    }

    /** Model options given on the command line; null when not given. */
    public record Given(String cell, Integer layers, Integer hidden, Double dropout) {
        public static final Given NONE = new Given(null, null, null, null);
    }

    /**
     * A new model in {@code modelDir} that starts from the weights of {@code parent} (a directory's
     * best.zip, else last.zip, or a checkpoint file): its cell, layers and sizes, dropout unless
     * given, over the union of its vocabulary and the corpus's, trained with {@code config} from a
     * fresh optimizer and step 0. The parent is only read.
     */
    public Start fineTune(Path parent, List<Path> corpus, Path modelDir, boolean force, Given given,
                          Hyperparameters config) throws IOException {
        List<Path> source = sources(corpus);
        Path dir = modelDir != null ? modelDir : defaultModelDir(source.get(0));
        Checkpoint.Loaded from = Checkpoint.load(parent, false);
        ModelSpec ps = from.info().spec();
        refuseChange("--cell", given.cell(), ps.cell());
        refuseChange("--layers", given.layers(), ps.layers());
        refuseChange("--hidden", given.hidden(), ps.hidden());
        if (Files.exists(dir) && Files.isSameFile(dir, from.file().toAbsolutePath().getParent())) {
            throw RnnException.usage(dir + ": holds the --init-from model, which stays untouched; choose another"
                    + " --model");
        }
        boolean created = createModelDir(dir);
        ModelLock lock = ModelLock.acquire(dir);
        try {
            clearForFreshStart(dir, force);
            PreparedCorpus data = openOrPrepare(source, dir, from.vocabulary());
            List<Integer> added = newSymbols(from.vocabulary(), data.vocabulary());
            if (added == null) {
                throw RnnException.badModel(data.dir() + ": a prepared corpus keeps its own vocabulary, which lacks"
                        + " symbols of the --init-from model; give the text file instead (it is prepared with both)");
            }
            checkSizes(data, config);
            ModelSpec spec = new ModelSpec(ps.cell(), ps.layers(), ps.hidden(),
                    given.dropout() != null ? given.dropout() : ps.dropout(), data.vocabulary().size());
            return new Start(Networks.initFrom(from.net(), from.vocabulary(), spec, data.vocabulary(), config), spec,
                    config, TrainingState.start(data.dir().toAbsolutePath().toString()), null, data, dir, null,
                    CheckpointInfo.Parent.of(from, added), lock, created);
        } catch (IOException | RuntimeException e) {
            abandon(lock, created ? dir : null);
            throw e;
        }
    }

    private static void refuseChange(String option, Object given, Object parents) {
        if (given != null && !given.equals(parents)) {
            throw RnnException.usage(option + " " + given + " differs from the --init-from model's (" + parents
                    + "): fine-tuning keeps its cell, layers and sizes; leave " + option + " out");
        }
    }

    /** The code points of {@code vocab} that {@code base} lacks, or null when {@code vocab} lacks one of {@code base}'s. */
    static List<Integer> newSymbols(Vocabulary base, Vocabulary vocab) {
        for (int cp : base.codePoints()) {
            if (!vocab.contains(cp)) {
                return null;
            }
        }
        List<Integer> added = new ArrayList<>();
        for (int cp : vocab.codePoints()) {
            if (!base.contains(cp)) {
                added.add(cp);
            }
        }
        return added;
    }

    /**
     * Whether a prepared text's vocabulary is the one preparing it against {@code base} gives (null:
     * none): every symbol of the base, and of the others only those the text holds (count above 0).
     */
    static boolean preparedWith(Vocabulary vocab, Vocabulary base) {
        if (base != null && newSymbols(base, vocab) == null) {
            return false;
        }
        for (int id = 0; id < vocab.size(); id++) {
            if (vocab.count(id) == 0 && (base == null || !base.contains(vocab.codePoint(id)))) {
                return false;
            }
        }
        return true;
    }

    /** Makes the model directory {@code dir} unless it is one; whether it made it. A file there is a usage error. */
    private static boolean createModelDir(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return false;
        }
        if (Files.exists(dir)) {
            throw RnnException.usage(dir + ": is a file, not a model directory; choose another --model");
        }
        Files.createDirectories(dir);
        return true;
    }

    /** A set-up that failed: releases the lock, and removes the model directory if it made it. */
    private static void abandon(ModelLock lock, Path createdDir) throws IOException {
        lock.close();
        if (createdDir != null) {
            AtomicFiles.deleteTree(createdDir);
        }
    }

    /** The corpus given, or the default one; each path must exist. */
    private static List<Path> sources(List<Path> corpus) {
        List<Path> paths = corpus != null && !corpus.isEmpty() ? corpus
                : List.of(defaultCorpus(Paths.get(""), System.getProperty("rnn.home")));
        paths.forEach(RunSetup::requireExists);
        return paths;
    }

    /** data/alice.txt from the working directory, else from the installation ({@code home}). */
    static Path defaultCorpus(Path cwd, String home) {
        Path here = cwd.resolve(DEFAULT_CORPUS);
        if (Files.exists(here)) {
            return here;
        }
        if (home != null && Files.exists(Paths.get(home, DEFAULT_CORPUS))) {
            return Paths.get(home, DEFAULT_CORPUS);
        }
        throw RnnException.badData(DEFAULT_CORPUS + ": not found; run data/fetch-alice.sh first, or name a corpus");
    }

    /**
     * models/NAME, NAME the corpus's file name without its extension (a directory's name as it is);
     * for a corpus in a folder named data beside a models folder (the installation's), that models folder.
     */
    static Path defaultModelDir(Path source) {
        Path abs = source.toAbsolutePath().normalize();
        String name = Files.isDirectory(abs) ? abs.getFileName().toString() : Preparer.stem(abs);
        Path parent = abs.getParent();
        if (parent != null && parent.getFileName() != null && parent.getFileName().toString().equals("data")
                && Files.isDirectory(parent.resolveSibling("models"))) {
            return parent.resolveSibling("models").resolve(name);
        }
        return Paths.get("models", name);
    }

    /**
     * A fresh start in a directory that holds a trained model (checkpoints, metrics, plot) is refused
     * unless {@code force}, which deletes those files and nothing else.
     */
    static void clearForFreshStart(Path dir, boolean force) throws IOException {
        List<Path> old;
        try (Stream<Path> s = Files.list(dir)) {
            old = s.filter(p -> {
                String n = p.getFileName().toString();
                return n.endsWith(".zip") || n.equals(MetricsLog.FILE) || n.equals(LossPlot.FILE);
            }).toList();
        }
        if (old.isEmpty()) {
            return;
        }
        if (!force) {
            throw RnnException.usage(dir + ": already holds a trained model; continue it with --resume " + dir
                    + ", choose another --model, or pass --force to start over (deletes its checkpoints)");
        }
        for (Path p : old) {
            Files.delete(p);
        }
    }

    /**
     * A prepared directory as it is; text files and folders prepared into DIR/corpus against the
     * vocabulary {@code base} (null: none), or that cache as it is when it was prepared from the same
     * files with the same bytes and switches against the same base (a damaged cache is prepared again).
     */
    PreparedCorpus openOrPrepare(List<Path> source, Path dir, Vocabulary base) throws IOException {
        if (source.size() == 1 && PreparedCorpus.isPrepared(requireExists(source.get(0)))) {
            return PreparedCorpus.open(source.get(0));
        }
        Path cache = dir.resolve(CORPUS_CACHE);
        if (PreparedCorpus.isPrepared(cache)) {
            try {
                PreparedCorpus c = PreparedCorpus.open(cache);
                if (preparer.options().resolve(source).equals(PrepareOptions.of(c.manifest()))
                        && sameFiles(Preparer.files(source), c.manifest())
                        && preparedWith(c.vocabulary(), base)) {
                    return c;
                }
            } catch (RnnException e) {
                // damaged cache: prepared again below
            }
        }
        preparer.prepare(source, cache, true, base);
        return PreparedCorpus.open(cache);
    }

    /** Whether {@code files} are the sources {@code m} lists with the same bytes, and the files it skipped. */
    private static boolean sameFiles(List<Path> files, Manifest m) throws IOException {
        var bySha = new java.util.HashMap<String, String>();
        for (Manifest.Source s : m.sources()) {
            bySha.put(s.path(), s.sha256());
        }
        int found = 0;
        for (Path f : files) {
            String sha = bySha.get(f.toAbsolutePath().normalize().toString());
            if (sha != null) {
                if (!sha.equals(Preparer.sha256(f))) {
                    return false;
                }
                found++;
            }
        }
        long skipped = m.normalisation() == null ? 0 : m.normalisation().filesSkipped();
        return found == m.sources().size() && files.size() - found == skipped;
    }

    private static Path requireExists(Path source) {
        if (!Files.exists(source)) {
            throw RnnException.badData(source + ": no such file or prepared directory");
        }
        return source;
    }

    /** The corpus a checkpoint was trained on: its prepared directory, else its source files prepared again. */
    PreparedCorpus reopen(String preparedDir, List<Path> sources, Path dir, Vocabulary base) throws IOException {
        if (preparedDir != null && PreparedCorpus.isPrepared(Paths.get(preparedDir))) {
            return PreparedCorpus.open(Paths.get(preparedDir));
        }
        if (sources.stream().allMatch(Files::isRegularFile)) {
            return openOrPrepare(sources, dir, base);
        }
        throw RnnException.badData("the corpus this model was trained on is gone (" + preparedDir + ", "
                + sources.get(0) + (sources.size() > 1 ? " ..." : "") + "); name it: rnn train CORPUS --resume ...");
    }

    /** The training split must hold one batch of windows, the validation split one transition. */
    static void checkSizes(PreparedCorpus data, Hyperparameters config) {
        if (data.trainLength() <= config.seqLength() + 1L || data.valLength() < 2) {
            throw RnnException.badData(data.dir() + ": too short for --seq-length " + config.seqLength()
                    + " (train split " + data.trainLength() + " characters)");
        }
        long windows = (data.trainLength() - 1) / config.seqLength();
        if (windows < config.batch()) {
            throw RnnException.usage(String.format("--batch %d needs %d windows of %d characters but the training"
                    + " split has %d; lower --batch or --seq-length", config.batch(), config.batch(),
                    config.seqLength(), windows));
        }
    }
}
