package charrnn.corpus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * prepare writes its JSON without Jackson; the files must stay byte for byte what Jackson's pretty
 * printer ({@link Json#MAPPER}) wrote before, so Jackson is the reference here.
 */
class PrettyJsonTest {
    @TempDir
    Path tmp;

    private static Manifest manifest(String path, double valFraction, long big) {
        return new Manifest(Manifest.FORMAT, Manifest.VERSION,
                new Manifest.Source(path, big, "3ec1fadb862e14bcc7d28b82ea34f8551b62735cfa6cd87c9e2fd947e306f17e", big - 7),
                big - 9, 70_000, 4, new Manifest.Split(valFraction, 0, big - 100, big - 100, 91),
                new Manifest.Normalisation(true, 12, 0, true, false, true,
                        new Manifest.Boilerplate(true, 25, 1_981_152, 30, 588_660), false, true, 3, false, 0));
    }

    @Test
    void manifestsAreWhatJacksonWrites() throws Exception {
        String[] paths = {"/work/corpora/alice.txt", "/tmp/with \"quotes\" and \\back\\slashes/a.txt",
                "/tmp/tab\there/new\nline/cr\rff\fbs\b/ctl\u0001\u001f\u007f/x.txt",
                "/home/zoë/吾輩は猫である/😀 𝄞/\u2028\u2029\ufeff.txt"};
        double[] fractions = {0.1, 0.05, 0.5, 1.0 / 3, 1e-4, 0.001, 0.2};
        for (String path : paths) {
            for (double f : fractions) {
                Manifest m = manifest(path, f, Long.MAX_VALUE / 3);
                assertEquals(Json.MAPPER.writeValueAsString(m), PrettyJson.manifest(m), path + " " + f);
                assertEquals(new String(Json.MAPPER.writeValueAsBytes(m), StandardCharsets.UTF_8),
                        PrettyJson.manifest(m, true), "as a file: " + path + " " + f);
            }
        }
        Manifest zero = new Manifest(Manifest.FORMAT, Manifest.VERSION_WIDE_IDS,
                new Manifest.Source("", 0, "", 0), 0, 0, 1, new Manifest.Split(0.1, 0, 0, 0, 0),
                new Manifest.Normalisation(false, 0, 0, false, false, false,
                        new Manifest.Boilerplate(false, 0, 0, 0, 0), false, false, 0, false, 0));
        assertEquals(Json.MAPPER.writeValueAsString(zero), PrettyJson.manifest(zero));
    }

    @Test
    void vocabulariesAreWhatJacksonWrites() throws Exception {
        // every control and ASCII character, Latin-1, format and line separators, the BOM, the
        // replacement character, CJK, and code points beyond the BMP (surrogate pairs in Java strings)
        int[] cps = IntStream.concat(IntStream.rangeClosed(0, 0xFF), IntStream.of(0x2028, 0x2029, 0x4E00, 0xFEFF,
                0xFFFD, 0xFFFF, 0x1D11E, 0x1F600, 0x10FFFF)).toArray();
        long[] counts = IntStream.range(0, cps.length).mapToLong(i -> i == 3 ? Long.MAX_VALUE : i * 1_000_003L).toArray();
        Vocabulary v = new Vocabulary(cps, counts);
        assertEquals(Json.MAPPER.writeValueAsString(v.toJson(Json.MAPPER)), PrettyJson.vocabulary(v, false));
        assertEquals(new String(Json.MAPPER.writeValueAsBytes(v.toJson(Json.MAPPER)), StandardCharsets.UTF_8),
                PrettyJson.vocabulary(v, true), "as a file");
        Vocabulary one = new Vocabulary(new int[]{'a'}, new long[]{1});
        assertEquals(Json.MAPPER.writeValueAsString(one.toJson(Json.MAPPER)), PrettyJson.vocabulary(one, false));
    }

    @Test
    void preparedFilesAreWhatJacksonWritesOfWhatIsReadBack() throws Exception {
        Path f = tmp.resolve("in \"odd\" näme.txt");
        String text = "\ufeffCrème \"brûlée\" \\ à\tla\r\nfaçon 😀 吾輩\u0001\u2028 de Zoë.\rEnd\n".repeat(20);
        Files.writeString(f, text, StandardCharsets.UTF_8);
        Path out = tmp.resolve("out");
        var p = new Preparer(PrepareOptions.defaults(), m -> { }, null);
        Manifest m = p.prepare(f, out, false);
        PreparedCorpus c = PreparedCorpus.open(out);
        assertEquals(m, c.manifest());
        assertEquals(c.vocabulary(), p.vocabulary());
        assertArrayEquals(Json.MAPPER.writeValueAsBytes(c.manifest()), Files.readAllBytes(out.resolve(Preparer.MANIFEST)));
        assertArrayEquals(Json.MAPPER.writeValueAsBytes(c.vocabulary().toJson(Json.MAPPER)),
                Files.readAllBytes(out.resolve(Preparer.VOCAB)));
    }
}
