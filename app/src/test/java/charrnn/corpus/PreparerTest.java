package charrnn.corpus;

import charrnn.cli.Settings;
import charrnn.ExitCodes;
import charrnn.RnnException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class PreparerTest {
    @TempDir
    Path tmp;

    private Manifest prepare(String text, PrepareOptions o) throws IOException {
        Path f = tmp.resolve("in.txt");
        Files.writeString(f, text, StandardCharsets.UTF_8);
        return new Preparer(o, m -> { }, null).prepare(f, tmp.resolve("out"), false);
    }

    private String decodeAll(Path dir) {
        PreparedCorpus c = PreparedCorpus.open(dir);
        StringBuilder sb = new StringBuilder();
        for (long i = 0; i < c.length(); i++) {
            sb.append(c.vocabulary().decode(c.id(i)));
        }
        return sb.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "The quick brown fox jumps over the lazy dog.\nAnd again.\n",
            "Crème brûlée à la façon de Zoë, naïve señor, Ærøskøbing.\n",
            "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。\n",
            "emoji 😀 and 🎉 beyond the BMP, plus 𝄞 music 😀😀.\n"})
    void vocabularyRoundTripsCodePoints(String text) throws IOException {
        Manifest m = prepare(text, Settings.prepare().get());
        assertEquals(text, decodeAll(tmp.resolve("out")));
        assertEquals(text.codePointCount(0, text.length()), m.codePoints());
        assertEquals(text.codePoints().distinct().count(), m.vocabSize());
        Vocabulary v = PreparedCorpus.open(tmp.resolve("out")).vocabulary();
        int[] cps = v.codePoints();
        for (int i = 1; i < cps.length; i++) {
            assertTrue(cps[i - 1] < cps[i], "sorted by code point");
        }
        if (text.contains("😀")) {
            assertTrue(v.contains(0x1F600), "an emoji is one symbol");
            for (int cp : cps) {
                assertFalse(Character.isSurrogate((char) cp) && cp < 0x10000, "no lone surrogates");
            }
        }
    }

    @Test
    void preparingTwiceGivesIdenticalBytes() throws IOException {
        Path f = tmp.resolve("c.txt");
        Files.writeString(f, "zebra apple 😀 mango\r\nkiwi\r\n".repeat(50));
        Preparer p = new Preparer(Settings.prepare().get(), m -> { }, null);
        p.prepare(f, tmp.resolve("a"), false);
        p.prepare(f, tmp.resolve("b"), false);
        for (String name : List.of(Preparer.IDS, Preparer.VOCAB, Preparer.MANIFEST)) {
            assertArrayEquals(Files.readAllBytes(tmp.resolve("a").resolve(name)),
                    Files.readAllBytes(tmp.resolve("b").resolve(name)), name);
        }
    }

    /**
     * The JSON files byte for byte as rnn has always written them (Jackson's pretty printer, characters
     * beyond the BMP as escaped surrogates, no final newline): golden files from the hand-written
     * writer this replaced, so a change of Jackson's defaults shows here.
     */
    @Test
    void jsonFilesAreByteForByteTheGoldenOnes() throws Exception {
        Path f = tmp.resolve("g.txt");
        Files.writeString(f, "\uFEFFA \"q\" \\ b\tc\r\nd \uD83D\uDE00 \u543E\u0001\u2028 e\rf\n".repeat(3));
        Path out = tmp.resolve("out");
        new Preparer(Settings.prepare().withValFraction(0.5).get(), m -> { }, null).prepare(f, out, false);
        assertArrayEquals(golden("golden-vocab.json", f), Files.readAllBytes(out.resolve(Preparer.VOCAB)));
        assertArrayEquals(golden("golden-manifest.json", f), Files.readAllBytes(out.resolve(Preparer.MANIFEST)));
    }

    private static byte[] golden(String name, Path corpus) throws IOException {
        try (var in = PreparerTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .replace("@PATH@", corpus.toAbsolutePath().normalize().toString()).getBytes(StandardCharsets.UTF_8);
        }
    }

    @Test
    void normalisesLineEndingsAndBomByDefault() throws IOException {
        Manifest m = prepare("\uFEFFone\r\ntwo\rthree\n", Settings.prepare().withValFraction(0.5).get());
        assertEquals("one\ntwo\nthree\n", decodeAll(tmp.resolve("out")));
        assertEquals(1, m.normalisation().crlfConverted());
        assertEquals(1, m.normalisation().loneCrConverted());
        assertTrue(m.normalisation().bomDropped());
    }

    @Test
    void keepsLineEndingsAndBomWhenAsked() throws IOException {
        String text = "\uFEFFone\r\ntwo\rthree\n";
        prepare(text, new PrepareOptions(0.5, false, false, true, false, false, false, false, null, null));
        assertEquals(text, decodeAll(tmp.resolve("out")));
    }

    @Test
    void lowercaseAndAscii() throws IOException {
        Manifest m = prepare("Ça Va, ÉTÉ déjà vu!\n", new PrepareOptions(0.2, true, true, true, true, true, false, false, null, null));
        assertEquals("a va, t dj vu!\n", decodeAll(tmp.resolve("out")));
        assertEquals(5, m.normalisation().nonAsciiDropped());
    }

    @Test
    void stripsGutenbergBoilerplate() throws IOException {
        String text = "Header line\r\n*** START OF THIS PROJECT GUTENBERG EBOOK X ***\r\nBody one\r\nBody two\r\n"
                + "*** END OF THIS PROJECT GUTENBERG EBOOK X ***\r\nLicence text\r\n";
        Manifest m = prepare(text, Settings.prepare().get());
        assertEquals("Body one\nBody two\n", decodeAll(tmp.resolve("out")));
        assertEquals(2, m.normalisation().boilerplate().startLine());
        assertEquals(5, m.normalisation().boilerplate().endLine());
        // counts and vocabulary describe the kept text only
        String body = "Body one\r\nBody two\r\n";
        // after normalisation; the line endings of the whole file as read
        assertEquals(text.replace("\r\n", "\n").length() - body.replace("\r\n", "\n").length(),
                m.normalisation().boilerplate().droppedCodePoints());
        assertEquals(6, m.normalisation().crlfConverted());
        assertEquals(text.length(), m.sources().get(0).codePoints());
        Vocabulary v = PreparedCorpus.open(tmp.resolve("out")).vocabulary();
        for (int cp : new int[]{'H', 'L', 'X', '*'}) {
            assertFalse(v.contains(cp), "only in the boilerplate: " + (char) cp);
        }
        assertEquals("\n Bdenotwy".codePoints().boxed().toList(),
                java.util.stream.IntStream.range(0, v.size()).map(v::codePoint).boxed().toList());
        prepare(text, new PrepareOptions(0.1, true, true, false, false, false, false, false, null, null));
        assertEquals(text.replace("\r\n", "\n"), decodeAll(tmp.resolve("out")));
    }

    @Test
    void moreThan256SymbolsOnlyInTheBoilerplateStillGiveOneByteIds() throws IOException {
        StringBuilder head = new StringBuilder("Header ");
        for (int cp = 0x4E00; cp < 0x4E00 + 400; cp++) {
            head.appendCodePoint(cp);
        }
        String body = "Body one\nBody two, the body of it all\n".repeat(100);
        String text = head + "\n*** START OF THE PROJECT GUTENBERG EBOOK X ***\n" + body
                + "*** END OF THE PROJECT GUTENBERG EBOOK X ***\nLicence\n";
        Manifest m = prepare(text, Settings.prepare().get());
        assertEquals(1, m.idWidth(), "the kept text has " + m.vocabSize() + " symbols");
        assertEquals(body, decodeAll(tmp.resolve("out")));
        assertEquals(body.length(), Files.size(tmp.resolve("out").resolve(Preparer.IDS)));
    }

    @Test
    void concatenatedGutenbergBooksKeepEveryBody() throws IOException {
        String book1 = "Head 1\n*** START OF THE PROJECT GUTENBERG EBOOK A ***\nFirst body.\n"
                + "*** END OF THE PROJECT GUTENBERG EBOOK A ***\nLicence 1\n";
        String book2 = "\uFEFFHead 2\n*** START OF THIS PROJECT GUTENBERG EBOOK B ***\nSecond body.\n"
                + "*** END OF THIS PROJECT GUTENBERG EBOOK B ***\nLicence 2\n";
        Manifest m = prepare(book1 + book2, Settings.prepare().withValFraction(0.2).get());
        assertEquals("First body.\nSecond body.\n", decodeAll(tmp.resolve("out")));
        assertEquals(2, m.normalisation().boilerplate().sections());
        assertEquals(2, m.normalisation().boilerplate().startLine());
        assertEquals(9, m.normalisation().boilerplate().endLine());
    }

    @Test
    void textOfManyChunksWithSectionsEncodesExactly() throws IOException {
        // several 1 MiB decoding chunks: multi-byte characters and section markers fall on chunk
        // boundaries somewhere; characters only in the boilerplate ('#', 'Ж') must not be counted
        StringBuilder text = new StringBuilder();
        StringBuilder body = new StringBuilder();
        java.util.Random r = new java.util.Random(7);
        String[] words = {"alpha", "crème", "吾輩", "😀", "zeta\t", "Ωmega"};
        for (int book = 0; book < 3; book++) {
            text.append("Licence ").append(book).append(" # Ж\r\n*** START OF THE PROJECT GUTENBERG EBOOK ")
                    .append(book).append(" ***\r\n");
            for (int line = 0; line < 40_000; line++) {
                StringBuilder l = new StringBuilder();
                if (line % 997 == 0) {
                    l.append("***not a marker*** ");
                }
                for (int w = r.nextInt(8); w >= 0; w--) {
                    l.append(words[r.nextInt(words.length)]).append(' ');
                }
                text.append(l).append("\r\n");
                body.append(l).append('\n');
            }
            text.append("*** END OF THE PROJECT GUTENBERG EBOOK ").append(book).append(" ***\r\nmore # Ж licence\r\n");
        }
        assertTrue(text.toString().getBytes(StandardCharsets.UTF_8).length > 3 * (1 << 20), "several chunks");
        Manifest m = prepare(text.toString(), Settings.prepare().get());
        assertEquals(body.toString(), decodeAll(tmp.resolve("out")));
        assertEquals(3, m.normalisation().boilerplate().sections());
        assertEquals(body.codePoints().count(), m.codePoints());
        Vocabulary v = PreparedCorpus.open(tmp.resolve("out")).vocabulary();
        assertEquals(body.codePoints().distinct().sorted().boxed().toList(),
                java.util.stream.IntStream.of(v.codePoints()).boxed().toList());
        assertFalse(v.contains('#') || v.contains('Ж'));
    }

    @Test
    void splitIsContiguousWithValidationAtTheEnd() throws IOException {
        Manifest m = prepare("abcdefghij".repeat(10), Settings.prepare().withValFraction(0.25).get());
        assertEquals(75, m.split().trainLength());
        assertEquals(75, m.split().valStart());
        assertEquals(25, m.split().valLength());
    }

    @Test
    void invalidUtf8NamesTheByteOffset() throws IOException {
        Path f = tmp.resolve("bad.txt");
        byte[] good = "hello wörld ".getBytes(StandardCharsets.UTF_8); // 13 bytes
        byte[] bytes = new byte[good.length + 5];
        System.arraycopy(good, 0, bytes, 0, good.length);
        bytes[good.length] = (byte) 0xE9; // latin-1 é
        bytes[good.length + 1] = 'x';
        bytes[good.length + 2] = 'y';
        bytes[good.length + 3] = 'z';
        bytes[good.length + 4] = '\n';
        Files.write(f, bytes);
        RnnException e = assertThrows(RnnException.class,
                () -> new Preparer(Settings.prepare().get(), m -> { }, null).prepare(f, tmp.resolve("out"), false));
        assertEquals(ExitCodes.BAD_DATA, e.exitCode());
        assertTrue(e.getMessage().contains("byte offset 13"), e.getMessage());
        assertTrue(e.getMessage().contains("--replace-invalid"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("out")));
        assertNoTemporaryLeft();

        Manifest m = new Preparer(new PrepareOptions(0.2, true, true, true, false, false, true, false, null, null), x -> { }, null)
                .prepare(f, tmp.resolve("out"), false);
        assertEquals(1, m.normalisation().invalidReplaced());
        assertEquals("hello wörld \uFFFDxyz\n", decodeAll(tmp.resolve("out")));
    }

    @Test
    void rejectsOverlongAndSurrogateEncodings() throws IOException {
        for (byte[] bad : new byte[][]{
                {'a', 'b', (byte) 0xC0, (byte) 0x80, 'c', 'd', 'e', 'f'},             // overlong NUL
                {'a', 'b', (byte) 0xED, (byte) 0xA0, (byte) 0x80, 'c', 'd', 'e'},      // surrogate
                {'a', 'b', (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80, 'c'},   // > U+10FFFF
                {'a', 'b', 'c', 'd', 'e', 'f', (byte) 0xE2, (byte) 0x82}}) {           // truncated at end
            Path f = tmp.resolve("bad.bin.txt");
            Files.write(f, bad);
            RnnException e = assertThrows(RnnException.class,
                    () -> new Preparer(Settings.prepare().get(), m -> { }, null).prepare(f, tmp.resolve("o"), false));
            assertEquals(ExitCodes.BAD_DATA, e.exitCode());
            assertTrue(e.getMessage().contains("not valid UTF-8 at byte offset"), e.getMessage());
        }
    }

    @Test
    void badInputsAreRefusedWithTheirExitCode() throws IOException {
        Preparer p = new Preparer(Settings.prepare().get(), m -> { }, null);
        Path out = tmp.resolve("out");
        assertRefused(ExitCodes.BAD_DATA, "no such file", () -> p.prepare(tmp.resolve("missing.txt"), out, false));
        Files.createDirectory(tmp.resolve("adir"));
        assertRefused(ExitCodes.BAD_DATA, "adir: a folder without files", () -> p.prepare(tmp.resolve("adir"), out, false));
        Path empty = Files.createFile(tmp.resolve("empty.txt"));
        assertRefused(ExitCodes.BAD_DATA, "is empty", () -> p.prepare(empty, out, false));
        Path bin = tmp.resolve("a.bin");
        byte[] b = new byte[4096];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 7);
        }
        Files.write(bin, b);
        assertRefused(ExitCodes.BAD_DATA, "binary", () -> p.prepare(bin, out, false));
        Path tiny = tmp.resolve("tiny.txt");
        Files.writeString(tiny, "abc");
        assertRefused(ExitCodes.BAD_DATA, "too short to split", () -> p.prepare(tiny, out, false));
        for (double f : new double[]{0, -0.1, 0.51, 1, Double.NaN}) {
            Preparer bad = new Preparer(Settings.prepare().withValFraction(f).get(), m -> { }, null);
            assertRefused(ExitCodes.USAGE, "valFraction must be in (0, 0.5]", () -> bad.prepare(tiny, out, false));
        }
        assertFalse(Files.exists(out));
        assertNoTemporaryLeft();
    }

    @Test
    void onlyAPreparedCorpusIsReplacedAndForceOnlyReplacesRnnsOwnFiles() throws IOException {
        Path f = tmp.resolve("c.txt");
        Files.writeString(f, "some text to prepare here\n".repeat(4));
        Preparer p = new Preparer(Settings.prepare().get(), m -> { }, null);
        Path out = tmp.resolve("out");
        p.prepare(f, out, false);
        // a prepared corpus is replaced without --force
        Files.writeString(f, "other text to prepare here\n".repeat(4));
        p.prepare(f, out, false);
        assertTrue(decodeAll(out).startsWith("other"));
        // part of one (no manifest) needs --force
        Files.delete(out.resolve(Preparer.MANIFEST));
        assertRefused(ExitCodes.USAGE, out + ": holds part of a prepared corpus without its manifest.json; pass --force",
                () -> p.prepare(f, out, false));
        p.prepare(f, out, true);
        assertTrue(PreparedCorpus.isPrepared(out));
        // anything else is never touched, with or without --force
        Path precious = Files.writeString(out.resolve("precious.txt"), "keep me");
        for (boolean force : new boolean[]{false, true}) {
            assertRefused(ExitCodes.USAGE, out + ": holds files that are not rnn's (precious.txt); choose another -o",
                    () -> p.prepare(f, out, force));
        }
        assertEquals("keep me", Files.readString(precious));
        assertTrue(decodeAll(out).startsWith("other"));
        // an existing file as output is refused
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertRefused(ExitCodes.USAGE, "not a directory", () -> p.prepare(f, file, true));
        assertEquals("x", Files.readString(file));
        assertNoTemporaryLeft();
    }

    @Test
    void corruptPreparedCorpusIsRefused() throws IOException {
        prepare("abcdefghij".repeat(10), Settings.prepare().get());
        Path ids = tmp.resolve("out").resolve(Preparer.IDS);
        byte[] all = Files.readAllBytes(ids);
        Files.write(ids, java.util.Arrays.copyOf(all, all.length - 3));
        RnnException e = assertThrows(RnnException.class, () -> PreparedCorpus.open(tmp.resolve("out")));
        assertEquals(ExitCodes.BAD_DATA, e.exitCode());
        assertTrue(e.getMessage().contains("prepare it again"), e.getMessage());
    }

    private void assertNoTemporaryLeft() throws IOException {
        List<String> left = new ArrayList<>();
        try (Stream<Path> s = Files.list(tmp)) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.contains(".tmp-") || n.contains(".old-"))
                    .forEach(left::add);
        }
        assertEquals(List.of(), left);
    }

    static void assertRefused(int code, String fragment, org.junit.jupiter.api.function.Executable ex) {
        RnnException e = assertThrows(RnnException.class, ex);
        assertEquals(code, e.exitCode(), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), "'" + e.getMessage() + "' should mention " + fragment);
        assertFalse(e.getMessage().contains("\n"), "one line");
    }

    /** A base vocabulary (a parent model's, for --init-from) joins the text's, its ids as wide as the union needs. */
    @ParameterizedTest
    @ValueSource(ints = {3, 300})
    void aBaseVocabularyIsJoinedWithCountZeroForTheSymbolsTheTextLacks(int baseSymbols) throws IOException {
        int[] cps = new int[baseSymbols];
        for (int i = 0; i < cps.length; i++) {
            cps[i] = i == 0 ? 'a' : 0x3000 + i; // 'a' in the text too, the others not
        }
        Vocabulary base = new Vocabulary(cps, new long[cps.length]);
        String text = "banana bread, and a banana.\n".repeat(20);
        Path f = Files.writeString(tmp.resolve("in.txt"), text);
        Manifest m = new Preparer(Settings.prepare().get(), x -> { }, null).prepare(List.of(f), tmp.resolve("out"), false, base);
        assertEquals(text, decodeAll(tmp.resolve("out")));
        Vocabulary v = PreparedCorpus.open(tmp.resolve("out")).vocabulary();
        long own = text.codePoints().distinct().count();
        assertEquals(own + baseSymbols - 1, v.size());
        assertEquals(baseSymbols > 256 ? 2 : 1, m.idWidth());
        for (int cp : cps) {
            assertEquals(cp == 'a' ? text.chars().filter(c -> c == 'a').count() : 0, v.count(v.id(cp)));
        }
    }
}
