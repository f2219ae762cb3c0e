package charrnn.corpus;

import charrnn.ExitCodes;
import charrnn.RnnException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class EncodedTextTest {
    @TempDir
    Path tmp;

    private static long[] ids(IdSequence s) {
        long[] a = new long[(int) s.length()];
        for (int i = 0; i < a.length; i++) {
            a[i] = s.id(i);
        }
        return a;
    }

    /** Several read chunks of text with every normalisation at work, and characters beyond the BMP. */
    private Path text() throws IOException {
        StringBuilder sb = new StringBuilder("\uFEFF");
        for (int i = 0; i < 150_000; i++) {
            sb.append(i % 3 == 0 ? "Ça Va\r\n" : i % 3 == 1 ? "ÉTÉ 😀 déjà\r" : "plain line, 吾輩\n");
        }
        Path f = tmp.resolve("text.txt");
        Files.writeString(f, sb, StandardCharsets.UTF_8);
        assertTrue(Files.size(f) > 2 * Utf8Reader.CHUNK);
        return f;
    }

    /** Eval's text path gives exactly the ids prepare wrote for the same text and options. */
    @Test
    void encodesAsPrepareDoes() throws IOException {
        Path f = text();
        for (PrepareOptions o : List.of(
                new PrepareOptions(0.1, true, true, false, false, false, false, false, null, null),
                new PrepareOptions(0.1, true, true, false, true, false, false, false, null, null),
                new PrepareOptions(0.1, true, true, false, true, true, false, false, null, null),
                new PrepareOptions(0.1, false, false, false, false, true, false, false, null, null))) {
            Path out = tmp.resolve("prepared");
            new Preparer(o, m -> { }, null).prepare(f, out, false);
            PreparedCorpus c = PreparedCorpus.open(out);
            try (EncodedText t = EncodedText.encode(f, c.vocabulary(), c.manifest().normalisation())) {
                assertArrayEquals(ids(c), ids(t), o.toString());
                assertEquals(0, t.unknown());
                assertEquals(c.manifest().codePoints() + c.manifest().normalisation().nonAsciiDropped(), t.codePoints());
                int[] window = new int[5];
                t.read(t.length() - 5, window, 0, 5);
                for (int k = 0; k < 5; k++) {
                    assertEquals(c.id(c.length() - 5 + k), window[k]);
                }
            }
        }
    }

    @Test
    void leavesOutAndCountsUnknownCharactersAndDeletesItsFileOnClose() throws IOException {
        Path f = Files.writeString(tmp.resolve("t.txt"), "abXcYb€\r\nab");
        Vocabulary v = new Vocabulary(new int[]{'\n', 'a', 'b', 'c'}, new long[]{1, 1, 1, 1});
        assertEquals(List.of(), eval());
        EncodedText t = EncodedText.encode(f, v, null, scratch());
        List<Path> during = eval();
        assertEquals(1, during.size(), "one temporary file of ids");
        assertEquals(7, Files.size(during.get(0)), "7 ids of 1 byte");
        assertArrayEquals(new long[]{1, 2, 3, 2, 0, 1, 2}, ids(t));
        assertEquals(10, t.codePoints(), "the CRLF is one");
        assertEquals(3, t.unknown());
        assertEquals("'X' (U+0058), 'Y' (U+0059), '€' (U+20AC)", t.unknownExamples());
        t.close();
        assertEquals(List.of(), eval());
    }

    @Test
    void invalidUtf8IsBadDataNamingTheOffsetAndLeavesNoFile() throws IOException {
        Path f = Files.write(tmp.resolve("bad.txt"), new byte[]{'a', 'b', (byte) 0xE9, 'c'});
        Vocabulary v = new Vocabulary(new int[]{'a', 'b', 'c'}, new long[]{1, 1, 1});
        RnnException e = assertThrows(RnnException.class, () -> EncodedText.encode(f, v, null, scratch()));
        assertEquals(ExitCodes.BAD_DATA, e.exitCode());
        assertTrue(e.getMessage().startsWith(f + ": not valid UTF-8 at byte offset 2;"), e.getMessage());
        assertEquals(List.of(), eval());
        RnnException missing = assertThrows(RnnException.class, () -> EncodedText.encode(tmp.resolve("no.txt"), v, null));
        assertEquals(tmp.resolve("no.txt") + ": no such file", missing.getMessage());
    }

    private List<Path> eval() throws IOException {
        try (Stream<Path> s = Files.list(scratch())) {
            return s.sorted().toList();
        }
    }

    private Path scratch() throws IOException {
        return Files.createDirectories(tmp.resolve("scratch"));
    }
}
