package charrnn.corpus;

import charrnn.ExitCodes;
import charrnn.cli.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static charrnn.corpus.PreparerTest.assertRefused;
import static org.junit.jupiter.api.Assertions.*;

/** Corpora of many documents: folders, several files, one document per line. */
class DocumentsTest {
    private static final String EOT = "\u0003";

    @TempDir
    Path tmp;

    private final List<String> log = new ArrayList<>();

    private Manifest prepare(PrepareOptions o, Path... paths) throws IOException {
        return new Preparer(o, log::add, null).prepare(List.of(paths), tmp.resolve("out"), true, null);
    }

    private static PrepareOptions options(Object... nameValues) {
        return Settings.prepare().with(nameValues).get();
    }

    private Path write(String name, String text) throws IOException {
        Path f = tmp.resolve(name);
        Files.createDirectories(f.getParent());
        Files.writeString(f, text, StandardCharsets.UTF_8);
        return f;
    }

    private String decode(long from, long to) {
        PreparedCorpus c = PreparedCorpus.open(tmp.resolve("out"));
        StringBuilder sb = new StringBuilder();
        for (long i = from; i < to; i++) {
            sb.append(c.vocabulary().decode(c.id(i)));
        }
        return sb.toString();
    }

    private String train(Manifest m) {
        return decode(m.split().trainStart(), m.split().trainStart() + m.split().trainLength());
    }

    private String validation(Manifest m) {
        return decode(m.split().valStart(), m.split().valStart() + m.split().valLength());
    }

    @Test
    void aFolderIsItsFilesInSortedPathOrderEachEndingWithEndOfText() throws IOException {
        write("c/b/2.txt", "second\n");
        write("c/a.txt", "first\n");
        write("c/b/3.md", "third");
        write("c/.hidden", "never");
        write("c/.git/config", "never");
        write("c/empty.txt", "");
        Manifest m = prepare(options("valFraction", 0.3), tmp.resolve("c"));
        assertEquals("files", m.documents().mode());
        assertEquals(3, m.documents().boundary());
        assertEquals(3, m.documents().count());
        assertEquals(List.of("a.txt", "b/2.txt", "b/3.md"), m.sources().stream()
                .map(s -> tmp.resolve("c").relativize(Path.of(s.path())).toString()).toList());
        // documents of 7, 8 and 6 code points: the second is the first to bring the share held out
        // within half a document of 0.3
        assertEquals("first\n" + EOT + "third" + EOT, train(m));
        assertEquals("second\n" + EOT, validation(m));
        assertEquals("documents", m.documents().heldOut());
        assertEquals(2, m.documents().train());
        assertEquals(1, m.documents().validation());
        Vocabulary v = PreparedCorpus.open(tmp.resolve("out")).vocabulary();
        assertEquals(3, v.count(v.id(0x03)), "one boundary per document");
    }

    @Test
    void heldOutDocumentsAreSpreadThroughTheCorpusByCharacters() throws IOException {
        for (int i = 0; i < 20; i++) {
            write(String.format("d/%02d.txt", i), "doc " + (char) ('a' + i) + "\n");
        }
        Manifest m = prepare(options("valFraction", 0.1), tmp.resolve("d"));
        // equal documents: the 5th and the 15th reach half a document behind a tenth
        assertEquals("doc e\n" + EOT + "doc o\n" + EOT, validation(m));
        assertEquals(18, m.documents().train());
        assertEquals(2, m.documents().validation());
        assertEquals(m.split().trainLength(), m.split().valStart());
    }

    @Test
    void tooFewDocumentsGiveTheLastFractionOfEachDocument() throws IOException {
        Path a = write("a.txt", "aaaaaaaaaaaaaaaaaaaa");
        Path b = write("b.txt", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
        Manifest m = prepare(options("valFraction", 0.1), a, b);
        assertEquals("document ends", m.documents().heldOut());
        assertEquals("a".repeat(18) + EOT + "b".repeat(36) + EOT, train(m));
        assertEquals("aa" + EOT + "bbbb" + EOT, validation(m));
        assertEquals(2, m.documents().train());
        assertEquals(2, m.documents().validation());
    }

    @Test
    void everyNonEmptyLineIsADocumentEndingWithItsNewline() throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            text.append("name").append(i).append(i % 3 == 0 ? "\r\n\n" : "\n");
        }
        text.append("last");
        Path f = write("names.txt", text.toString());
        Manifest m = prepare(options("documents", PrepareOptions.Documents.LINES, "valFraction", 0.1), f);
        assertEquals("lines", m.documents().mode());
        assertEquals(31, m.documents().count());
        assertEquals(31, m.sources().get(0).documents());
        String all = train(m) + validation(m);
        assertFalse(all.contains("\n\n"), "empty lines are not documents");
        assertTrue(all.endsWith("\n"), "the last line ends with its boundary too");
        assertEquals(31, all.lines().count());
        assertEquals(3, m.documents().validation());
        Vocabulary v = PreparedCorpus.open(tmp.resolve("out")).vocabulary();
        assertEquals(31, v.count(v.id('\n')));
        assertFalse(v.contains('\r'));
    }

    @Test
    void eachFileKeepsOnlyItsOwnGutenbergBody() throws IOException {
        String book = "Header %s\n*** START OF THE PROJECT GUTENBERG EBOOK %s ***\nBody %s.\n"
                + "*** END OF THE PROJECT GUTENBERG EBOOK %s ***\nLicence\n";
        write("g/1.txt", book.formatted("one", "one", "one", "one"));
        write("g/2.txt", book.formatted("two", "two", "two", "two"));
        write("g/3.txt", "No markers here at all.\n");
        Manifest m = prepare(options("valFraction", 0.3), tmp.resolve("g"));
        String all = train(m) + validation(m);
        assertTrue(all.contains("Body one.\n" + EOT) && all.contains("Body two.\n" + EOT)
                && all.contains("No markers here at all.\n" + EOT), all);
        assertFalse(all.contains("Header") || all.contains("Licence"), all);
        assertEquals(2, m.normalisation().boilerplate().sections());
        assertTrue(log.stream().anyMatch(l -> l.contains("from 2 of 3 files")), log.toString());
    }

    @Test
    void aFolderNamesTheLabelOfEachDocumentWrittenBeforeIt() throws IOException {
        write("c/poe/1.txt", "Once upon a midnight\n");
        write("c/poe/2.txt", "Quoth the raven\n");
        write("c/dickinson/1.txt", "Hope is the thing\n");
        Manifest m = prepare(options("labels", PrepareOptions.Labels.PARENT, "valFraction", 0.3), tmp.resolve("c"));
        String all = train(m) + validation(m);
        for (String doc : List.of("\u0001dickinson\u0002Hope is the thing\n" + EOT,
                "\u0001poe\u0002Once upon a midnight\n" + EOT, "\u0001poe\u0002Quoth the raven\n" + EOT)) {
            assertTrue(all.contains(doc), all);
        }
        assertEquals("parent", m.documents().labelFrom());
        assertEquals(List.of(new Manifest.Label("dickinson", 1, 18), new Manifest.Label("poe", 2, 37)),
                m.documents().labels());
        assertEquals("poe", m.sources().get(1).label());
    }

    @Test
    void aLabelColumnLabelsEachLineAndItsTabIsNotWritten() throws IOException {
        Path f = write("titles.txt", "Poe\tThe Raven\n\nDickinson\tHope\nPoe\tAnnabel Lee\nPoe\t\n");
        Manifest m = prepare(options("documents", PrepareOptions.Documents.LINES, "labels",
                PrepareOptions.Labels.COLUMN, "lowercase", true, "valFraction", 0.3), f);
        String all = train(m) + validation(m);
        assertEquals(3, m.documents().count(), "a label without text is no document: " + all);
        for (String doc : List.of("\u0001poe\u0002the raven\n", "\u0001dickinson\u0002hope\n",
                "\u0001poe\u0002annabel lee\n")) {
            assertTrue(all.contains(doc), all);
        }
        assertFalse(PreparedCorpus.open(tmp.resolve("out")).vocabulary().contains('\t'));
        assertEquals(List.of(new Manifest.Label("dickinson", 1, 4), new Manifest.Label("poe", 2, 20)),
                m.documents().labels());
        Path unlabelled = write("bad.txt", "poe\tThe Raven\nno label here\n");
        assertRefused(ExitCodes.BAD_DATA, unlabelled + ":2: no label",
                () -> prepare(options("documents", PrepareOptions.Documents.LINES, "labels",
                        PrepareOptions.Labels.COLUMN), unlabelled));
    }

    @Test
    void labelsNeedDocumentsAndTextWithoutTheirMarks() throws IOException {
        Path f = write("one.txt", "some text\n".repeat(5));
        assertRefused(ExitCodes.USAGE, "need --documents files or lines",
                () -> prepare(options("labels", PrepareOptions.Labels.PARENT), f));
        assertRefused(ExitCodes.USAGE, "--label-column reads label<TAB>text lines: it needs --documents lines",
                () -> prepare(options("labels", PrepareOptions.Labels.COLUMN, "documents",
                        PrepareOptions.Documents.FILES), f));
        Path marked = write("m/a.txt", "a \u0001 mark\n");
        write("m/b.txt", "fine\n");
        assertRefused(ExitCodes.BAD_DATA, marked + ": holds U+0001 or U+0002",
                () -> prepare(options("labels", PrepareOptions.Labels.PARENT), tmp.resolve("m")));
    }

    @Test
    void aFileThatHoldsTheBoundaryIsRefusedByName() throws IOException {
        write("f/ok.txt", "fine\n");
        Path bad = write("f/bad.txt", "has " + EOT + " inside\n");
        assertRefused(ExitCodes.BAD_DATA, bad + ": holds U+0003 END OF TEXT",
                () -> prepare(options(), tmp.resolve("f")));
        // as one stream or lines it is a character like another
        prepare(options("documents", PrepareOptions.Documents.NONE, "valFraction", 0.5), tmp.resolve("f"));
    }

    @Test
    void filesThatAreNotTextAreRefusedByNameOrSkippedWhenAsked() throws IOException {
        write("t/a.txt", "some text here\n");
        write("t/b.txt", "more text there\n");
        Path bin = tmp.resolve("t/image.png");
        Files.write(bin, new byte[]{(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 13});
        Path latin = tmp.resolve("t/latin1.txt");
        Files.write(latin, "caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        assertRefused(ExitCodes.BAD_DATA, bin + ": looks like a binary file", () -> prepare(options(), tmp.resolve("t")));
        Files.delete(bin);
        assertRefused(ExitCodes.BAD_DATA, latin + ": not valid UTF-8 at byte offset 3",
                () -> prepare(options(), tmp.resolve("t")));
        Files.write(bin, new byte[]{(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 13});
        Manifest m = prepare(options("skipInvalid", true, "valFraction", 0.5), tmp.resolve("t"));
        assertEquals(2, m.sources().size());
        assertEquals(2, m.normalisation().filesSkipped());
        assertEquals(2, log.stream().filter(l -> l.startsWith("skipped ")).count(), log.toString());
    }

    @Test
    void aFolderWithoutFilesAndAMissingPathAreRefused() throws IOException {
        Files.createDirectories(tmp.resolve("none/.hidden-only"));
        Files.writeString(tmp.resolve("none/.hidden-only/x.txt"), "x");
        assertRefused(ExitCodes.BAD_DATA, "none: a folder without files", () -> prepare(options(), tmp.resolve("none")));
        assertRefused(ExitCodes.BAD_DATA, "missing: no such file or folder", () -> prepare(options(), tmp.resolve("missing")));
    }
}
