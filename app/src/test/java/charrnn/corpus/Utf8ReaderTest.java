package charrnn.corpus;

import charrnn.ExitCodes;
import charrnn.RnnException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.*;

class Utf8ReaderTest {
    @TempDir
    Path tmp;

    /** The file's code points as a string, a replaced sequence as '#', through the reader's chunks. */
    private String read(byte[] bytes, boolean replace) throws IOException {
        Path f = Files.write(tmp.resolve("t.txt"), bytes);
        StringBuilder sb = new StringBuilder();
        new Utf8Reader(f, replace).read((cps, n) -> {
            for (int i = 0; i < n; i++) {
                sb.appendCodePoint(cps[i] == Utf8Reader.INVALID ? '#' : cps[i]);
            }
        }, null, null);
        return sb.toString();
    }

    private static byte[] hex(String h) {
        return HexFormat.of().parseHex(h.replace(" ", ""));
    }

    /**
     * One replacement per maximal subpart, as the JDK's decoder does (Unicode's recommended practice;
     * the JDK differs in one case: an encoded surrogate, ED A0..BF xx, is one replacement, not three).
     * 61 is 'a', 7A is 'z'.
     */
    @ParameterizedTest
    @CsvSource({
            "61 C3 7A, a#z",                 // truncated 2-byte sequence
            "61 E2 82 7A, a#z",              // truncated 3-byte sequence: one replacement for both bytes
            "61 F0 9F 98 7A, a#z",           // truncated 4-byte sequence
            "61 E2 82, a#",                  // truncated at the end of the file
            "61 F0 9F, a#",
            "61 80 7A, a#z",                 // lone continuation byte
            "61 80 BF 80 7A, a###z",         // three of them
            "61 C0 80 7A, a##z",             // overlong NUL: C0 is never a lead byte
            "61 C1 BF 7A, a##z",
            "61 E0 80 AF 7A, a###z",         // overlong 3-byte: E0 needs A0..BF next
            "61 F0 80 80 AF 7A, a####z",     // overlong 4-byte: F0 needs 90..BF next
            "61 ED A0 80 7A, a#z",           // surrogate U+D800 (the JDK: one replacement)
            "61 ED BF BF 7A, a#z",           // surrogate U+DFFF
            "61 F4 90 80 80 7A, a####z",     // U+110000: F4 needs 80..8F next
            "61 F5 80 80 80 7A, a####z",     // F5..FF are never lead bytes
            "61 FF 7A, a#z",
            "61 E1 80 C0 7A, a##z",          // a truncated sequence, then an invalid byte
            "E2 82 AC F0 9F 98 80 C3 A9, €😀é"}) // valid sequences stay whole
    void replacesEachMaximalSubpartOnce(String bytes, String expected) throws IOException {
        assertEquals(expected, read(hex(bytes), true));
    }

    @Test
    void strictReadingNamesTheFileAndTheOffsetOfTheFirstBadSequence() {
        RnnException e = assertThrows(RnnException.class, () -> read(hex("61 62 63 ED A0 80 7A E9"), false));
        assertEquals(ExitCodes.BAD_DATA, e.exitCode());
        assertEquals(tmp.resolve("t.txt") + ": not valid UTF-8 at byte offset 3; convert it to UTF-8"
                + " (e.g. iconv -f latin1 -t utf-8) or pass --replace-invalid", e.getMessage());
    }

    /** Sequences that straddle the boundary between two read chunks, valid and invalid. */
    @Test
    void sequencesSplitAcrossAChunkBoundary() throws IOException {
        for (int before = 1; before <= 3; before++) {
            int at = Utf8Reader.CHUNK - before; // the sequence's first byte, its rest in the next chunk
            String pad = "a".repeat(at);
            assertEquals(pad + "😀z", read(concat(at, "F0 9F 98 80 7A"), true), "emoji at " + at);
            assertEquals(pad + "€z", read(concat(at, "E2 82 AC 7A"), true), "euro at " + at);
            assertEquals(pad + "#z", read(concat(at, "F0 9F 98 7A"), true), "truncated 4-byte at " + at);
            assertEquals(pad + "##z", read(concat(at, "C0 80 7A"), true), "overlong at " + at);
            RnnException e = assertThrows(RnnException.class, () -> read(concat(at, "E2 82 7A"), false));
            assertTrue(e.getMessage().contains("at byte offset " + at + ";"), e.getMessage());
        }
        // a bad sequence whose first byte opens the second chunk
        int at = Utf8Reader.CHUNK;
        RnnException e = assertThrows(RnnException.class, () -> read(concat(at, "80 7A"), false));
        assertTrue(e.getMessage().contains("at byte offset " + at + ";"), e.getMessage());
    }

    private static byte[] concat(int as, String tail) {
        byte[] t = hex(tail);
        byte[] b = new byte[as + t.length];
        Arrays.fill(b, 0, as, (byte) 'a');
        System.arraycopy(t, 0, b, as, t.length);
        return b;
    }
}
