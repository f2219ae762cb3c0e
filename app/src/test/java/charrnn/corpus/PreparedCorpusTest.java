package charrnn.corpus;

import charrnn.cli.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** Windows read from the file equal the ids read through the memory map, at either id width. */
class PreparedCorpusTest {
    @TempDir
    Path tmp;

    private PreparedCorpus prepare(String text) throws IOException {
        Path f = tmp.resolve("corpus-" + text.length() + ".txt");
        Files.writeString(f, text);
        Path out = tmp.resolve("prepared-" + text.length());
        new Preparer(Settings.prepare().get(), m -> { }, null).prepare(f, out, false);
        return PreparedCorpus.open(out);
    }

    private static void readEqualsId(PreparedCorpus c) {
        Random r = new Random(5);
        int[] window = new int[102];
        for (int k = 0; k < 200; k++) {
            int len = 1 + r.nextInt(101);
            long from = (long) r.nextInt((int) (c.length() - len + 1));
            c.read(from, window, 1, len);
            for (int t = 0; t < len; t++) {
                assertEquals(c.id(from + t), window[1 + t], "id " + (from + t));
            }
        }
        c.read(c.length() - 5, window, 0, 5);
        assertEquals(c.id(c.length() - 1), window[4]);
        assertThrows(IndexOutOfBoundsException.class, () -> c.read(c.length() - 4, window, 0, 5));
        assertThrows(IndexOutOfBoundsException.class, () -> c.read(-1, window, 0, 5));
    }

    /** Every id of the corpus decodes to the code point of the text at its position. */
    private static void idsSpell(PreparedCorpus c, String text) {
        int[] cps = text.codePoints().toArray();
        assertEquals(cps.length, c.length());
        for (int i = 0; i < cps.length; i++) {
            if (c.vocabulary().codePoint(c.id(i)) != cps[i]) {
                fail("position " + i + ": " + c.vocabulary().codePoint(c.id(i)) + " instead of " + cps[i]);
            }
        }
    }

    @Test
    void windowsOfOneByteIds() throws IOException {
        String text = "The quick brown fox jumps over the lazy dog; café, naïve, 日本語 🙂.\n".repeat(40);
        PreparedCorpus c = prepare(text);
        assertEquals(1, c.manifest().idWidth(), "up to 256 symbols: one byte per id");
        assertEquals(Manifest.VERSION, c.manifest().formatVersion());
        assertEquals(c.length(), Files.size(c.dir().resolve(Preparer.IDS)));
        idsSpell(c, text);
        readEqualsId(c);
    }

    @Test
    void windowsOfTwoByteIdsWidenedAfterSeveralChunks() throws IOException {
        // the 257th symbol comes after more than 2 MB of 1-byte ids: those are widened in place
        StringBuilder sb = new StringBuilder("The quick brown fox jumps over the lazy dog.\n".repeat(50_000));
        for (int cp = 0x4E00; cp < 0x4E00 + 300; cp++) {
            sb.appendCodePoint(cp);
        }
        sb.append("\nand the end of it.\n".repeat(1000));
        String text = sb.toString();
        PreparedCorpus c = prepare(text);
        assertEquals(2, c.manifest().idWidth());
        assertEquals(Manifest.VERSION_WIDE_IDS, c.manifest().formatVersion(), "2-byte ids: the files of version 1");
        idsSpell(c, text);
        readEqualsId(c);
    }

    @Test
    void windowsOfFourByteIds() throws IOException {
        // more than 65,536 distinct code points: ids are 32-bit
        StringBuilder sb = new StringBuilder();
        for (int cp = 0x4E00; sb.codePointCount(0, sb.length()) < 70_000; cp++) {
            if (Character.isDefined(cp) && !Character.isSurrogate((char) cp) && cp != 0xFEFF) {
                sb.appendCodePoint(cp);
            }
        }
        PreparedCorpus c = prepare(sb.toString());
        assertEquals(4, c.manifest().idWidth());
        readEqualsId(c);
    }
}
