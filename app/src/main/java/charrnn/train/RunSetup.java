package charrnn.train;

import charrnn.AtomicFiles;
import charrnn.RnnException;
import charrnn.corpus.PrepareOptions;
import charrnn.corpus.PreparedCorpus;
import charrnn.corpus.Preparer;
import charrnn.model.Checkpoint;
import charrnn.model.ModelSpec;
import charrnn.model.RecurrentState;
import charrnn.model.Networks;
import charrnn.model.TrainConfig;
import charrnn.model.TrainingState;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;

/**
 * Everything a training run needs before its first step, for a fresh model or a resumed one: the
 * corpus (prepared on the fly and cached in the model directory), the model directory (locked for
 * the run), the network and where training stands. Each policy is a method of its own.
 */
public final class RunSetup {
    public static final String DEFAULT_CORPUS = "data/alice.txt";
    /** Where a text corpus is prepared inside the model directory. */
    public static final String CORPUS_CACHE = "corpus";

    /**
     * A run ready to start, with the carried state stream training continues from (null: none
     * saved, start from zero); close it to release the model directory.
     */
    public record Run(MultiLayerNetwork net, ModelSpec spec, TrainConfig config, TrainingState state,
                      RecurrentState streams, PreparedCorpus corpus, Path dir, String resumedFrom, ModelLock lock)
            implements AutoCloseable {
        @Override
        public void close() throws IOException {
            lock.close();
        }
    }

    private final Preparer preparer;

    /** @param preparer prepares a text corpus with the CLI's defaults (and reports its progress) */
    public RunSetup(Preparer preparer) {
        this.preparer = preparer;
    }

    /** A new model of {@code model} (its vocabulary size comes from the corpus) trained with {@code config}. */
    public Run fresh(Path corpus, Path modelDir, boolean force, ModelSpec model, TrainConfig config) throws IOException {
        Path source = requireExists(corpus != null ? corpus : defaultCorpus(Paths.get(""),
                System.getProperty("rnn.home")));
        Path dir = modelDir != null ? modelDir : defaultModelDir(source);
        boolean created = !Files.exists(dir);
        Files.createDirectories(dir);
        ModelLock lock = ModelLock.acquire(dir);
        try {
            clearForFreshStart(dir, force);
            PreparedCorpus data = openOrPrepare(source, dir);
            checkSizes(data, config);
            ModelSpec spec = new ModelSpec(model.cell(), model.layers(), model.hidden(), model.dropout(),
                    data.vocabulary().size());
            return new Run(Networks.build(spec, config), spec, config,
                    TrainingState.start(data.dir().toAbsolutePath().toString()), null, data, dir, null, lock);
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
    public Run resume(Path resume, Path modelDir, Path corpus) throws IOException {
        Path file = Files.isDirectory(resume) ? resume.resolve(Checkpoint.LAST) : resume;
        Path dir = modelDir != null ? modelDir : file.toAbsolutePath().getParent();
        boolean created = !Files.exists(dir);
        Files.createDirectories(dir);
        ModelLock lock = ModelLock.acquire(dir); // first: a run in progress may not have written last.zip yet
        try {
            if (Files.isDirectory(resume) && !Files.exists(file)) {
                throw RnnException.badModel(resume + ": nothing to resume (no " + Checkpoint.LAST + ")");
            }
            Checkpoint.Loaded loaded = Checkpoint.load(file, true);
            var info = loaded.info();
            PreparedCorpus data = corpus != null ? openOrPrepare(corpus, dir) : reopen(info.state().corpusDir(),
                    Paths.get(info.corpus().source().path()), dir);
            if (!data.vocabulary().equals(loaded.vocabulary())) {
                throw RnnException.badModel(data.dir() + ": its vocabulary (" + data.vocabulary().size()
                        + " symbols) differs from the model's (" + loaded.vocabulary().size()
                        + "); resume with the corpus the model was trained on");
            }
            checkSizes(data, info.config());
            return new Run(loaded.net(), info.spec(), info.config(),
                    info.state().withCorpusDir(data.dir().toAbsolutePath().toString()), loaded.streams(), data, dir,
                    file.toString(), lock);
        } catch (IOException | RuntimeException e) {
            abandon(lock, created ? dir : null);
            throw e;
        }
    }

    /** A set-up that failed: releases the lock, and removes the model directory if it made it. */
    private static void abandon(ModelLock lock, Path createdDir) throws IOException {
        lock.close();
        if (createdDir != null) {
            AtomicFiles.deleteTree(createdDir);
        }
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
     * A prepared directory as it is; a text file prepared into DIR/corpus, or that cache as it is when
     * it was prepared from the same bytes with the same split (a damaged cache is prepared again).
     */
    PreparedCorpus openOrPrepare(Path source, Path dir) throws IOException {
        if (Files.isDirectory(requireExists(source))) {
            return PreparedCorpus.open(source);
        }
        Path cache = dir.resolve(CORPUS_CACHE);
        if (PreparedCorpus.isPrepared(cache)) {
            try {
                PreparedCorpus c = PreparedCorpus.open(cache);
                if (Preparer.sha256(source).equals(c.manifest().source().sha256())
                        && PrepareOptions.defaults().valFraction() == c.manifest().split().valFraction()) {
                    return c;
                }
            } catch (RnnException e) {
                // damaged cache: prepared again below
            }
        }
        preparer.prepare(source, cache, true);
        return PreparedCorpus.open(cache);
    }

    private static Path requireExists(Path source) {
        if (!Files.exists(source)) {
            throw RnnException.badData(source + ": no such file or prepared directory");
        }
        return source;
    }

    /** The corpus a checkpoint was trained on: its prepared directory, else its source file prepared again. */
    PreparedCorpus reopen(String preparedDir, Path source, Path dir) throws IOException {
        if (preparedDir != null && PreparedCorpus.isPrepared(Paths.get(preparedDir))) {
            return PreparedCorpus.open(Paths.get(preparedDir));
        }
        if (Files.isRegularFile(source)) {
            return openOrPrepare(source, dir);
        }
        throw RnnException.badData("the corpus this model was trained on is gone (" + preparedDir + ", " + source
                + "); name it: rnn train CORPUS --resume ...");
    }

    /** The training split must hold one batch of windows, the validation split one transition. */
    static void checkSizes(PreparedCorpus data, TrainConfig config) {
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
