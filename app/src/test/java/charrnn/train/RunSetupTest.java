package charrnn.train;

import charrnn.cli.Settings;
import charrnn.ExitCodes;
import charrnn.RnnException;
import charrnn.corpus.PrepareOptions;
import charrnn.corpus.PreparedCorpus;
import charrnn.corpus.Preparer;
import charrnn.corpus.Vocabulary;
import charrnn.model.Checkpoint;
import charrnn.model.ModelSpec;
import charrnn.model.Networks;
import charrnn.model.Hyperparameters;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

/** The policies of a run's set-up, one by one. */
class RunSetupTest {
    @TempDir
    Path tmp;

    private static RunSetup setup() {
        return new RunSetup(new Preparer(Settings.prepare().get(), m -> { }, null));
    }

    /** The identity of a prepared directory on disk: a prepare renames a new directory into place. */
    private static Object identity(Path dir) throws java.io.IOException {
        return Files.readAttributes(dir, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
    }

    private static final ModelSpec SPEC = new ModelSpec("lstm", 1, 8, 0, 2);
    private static final Hyperparameters CONFIG = Settings.charRnn(20, 4, "adam", 1e-2, 1, 0, 5, 1);

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
        try (var r = setup().fresh(List.of(text), dir, false, SPEC, CONFIG)) {
            assertEquals(cache.toAbsolutePath(), r.corpus().dir().toAbsolutePath());
        }
        Object first = identity(cache);
        setup().fresh(List.of(text), dir, false, SPEC, CONFIG).close();
        assertEquals(first, identity(cache), "same bytes: the cache is reused");
        Files.writeString(text, TinyCorpus.PATTERN.repeat(40) + "more!\n");
        try (var r = setup().fresh(List.of(text), dir, false, SPEC, CONFIG)) {
            assertEquals(TinyCorpus.PATTERN.length() * 40L + 6, r.corpus().manifest().codePoints());
        }
        Object second = identity(cache);
        assertNotEquals(first, second, "changed bytes: prepared again");
        Files.writeString(cache.resolve(Preparer.MANIFEST), "{ damaged");
        setup().fresh(List.of(text), dir, false, SPEC, CONFIG).close();
        assertNotEquals(second, identity(cache), "a damaged cache is prepared again");
    }

    @Test
    void aFolderCacheIsReusedWhileEveryFileIsUnchangedAndPreparedAgainWhenOneChangesOrAppears() throws Exception {
        Path folder = tmp.resolve("poems");
        Files.createDirectories(folder);
        for (int i = 0; i < 4; i++) {
            Files.writeString(folder.resolve(i + ".txt"), TinyCorpus.PATTERN.repeat(10 + i));
        }
        Path dir = tmp.resolve("m");
        Path cache = dir.resolve(RunSetup.CORPUS_CACHE);
        try (var r = setup().fresh(List.of(folder), dir, false, SPEC, CONFIG)) {
            assertEquals(4, r.corpus().manifest().documents().count());
        }
        Object first = identity(cache);
        setup().fresh(List.of(folder), dir, false, SPEC, CONFIG).close();
        assertEquals(first, identity(cache), "same files, same bytes: reused");
        Files.writeString(folder.resolve("4.txt"), TinyCorpus.PATTERN.repeat(10));
        setup().fresh(List.of(folder), dir, false, SPEC, CONFIG).close();
        Object second = identity(cache);
        assertNotEquals(first, second, "a new file: prepared again");
        Files.writeString(folder.resolve("0.txt"), TinyCorpus.PATTERN.repeat(11));
        try (var r = setup().fresh(List.of(folder), dir, false, SPEC, CONFIG)) {
            assertEquals(5, r.corpus().manifest().sources().size());
        }
        assertNotEquals(second, identity(cache), "a changed file: prepared again");
    }

    @Test
    void aResumeFindsThePreparedCorpusElseItsSourceElseSaysWhatIsGone() throws Exception {
        Path text = TinyCorpus.write(tmp, TinyCorpus.PATTERN, 40);
        PreparedCorpus c;
        try (var r = setup().fresh(List.of(text), tmp.resolve("m"), false, SPEC, CONFIG)) {
            c = r.corpus();
        }
        String cache = c.dir().toAbsolutePath().toString();
        assertEquals(cache, setup().reopen(cache, List.of(text), tmp.resolve("m"), null).dir().toAbsolutePath().toString());
        Path elsewhere = tmp.resolve("elsewhere");
        assertEquals(elsewhere.resolve(RunSetup.CORPUS_CACHE).toAbsolutePath(), setup().reopen(
                tmp.resolve("gone").toString(), List.of(text), elsewhere, null).dir().toAbsolutePath(),
                "the prepared directory is gone: the source is prepared again");
        var e = assertThrows(RnnException.class, () -> setup().reopen(tmp.resolve("gone").toString(),
                List.of(tmp.resolve("gone.txt")), elsewhere, null));
        assertEquals(ExitCodes.BAD_DATA, e.exitCode());
        assertTrue(e.getMessage().contains("gone.txt") && e.getMessage().contains("rnn train CORPUS --resume"),
                e.getMessage());
    }

    @Test
    void aMissingCorpusIsBadDataAndCreatesNoModelDirectory() {
        Path dir = tmp.resolve("models/missing");
        var e = assertThrows(RnnException.class, () -> setup().fresh(List.of(tmp.resolve("missing.txt")), dir, false, SPEC, CONFIG));
        assertEquals(ExitCodes.BAD_DATA, e.exitCode());
        assertFalse(Files.exists(dir));
    }

    @Test
    void sizeChecksNameTheOptionToLower() throws Exception {
        Path text = TinyCorpus.write(tmp, TinyCorpus.PATTERN, 40); // 1,480 characters: 1,332 to train
        var tooLong = assertThrows(RnnException.class, () -> setup().fresh(List.of(text), tmp.resolve("a"), false, SPEC,
                Settings.charRnn(2000, 4, "adam", 1e-2, 1, 0, 5, 1)));
        assertEquals(ExitCodes.BAD_DATA, tooLong.exitCode());
        assertTrue(tooLong.getMessage().contains("--seq-length 2000"), tooLong.getMessage());
        var tooMany = assertThrows(RnnException.class, () -> setup().fresh(List.of(text), tmp.resolve("b"), false, SPEC,
                Settings.charRnn(20, 100, "adam", 1e-2, 1, 0, 5, 1)));
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

    /** The tiny pattern's symbols but l, d and ',', and eleven the pattern lacks. */
    private static final String CHILD_TEXT = "Quick brown fox jumps; ZZZ at the mat.\n";

    /** A 2 x 8 LSTM (dropout 0.1) trained 3 steps on the tiny pattern, in tmp/parent. */
    private Path parent() throws Exception {
        Path text = TinyCorpus.write(Files.createDirectories(tmp.resolve("p")), TinyCorpus.PATTERN, 40);
        Path dir = tmp.resolve("parent");
        try (var r = setup().fresh(List.of(text), dir, false, new ModelSpec("lstm", 2, 8, 0.1, 2), CONFIG)) {
            TinyCorpus.trainer(r.net(), r.corpus(), r.spec(), r.config(), Settings.options().withMaxSteps(3)
                    .withEvalEvery(3).withEvalChars(0).withSampleEvery(0).withCheckpoints(0, 1).get(), dir).run();
        }
        return dir;
    }

    private Path childText() throws Exception {
        return TinyCorpus.write(Files.createDirectories(tmp.resolve("c")), CHILD_TEXT, 40);
    }

    /** Every file under {@code dir} with its bytes' SHA-256. */
    private static Map<String, String> contents(Path dir) throws Exception {
        Map<String, String> m = new TreeMap<>();
        try (var s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                m.put(dir.relativize(p).toString(), Preparer.sha256(p));
            }
        }
        return m;
    }

    private static float[] floats(INDArray a) {
        return a.dup('c').data().asFloat();
    }

    @Test
    void aFineTuneStartsFromTheParentsWeightsOverTheUnionOfTheVocabulariesAndLeavesTheParentUntouched()
            throws Exception {
        Path parent = parent();
        Map<String, String> before = contents(parent);
        var p = Checkpoint.load(parent, false);
        Hyperparameters config = Settings.charRnn(20, 4, "adam", 2e-3, 1, 0, 5, 9); // another seed and rate: free
        try (var r = setup().fineTune(parent, List.of(childText()), tmp.resolve("child"), false, RunSetup.Given.NONE, config)) {
            assertEquals(new ModelSpec("lstm", 2, 8, 0.1, r.corpus().vocabulary().size()), r.spec(),
                    "the parent's cell, layers, sizes and dropout");
            assertEquals(config, r.config());
            assertEquals(0, r.state().step());
            assertNull(r.resumedFrom());
            Vocabulary pv = p.vocabulary();
            Vocabulary v = r.corpus().vocabulary();
            String union = (TinyCorpus.PATTERN + CHILD_TEXT).codePoints().sorted().distinct()
                    .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
            assertArrayEquals(union.codePoints().toArray(), v.codePoints(), "the union, sorted by code point");
            assertEquals(0, v.count(v.id('l')), "a parent symbol the text lacks stays, with count 0");
            List<Integer> added = "QZ;bfijkpux".codePoints().sorted().boxed().toList();
            assertEquals(new charrnn.model.CheckpointInfo.Parent(p.file().toAbsolutePath().normalize().toString(),
                    p.info().corpus().sources().get(0).path(), p.info().corpus().sources().get(0).sha256(), 3,
                    p.info().state().bestValLoss(), added, null), r.parent());

            MultiLayerNetwork pn = p.net();
            MultiLayerNetwork n = r.net();
            MultiLayerNetwork drawn = Networks.build(r.spec(), config); // what DL4J's initialiser draws for this run
            INDArray pb = pn.getLayer(2).getParam("b");
            float lowest = pb.minNumber().floatValue();
            for (int id = 0; id < v.size(); id++) {
                int was = pv.id(v.codePoint(id));
                MultiLayerNetwork rows = was >= 0 ? pn : drawn;
                int row = was >= 0 ? was : id;
                assertArrayEquals(floats(rows.getLayer(0).getParam("W").getRow(row)),
                        floats(n.getLayer(0).getParam("W").getRow(id)), "input row of " + v.decode(id));
                assertArrayEquals(floats(rows.getLayer(2).getParam("W").getColumn(row)),
                        floats(n.getLayer(2).getParam("W").getColumn(id)), "output column of " + v.decode(id));
                assertEquals(was >= 0 ? pb.getFloat(was) : lowest, n.getLayer(2).getParam("b").getFloat(id),
                        "output bias of " + v.decode(id));
            }
            for (String[] param : new String[][]{{"0", "RW"}, {"0", "b"}, {"1", "W"}, {"1", "RW"}, {"1", "b"}}) {
                int l = Integer.parseInt(param[0]);
                assertArrayEquals(floats(pn.getLayer(l).getParam(param[1])), floats(n.getLayer(l).getParam(param[1])),
                        "layer " + l + " " + param[1] + " copied");
            }
            assertEquals(0.0, n.getUpdater().getStateViewArray().amaxNumber().doubleValue(), "a fresh optimizer");
        }
        assertEquals(before, contents(parent), "the parent's files are byte for byte as they were");
        try (var r = setup().fineTune(parent, List.of(childText()), tmp.resolve("child2"), false,
                new RunSetup.Given("lstm", 2, 8, 0.3), CONFIG)) {
            assertEquals(0.3, r.spec().dropout(), "--dropout is free; the same shape may be given");
        }
    }

    @Test
    void aFineTuneRefusesAnotherShapeAndTheParentsOwnDirectory() throws Exception {
        Path parent = parent();
        Path text = childText();
        Map<String, String> before = contents(parent);
        String[][] cases = {{"--cell", "rnn"}, {"--layers", "3"}, {"--hidden", "16"}};
        RunSetup.Given[] given = {new RunSetup.Given("rnn", null, null, null), new RunSetup.Given(null, 3, null, null),
                new RunSetup.Given(null, null, 16, null)};
        String[] parents = {"lstm", "2", "8"};
        for (int i = 0; i < cases.length; i++) {
            int k = i;
            var e = assertThrows(RnnException.class, () -> setup().fineTune(parent, List.of(text), tmp.resolve("x"), false,
                    given[k], CONFIG));
            assertEquals(ExitCodes.USAGE, e.exitCode());
            assertEquals(cases[i][0] + " " + cases[i][1] + " differs from the --init-from model's (" + parents[i]
                    + "): fine-tuning keeps its cell, layers and sizes; leave " + cases[i][0] + " out", e.getMessage());
        }
        assertFalse(Files.exists(tmp.resolve("x")), "refused before making the model directory");
        var e = assertThrows(RnnException.class, () -> setup().fineTune(parent.resolve(Checkpoint.LAST), List.of(text), parent,
                true, RunSetup.Given.NONE, CONFIG));
        assertEquals(ExitCodes.USAGE, e.exitCode());
        assertTrue(e.getMessage().contains("holds the --init-from model"), e.getMessage());
        assertEquals(before, contents(parent), "not even --force deletes the parent");
    }

    @Test
    void aCorpusCachePreparedAgainstAnotherVocabularyIsPreparedAgain() throws Exception {
        Path parent = parent();
        Path text = childText();
        Path dir = tmp.resolve("child");
        Path cache = dir.resolve(RunSetup.CORPUS_CACHE);
        setup().fineTune(parent, List.of(text), dir, false, RunSetup.Given.NONE, CONFIG).close();
        Object union = identity(cache);
        setup().fineTune(parent, List.of(text), dir, false, RunSetup.Given.NONE, CONFIG).close();
        assertEquals(union, identity(cache), "the same text against the same parent: reused");
        try (var r = setup().fresh(List.of(text), dir, false, SPEC, CONFIG)) {
            assertFalse(r.corpus().vocabulary().contains('l'), "from scratch: the text's own vocabulary");
        }
        Object own = identity(cache);
        assertNotEquals(union, own, "the union cache is not reused for a model from scratch");
        try (var r = setup().fineTune(parent, List.of(text), dir, false, RunSetup.Given.NONE, CONFIG)) {
            assertTrue(r.corpus().vocabulary().contains('l'));
        }
        assertNotEquals(own, identity(cache), "nor the text's own vocabulary for a fine-tune");
    }

    @Test
    void aPreparedDirectoryLackingParentSymbolsIsRefusedAndOneHoldingThemIsUsedAsItIs() throws Exception {
        Path parent = parent();
        Path prepared = tmp.resolve("prepared");
        new Preparer(Settings.prepare().get(), m -> { }, null).prepare(childText(), prepared, false);
        var e = assertThrows(RnnException.class, () -> setup().fineTune(parent, List.of(prepared), tmp.resolve("a"), false,
                RunSetup.Given.NONE, CONFIG));
        assertEquals(ExitCodes.BAD_MODEL, e.exitCode());
        assertTrue(e.getMessage().startsWith(prepared + ": a prepared corpus keeps its own vocabulary"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("a")));
        Path both = Files.writeString(tmp.resolve("both.txt"), (TinyCorpus.PATTERN + CHILD_TEXT).repeat(30));
        new Preparer(Settings.prepare().get(), m -> { }, null).prepare(both, tmp.resolve("both"), true);
        try (var r = setup().fineTune(parent, List.of(tmp.resolve("both")), tmp.resolve("b"), false, RunSetup.Given.NONE,
                CONFIG)) {
            assertEquals(tmp.resolve("both").toAbsolutePath(), r.corpus().dir().toAbsolutePath());
        }
    }

    @Test
    void aPreparedVocabularyMatchesABaseWhenItHoldsTheBaseAndOtherwiseOnlyTheTextsSymbols() {
        Vocabulary base = new Vocabulary(new int[]{'a', 'b'}, new long[]{5, 0});
        assertTrue(RunSetup.preparedWith(new Vocabulary(new int[]{'a', 'c'}, new long[]{1, 2}), null));
        assertFalse(RunSetup.preparedWith(new Vocabulary(new int[]{'a', 'b'}, new long[]{1, 0}), null),
                "a symbol the text lacks came from a base");
        assertTrue(RunSetup.preparedWith(new Vocabulary(new int[]{'a', 'b', 'c'}, new long[]{0, 0, 3}), base));
        assertFalse(RunSetup.preparedWith(new Vocabulary(new int[]{'a', 'c'}, new long[]{1, 3}), base),
                "lacks the base's b");
        assertFalse(RunSetup.preparedWith(new Vocabulary(new int[]{'a', 'b', 'd'}, new long[]{1, 1, 0}), base),
                "d came from another base");
        assertEquals(List.of((int) 'c'), RunSetup.newSymbols(base, new Vocabulary(new int[]{'a', 'b', 'c'},
                new long[]{1, 1, 1})));
    }
}
