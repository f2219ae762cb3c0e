package charrnn.train;

import charrnn.ExitCodes;
import charrnn.RnnException;
import charrnn.corpus.PrepareOptions;
import charrnn.corpus.PreparedCorpus;
import charrnn.corpus.Preparer;
import charrnn.model.ModelSpec;
import charrnn.model.TrainConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The policies of a run's set-up, one by one. */
class RunSetupTest {
    @TempDir
    Path tmp;

    private static RunSetup setup() {
        return new RunSetup(new Preparer(PrepareOptions.defaults(), m -> { }, null));
    }

    /** The identity of a prepared directory on disk: a prepare renames a new directory into place. */
    private static Object identity(Path dir) throws java.io.IOException {
        return Files.readAttributes(dir, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
    }

    private static final ModelSpec SPEC = new ModelSpec("lstm", 1, 8, 0, 2);
    private static final TrainConfig CONFIG = new TrainConfig(20, 4, "adam", 1e-2, 1, 0, 5, 1);

    @Test
    void theDefaultCorpusIsDataAliceInTheWorkingDirectoryElseInTheInstallation() throws Exception {
        Path home = tmp.resolve("home");
        Files.createDirectories(home.resolve("data"));
        Files.writeString(home.resolve(RunSetup.DEFAULT_CORPUS), "x");
        Path cwd = Files.createDirectories(tmp.resolve("cwd"));
        assertEquals(home.resolve(RunSetup.DEFAULT_CORPUS), RunSetup.defaultCorpus(cwd, home.toString()));
        Files.createDirectories(cwd.resolve("data"));
        Files.writeString(cwd.resolve(RunSetup.DEFAULT_CORPUS), "y");
        assertEquals(cwd.resolve(RunSetup.DEFAULT_CORPUS), RunSetup.defaultCorpus(cwd, home.toString()));
        var e = assertThrows(RnnException.class, () -> RunSetup.defaultCorpus(tmp.resolve("none"), null));
        assertEquals(ExitCodes.BAD_DATA, e.exitCode());
        assertTrue(e.getMessage().contains("data/fetch-alice.sh"), e.getMessage());
    }

    @Test
    void theDefaultModelDirectoryIsNamedAfterTheCorpusWithoutItsExtension() throws Exception {
        assertEquals(Paths.get("models", "war_and_peace"), RunSetup.defaultModelDir(tmp.resolve("war_and_peace.txt")));
        assertEquals(Paths.get("models", "notes"), RunSetup.defaultModelDir(tmp.resolve("notes")));
        Path dir = Files.createDirectories(tmp.resolve("prepared.v2"));
        assertEquals(Paths.get("models", "prepared.v2"), RunSetup.defaultModelDir(dir), "a directory keeps its name");
        // the installation's data/ beside its models/: the model goes to that models/
        Files.createDirectories(tmp.resolve("install/data"));
        Files.createDirectories(tmp.resolve("install/models"));
        assertEquals(tmp.resolve("install/models/alice"), RunSetup.defaultModelDir(tmp.resolve("install/data/alice.txt")));
        assertEquals(tmp.resolve("install").resolve("alice"), Preparer.defaultOutput(tmp.resolve("install/alice.txt")),
                "prepare and train name what they make from a corpus the same way");
    }

    @Test
    void aFreshStartOverATrainedModelNeedsForceWhichDeletesOnlyItsCheckpointsAndMetrics() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("m"));
        RunSetup.clearForFreshStart(dir, false); // empty: nothing in the way
        for (String f : new String[]{"last.zip", "step-000003.zip", MetricsLog.FILE, LossPlot.FILE, "notes.txt"}) {
            Files.writeString(dir.resolve(f), f);
        }
        Files.createDirectories(dir.resolve(RunSetup.CORPUS_CACHE));
        var e = assertThrows(RnnException.class, () -> RunSetup.clearForFreshStart(dir, false));
        assertEquals(ExitCodes.USAGE, e.exitCode());
        assertTrue(e.getMessage().contains("--resume " + dir) && e.getMessage().contains("--force"), e.getMessage());
        assertTrue(Files.exists(dir.resolve("last.zip")), "nothing deleted without --force");
        RunSetup.clearForFreshStart(dir, true);
        try (var s = Files.list(dir)) {
            assertEquals(List.of(RunSetup.CORPUS_CACHE, "notes.txt"),
                    s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void theCorpusCacheIsReusedWhileTheTextIsUnchangedAndPreparedAgainWhenItChanges() throws Exception {
        Path text = TinyCorpus.write(tmp, TinyCorpus.PATTERN, 40);
        Path dir = tmp.resolve("m");
        Path cache = dir.resolve(RunSetup.CORPUS_CACHE);
        try (var r = setup().fresh(text, dir, false, SPEC, CONFIG)) {
            assertEquals(cache.toAbsolutePath(), r.corpus().dir().toAbsolutePath());
        }
        Object first = identity(cache);
        setup().fresh(text, dir, false, SPEC, CONFIG).close();
        assertEquals(first, identity(cache), "same bytes: the cache is reused");
        Files.writeString(text, TinyCorpus.PATTERN.repeat(40) + "more!\n");
        try (var r = setup().fresh(text, dir, false, SPEC, CONFIG)) {
            assertEquals(TinyCorpus.PATTERN.length() * 40L + 6, r.corpus().manifest().codePoints());
        }
        Object second = identity(cache);
        assertNotEquals(first, second, "changed bytes: prepared again");
        Files.writeString(cache.resolve(Preparer.MANIFEST), "{ damaged");
        setup().fresh(text, dir, false, SPEC, CONFIG).close();
        assertNotEquals(second, identity(cache), "a damaged cache is prepared again");
    }

    @Test
    void aResumeFindsThePreparedCorpusElseItsSourceElseSaysWhatIsGone() throws Exception {
        Path text = TinyCorpus.write(tmp, TinyCorpus.PATTERN, 40);
        PreparedCorpus c;
        try (var r = setup().fresh(text, tmp.resolve("m"), false, SPEC, CONFIG)) {
            c = r.corpus();
        }
        String cache = c.dir().toAbsolutePath().toString();
        assertEquals(cache, setup().reopen(cache, text, tmp.resolve("m")).dir().toAbsolutePath().toString());
        Path elsewhere = tmp.resolve("elsewhere");
        assertEquals(elsewhere.resolve(RunSetup.CORPUS_CACHE).toAbsolutePath(), setup().reopen(
                tmp.resolve("gone").toString(), text, elsewhere).dir().toAbsolutePath(),
                "the prepared directory is gone: the source is prepared again");
        var e = assertThrows(RnnException.class, () -> setup().reopen(tmp.resolve("gone").toString(),
                tmp.resolve("gone.txt"), elsewhere));
        assertEquals(ExitCodes.BAD_DATA, e.exitCode());
        assertTrue(e.getMessage().contains("gone.txt") && e.getMessage().contains("rnn train CORPUS --resume"),
                e.getMessage());
    }

    @Test
    void aMissingCorpusIsBadDataAndCreatesNoModelDirectory() {
        Path dir = tmp.resolve("models/missing");
        var e = assertThrows(RnnException.class, () -> setup().fresh(tmp.resolve("missing.txt"), dir, false, SPEC, CONFIG));
        assertEquals(ExitCodes.BAD_DATA, e.exitCode());
        assertFalse(Files.exists(dir));
    }

    @Test
    void sizeChecksNameTheOptionToLower() throws Exception {
        Path text = TinyCorpus.write(tmp, TinyCorpus.PATTERN, 40); // 1,480 characters: 1,332 to train
        var tooLong = assertThrows(RnnException.class, () -> setup().fresh(text, tmp.resolve("a"), false, SPEC,
                new TrainConfig(2000, 4, "adam", 1e-2, 1, 0, 5, 1)));
        assertEquals(ExitCodes.BAD_DATA, tooLong.exitCode());
        assertTrue(tooLong.getMessage().contains("--seq-length 2000"), tooLong.getMessage());
        var tooMany = assertThrows(RnnException.class, () -> setup().fresh(text, tmp.resolve("b"), false, SPEC,
                new TrainConfig(20, 100, "adam", 1e-2, 1, 0, 5, 1)));
        assertEquals(ExitCodes.USAGE, tooMany.exitCode());
        assertEquals("--batch 100 needs 100 windows of 20 characters but the training split has 66; lower --batch"
                + " or --seq-length", tooMany.getMessage());
    }

    @Test
    void oneTrainingAtATimePerModelDirectoryAndALockLeftByADeadProcessDoesNotBlock() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("m"));
        Files.writeString(dir.resolve(ModelLock.FILE), "999999\n"); // left by a killed run: no OS lock held
        try (ModelLock held = ModelLock.acquire(dir)) {
            assertEquals(ProcessHandle.current().pid() + "", Files.readString(dir.resolve(ModelLock.FILE)).strip());
            var e = assertThrows(RnnException.class, () -> ModelLock.acquire(dir));
            assertEquals(ExitCodes.USAGE, e.exitCode());
            assertTrue(e.getMessage().startsWith(dir + ": another rnn train (process " + ProcessHandle.current().pid()
                    + ")"), e.getMessage());
        }
        ModelLock.acquire(dir).close(); // released
    }
}
