package charrnn.corpus;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class NormaliserTest {
    private record Out(String text, Normaliser n) {
    }

    /** The text normalised in one chunk; in chunks of every size from 1 it must come out the same. */
    private static Out run(String in, boolean newlines, boolean dropBom, boolean lowercase, boolean ascii) {
        Out whole = null;
        int[] cps = in.codePoints().toArray();
        for (int size = Math.max(1, cps.length); size >= 1; size--) {
            Normaliser n = new Normaliser(newlines, dropBom, lowercase, ascii);
            Out o = new Out(apply(n, cps, size), n);
            if (whole == null) {
                whole = o;
            } else {
                assertEquals(whole.text(), o.text(), "in chunks of " + size);
                assertEquals(whole.n().crlf() + " " + whole.n().loneCr() + " " + whole.n().nonAscii(),
                        o.n().crlf() + " " + o.n().loneCr() + " " + o.n().nonAscii(), "counts in chunks of " + size);
            }
        }
        return whole;
    }

    private static String apply(Normaliser n, int[] cps, int chunk) {
        StringBuilder sb = new StringBuilder();
        int[] out = new int[chunk + 1];
        for (int at = 0; at < cps.length; at += chunk) {
            int len = Math.min(chunk, cps.length - at);
            int m = n.apply(java.util.Arrays.copyOfRange(cps, at, at + len), len, out);
            for (int i = 0; i < m; i++) {
                sb.appendCodePoint(out[i]);
            }
        }
        int m = n.finish(out);
        for (int i = 0; i < m; i++) {
            sb.appendCodePoint(out[i]);
        }
        return sb.toString();
    }

    @Test
    void lineEndingsBecomeLfAndAreCounted() {
        Out o = run("a\r\nb\rc\r\r\nd\n\re\r", true, true, false, false);
        assertEquals("a\nb\nc\n\nd\n\ne\n", o.text());
        assertEquals(2, o.n().crlf());
        assertEquals(4, o.n().loneCr(), "after b, the first of c's two, before e, and the last at the end");
        assertEquals("a\r\nb\rc\r\r\nd\n\re\r", run("a\r\nb\rc\r\r\nd\n\re\r", false, true, false, false).text());
    }

    @Test
    void onlyALeadingBomIsDropped() {
        Out o = run("\uFEFFab\uFEFFc", true, true, false, false);
        assertEquals("ab\uFEFFc", o.text());
        assertTrue(o.n().bomDropped());
        assertEquals("\uFEFFab", run("\uFEFFab", true, false, false, false).text());
        assertFalse(run("a\uFEFF", true, true, false, false).n().bomDropped());
    }

    @Test
    void lowercaseComesBeforeTheAsciiFilter() {
        Out o = run("Ça Va, ÉTÉ 😀 déjà!\r\n", true, true, true, true);
        assertEquals("a va, t  dj!\n", o.text());
        assertEquals(6, o.n().nonAscii());
        assertEquals("ça va, été 😀 déjà!\n", run("Ça Va, ÉTÉ 😀 déjà!\r\n", true, true, true, false).text());
    }

    @Test
    void anInvalidSequenceBecomesTheReplacementCharacterAndIsCounted() {
        Normaliser n = new Normaliser(true, true, false, false);
        int[] out = new int[4];
        assertEquals(3, n.apply(new int[]{'a', Utf8Reader.INVALID, 'b'}, 3, out));
        assertEquals(0xFFFD, out[1]);
        assertEquals(1, n.replaced());
    }

    @Test
    void gutenbergMarkers() {
        assertTrue(Normaliser.isSectionStart("*** START OF THE PROJECT GUTENBERG EBOOK ALICE ***"));
        assertTrue(Normaliser.isSectionStart("***START OF THIS PROJECT GUTENBERG EBOOK"));
        assertTrue(Normaliser.isSectionEnd("*** END OF THE PROJECT GUTENBERG EBOOK ALICE ***"));
        assertTrue(Normaliser.isSectionStart("*** start of the project gutenberg ebook alice ***"), "--lowercase");
        assertFalse(Normaliser.isSectionStart("*** END OF THE PROJECT GUTENBERG EBOOK"));
        assertFalse(Normaliser.isSectionStart(" *** START OF THE PROJECT GUTENBERG EBOOK"));
        assertFalse(Normaliser.isSectionEnd("***not a marker***"));
    }

    @Test
    void aModelWithoutRecordedNormalisationGetsLineEndingsOnly() {
        int[] cps = "\uFEFFAb\r\nÉ".codePoints().toArray();
        assertEquals("\uFEFFAb\nÉ", apply(Normaliser.of((Manifest.Normalisation) null), cps, cps.length));
    }
}
