package charrnn.corpus;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.*;

class NormaliserTest {
    private record Out(String text, Normaliser n) {
    }

    private static Out run(String in, boolean newlines, boolean dropBom, boolean lowercase, boolean ascii)
            throws IOException {
        StringBuilder sb = new StringBuilder();
        Normaliser n = new Normaliser(newlines, dropBom, lowercase, ascii, sb::appendCodePoint);
        for (int cp : in.codePoints().toArray()) {
            n.accept(cp);
        }
        n.finish();
        return new Out(sb.toString(), n);
    }

    @Test
    void lineEndingsBecomeLfAndAreCounted() throws IOException {
        Out o = run("a\r\nb\rc\r\r\nd\n\re\r", true, true, false, false);
        assertEquals("a\nb\nc\n\nd\n\ne\n", o.text());
        assertEquals(2, o.n().crlf());
        assertEquals(4, o.n().loneCr(), "after b, the first of c's two, before e, and the last at the end");
        assertEquals("a\r\nb\rc\r\r\nd\n\re\r", run("a\r\nb\rc\r\r\nd\n\re\r", false, true, false, false).text());
    }

    @Test
    void onlyALeadingBomIsDropped() throws IOException {
        Out o = run("\uFEFFab\uFEFFc", true, true, false, false);
        assertEquals("ab\uFEFFc", o.text());
        assertTrue(o.n().bomDropped());
        assertEquals("\uFEFFab", run("\uFEFFab", true, false, false, false).text());
        assertFalse(run("a\uFEFF", true, true, false, false).n().bomDropped());
    }

    @Test
    void lowercaseComesBeforeTheAsciiFilter() throws IOException {
        Out o = run("Ça Va, ÉTÉ 😀 déjà!\r\n", true, true, true, true);
        assertEquals("a va, t  dj!\n", o.text());
        assertEquals(6, o.n().nonAscii());
        assertEquals("ça va, été 😀 déjà!\n", run("Ça Va, ÉTÉ 😀 déjà!\r\n", true, true, true, false).text());
    }

    @Test
    void passesThroughOnlyWhenNothingWouldChange() throws IOException {
        Normaliser n = new Normaliser(true, true, false, false, cp -> { });
        assertFalse(n.passesThrough(), "the first code point may be a BOM");
        n.accept('a');
        assertTrue(n.passesThrough());
        n.accept('\r');
        assertFalse(n.passesThrough(), "a CR waits for its LF");
        n.accept('\n');
        assertTrue(n.passesThrough());
        Normaliser lower = new Normaliser(true, true, true, false, cp -> { });
        lower.accept('a');
        assertFalse(lower.passesThrough());
    }

    @Test
    void gutenbergMarkers() {
        assertTrue(Normaliser.isSectionStart("*** START OF THE PROJECT GUTENBERG EBOOK ALICE ***"));
        assertTrue(Normaliser.isSectionStart("***START OF THIS PROJECT GUTENBERG EBOOK"));
        assertTrue(Normaliser.isSectionEnd("*** END OF THE PROJECT GUTENBERG EBOOK ALICE ***"));
        assertFalse(Normaliser.isSectionStart("*** END OF THE PROJECT GUTENBERG EBOOK"));
        assertFalse(Normaliser.isSectionStart(" *** START OF THE PROJECT GUTENBERG EBOOK"));
        assertFalse(Normaliser.isSectionEnd("***not a marker***"));
    }

    @Test
    void aModelWithoutRecordedNormalisationGetsLineEndingsOnly() throws IOException {
        StringBuilder sb = new StringBuilder();
        Normaliser n = Normaliser.of((Manifest.Normalisation) null, sb::appendCodePoint);
        for (int cp : "\uFEFFAb\r\nÉ".codePoints().toArray()) {
            n.accept(cp);
        }
        assertEquals("\uFEFFAb\nÉ", sb.toString());
    }
}
