package charrnn.corpus;

import charrnn.TestFiles;
import charrnn.cli.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** The real corpora as folders: Clarissa's nine volumes, and two authors cut into labelled documents. */
class FolderCorporaTest {
    @TempDir
    Path tmp;

    private static String text(Path prepared, long from, long to) {
        PreparedCorpus c = PreparedCorpus.open(prepared);
        StringBuilder sb = new StringBuilder();
        for (long i = from; i < to; i++) {
            sb.appendCodePoint(c.vocabulary().codePoint(c.id(i)));
        }
        return sb.toString();
    }

    @Test
    void clarissaIsNineDocumentsAndOneVolumeInTheMiddleValidates() throws IOException {
        Path clarissa = TestFiles.corpus("clarissa");
        Manifest m = new Preparer(Settings.prepare().get(), x -> { }, null)
                .prepare(List.of(clarissa), tmp.resolve("all"), false, null);
        assertEquals(9, m.sources().size());
        for (Manifest.Source s : m.sources()) {
            assertEquals(Preparer.sha256(Path.of(s.path())), s.sha256(), s.path());
            assertEquals(1, s.documents());
        }
        assertEquals(9, m.documents().count());
        assertEquals("documents", m.documents().heldOut());
        assertEquals(8, m.documents().train());
        assertEquals(1, m.documents().validation());
        assertEquals(9, m.normalisation().boilerplate().sections(), "each volume's own Gutenberg body");
        double share = (double) m.split().valLength() / m.codePoints();
        assertTrue(share > 0.05 && share < 0.15, "validation share " + share);
        // the validation split is one whole volume, as that volume alone prepares, and not the last
        String validation = text(tmp.resolve("all"), m.split().valStart(), m.codePoints());
        List<String> held = new ArrayList<>();
        for (Manifest.Source s : m.sources()) {
            Path one = tmp.resolve(Path.of(s.path()).getFileName().toString());
            Manifest alone = new Preparer(Settings.prepare().get(), x -> { }, null).prepare(Path.of(s.path()), one, false);
            if (validation.equals(text(one, 0, alone.codePoints()) + "\u0003")) {
                held.add(Path.of(s.path()).getFileName().toString());
            }
        }
        assertEquals(1, held.size(), held.toString());
        assertFalse(held.get(0).startsWith("vol9") || held.get(0).startsWith("vol1"), held.toString());
    }

    @Test
    void twoAuthorsCutIntoLabelledDocuments() throws IOException {
        String shakespeare = Files.readString(TestFiles.corpus("tinyshakespeare.txt"), StandardCharsets.UTF_8);
        String tolstoy = Files.readString(TestFiles.corpus("war_and_peace.txt"), StandardCharsets.UTF_8);
        tolstoy = tolstoy.substring(tolstoy.indexOf("CHAPTER I"));
        long[] characters = new long[2];
        String[] labels = {"shakespeare", "tolstoy"};
        String[] texts = {shakespeare, tolstoy};
        for (int a = 0; a < 2; a++) {
            List<String> lines = texts[a].replace("\r\n", "\n").lines().limit(2000).toList();
            for (int i = 0; i < 100; i++) {
                String doc = String.join("\n", lines.subList(20 * i, 20 * i + 20)) + "\n";
                Path f = tmp.resolve("authors").resolve(labels[a]).resolve(String.format("part-%03d.txt", i));
                Files.createDirectories(f.getParent());
                Files.writeString(f, doc, StandardCharsets.UTF_8);
                characters[a] += doc.codePointCount(0, doc.length());
            }
        }
        Manifest m = new Preparer(Settings.prepare().with("labels", PrepareOptions.Labels.PARENT).get(), x -> { },
                null).prepare(List.of(tmp.resolve("authors")), tmp.resolve("out"), false, null);
        assertEquals(List.of(new Manifest.Label("shakespeare", 100, characters[0]),
                new Manifest.Label("tolstoy", 100, characters[1])), m.documents().labels());
        String all = text(tmp.resolve("out"), 0, m.codePoints());
        String[] docs = all.split("\u0003");
        assertEquals(200, docs.length);
        for (String d : docs) {
            assertTrue(d.startsWith("\u0001shakespeare\u0002") || d.startsWith("\u0001tolstoy\u0002"),
                    d.substring(0, Math.min(40, d.length())));
        }
        try (Stream<Path> s = Files.list(tmp.resolve("out"))) {
            assertEquals(List.of("ids.bin", "manifest.json", "vocab.json"),
                    s.map(p -> p.getFileName().toString()).sorted().toList(), "no part left behind");
        }
    }
}
