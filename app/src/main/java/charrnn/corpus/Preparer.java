package charrnn.corpus;

import charrnn.ExitCodes;
import charrnn.RnnException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code rnn prepare}: streams a UTF-8 text file twice (scan, then normalise and encode) and writes
 * {@code vocab.json}, {@code ids.bin} and {@code manifest.json} into a fresh directory that replaces
 * the output only once complete. Memory is bounded by the vocabulary, not the corpus.
 */
public final class Preparer {
    public static final String VOCAB = "vocab.json";
    public static final String IDS = "ids.bin";
    public static final String MANIFEST = "manifest.json";

    private static final Pattern START = Pattern.compile("^\\*\\*\\* ?START OF (THE|THIS) PROJECT GUTENBERG");
    private static final Pattern END = Pattern.compile("^\\*\\*\\* ?END OF (THE|THIS) PROJECT GUTENBERG");
    private static final int MARKER_PREFIX = 96;
    private static final int SNIFF = 8192;

    private final PrepareOptions options;
    private final Consumer<String> log;
    private final ProgressListener progress;

    /**
     * @param log      receives human messages (stderr in the CLI)
     * @param progress receives byte progress per pass, may be null
     */
    public Preparer(PrepareOptions options, Consumer<String> log, ProgressListener progress) {
        this.options = options;
        this.log = log;
        this.progress = progress;
    }

    /** Prepares {@code corpus} into {@code out}; returns the written manifest. */
    public Manifest prepare(Path corpus, Path out, boolean force) throws IOException {
        checkOptions();
        checkInput(corpus);
        checkOutput(out, force);

        Scan scan = scan(corpus);
        Path parent = out.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createDirectory(parent.resolve("." + out.getFileName() + ".tmp-"
                + ProcessHandle.current().pid() + "-" + System.nanoTime()));
        try {
            Manifest manifest = encode(corpus, scan, tmp);
            replace(tmp, out);
            return manifest;
        } finally {
            deleteTree(tmp);
        }
    }

    /** The default output directory: beside the corpus, named after it without its extension. */
    public static Path defaultOutput(Path corpus) {
        String name = corpus.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name + ".prepared";
        Path parent = corpus.toAbsolutePath().getParent();
        return parent.resolve(stem);
    }

    private void checkOptions() {
        double f = options.valFraction();
        if (!(f > 0 && f <= 0.5)) {
            throw RnnException.usage("--val-fraction must be in (0, 0.5], got " + f);
        }
    }

    private static void checkInput(Path corpus) throws IOException {
        if (!Files.exists(corpus)) {
            throw RnnException.badData(corpus + ": no such file");
        }
        if (Files.isDirectory(corpus)) {
            throw RnnException.badData(corpus + ": is a directory; give a text file");
        }
        if (!Files.isReadable(corpus)) {
            throw RnnException.badData(corpus + ": not readable (check its permissions)");
        }
        if (Files.size(corpus) == 0) {
            throw RnnException.badData(corpus + ": is empty; give a text file with some text");
        }
        byte[] head = new byte[SNIFF];
        int n;
        try (InputStream in = Files.newInputStream(corpus)) {
            n = in.readNBytes(head, 0, SNIFF);
        }
        int control = 0;
        for (int i = 0; i < n; i++) {
            int b = head[i] & 0xFF;
            if (b == 0) {
                throw RnnException.badData(corpus + ": looks like a binary file (NUL byte at offset " + i
                        + "); give a plain text file");
            }
            if (b < 0x20 && b != '\n' && b != '\r' && b != '\t' && b != '\f' && b != 0x1B) {
                control++;
            }
        }
        if (n >= 64 && control * 10 > n) {
            throw RnnException.badData(corpus + ": looks like a binary file (" + control + " control bytes in the first "
                    + n + "); give a plain text file");
        }
    }

    private static void checkOutput(Path out, boolean force) throws IOException {
        if (!Files.exists(out)) {
            return;
        }
        if (!Files.isDirectory(out)) {
            throw new RnnException(ExitCodes.USAGE, out + ": exists and is not a directory; choose another -o");
        }
        boolean prepared = Files.exists(out.resolve(MANIFEST));
        boolean empty;
        try (Stream<Path> s = Files.list(out)) {
            empty = s.findAny().isEmpty();
        }
        if (!prepared && !empty && !force) {
            throw new RnnException(ExitCodes.USAGE, out + ": exists and holds something other than a prepared corpus;"
                    + " choose another -o or pass --force to replace it");
        }
    }

    /**
     * What the first pass learns: digest, sizes, and the Gutenberg sections, as pairs of 1-based
     * line numbers (START line, END line); a file of several books concatenated has several.
     */
    private record Scan(String sha256, long bytes, long codePoints, long[] sections) {
        boolean markers() {
            return sections.length > 0;
        }

        long startLine() {
            return markers() ? sections[0] : 0;
        }

        long endLine() {
            return markers() ? sections[sections.length - 1] : 0;
        }
    }

    private Scan scan(Path corpus) throws IOException {
        MessageDigest sha = sha256();
        var reader = new Utf8Reader(corpus, options.replaceInvalid());
        long[] count = {0};
        long[] line = {1};
        Markers markers = new Markers();
        StringBuilder prefix = new StringBuilder(MARKER_PREFIX);
        Utf8Reader.Sink sink = cp -> {
            count[0]++;
            if (cp == '\n') {
                markers.check(prefix, line[0]);
                prefix.setLength(0);
                line[0]++;
            } else if (prefix.length() < MARKER_PREFIX) {
                prefix.appendCodePoint(cp);
            }
        };
        reader.read(sink, sha, progress == null ? null : (done, total) -> progress.bytesDone(done, 2 * total));
        markers.check(prefix, line[0]);
        return new Scan(HexFormat.of().formatHex(sha.digest()), Files.size(corpus), count[0], markers.pairs());
    }

    /** Collects (START, END) line pairs: each START opens a section that the next END closes. */
    private static final class Markers {
        private long[] pairs = new long[4];
        private int size;
        private long open;

        void check(CharSequence prefix, long line) {
            if (open == 0) {
                if (START.matcher(prefix).lookingAt()) {
                    open = line;
                }
            } else if (END.matcher(prefix).lookingAt()) {
                if (size + 2 > pairs.length) {
                    pairs = java.util.Arrays.copyOf(pairs, pairs.length * 2);
                }
                pairs[size++] = open;
                pairs[size++] = line;
                open = 0;
            }
        }

        long[] pairs() {
            return java.util.Arrays.copyOf(pairs, size);
        }
    }

    private Manifest encode(Path corpus, Scan scan, Path dir) throws IOException {
        Encoder enc = new Encoder(scan, 2);
        try {
            enc.run(corpus, dir.resolve(IDS));
        } catch (VocabularyOverflow e) {
            enc = new Encoder(scan, 4);
            enc.run(corpus, dir.resolve(IDS));
        }
        long n = enc.written;
        long val = Math.round(n * options.valFraction());
        long train = n - val;
        if (val < 2 || train < 2) {
            throw RnnException.badData(corpus + ": too short to split (" + n + " code points after normalisation,"
                    + " validation would get " + val + "); give a longer text or a larger --val-fraction");
        }
        Vocabulary vocab = enc.sortedVocabulary();
        enc.remap(dir.resolve(IDS), vocab);

        boolean strip = options.stripBoilerplate() && scan.markers();
        var boiler = new Manifest.Boilerplate(scan.markers(), scan.startLine(), scan.endLine(),
                scan.sections().length / 2, strip ? enc.boilerplateDropped : 0);
        var norm = new Manifest.Normalisation(options.normaliseNewlines(), enc.crlf, enc.loneCr,
                options.dropBom(), enc.bomDropped, options.stripBoilerplate(), boiler,
                options.lowercase(), options.ascii(), enc.nonAscii, options.replaceInvalid(), enc.replaced);
        var manifest = new Manifest(Manifest.FORMAT, Manifest.VERSION,
                new Manifest.Source(corpus.toAbsolutePath().normalize().toString(), scan.bytes(), scan.sha256(),
                        scan.codePoints()),
                n, vocab.size(), enc.width,
                new Manifest.Split(options.valFraction(), 0, train, train, val), norm);
        if (strip) {
            String where = scan.sections().length == 2
                    ? String.format("lines 1-%d and %d-end", scan.startLine(), scan.endLine())
                    : String.format("everything outside %d START/END sections", scan.sections().length / 2);
            log.accept(String.format("Project Gutenberg boilerplate removed: %s, %,d code points"
                    + " (--keep-boilerplate keeps it)", where, enc.boilerplateDropped));
        }
        Json.MAPPER.writeValue(dir.resolve(VOCAB).toFile(), vocab.toJson(Json.MAPPER));
        Json.MAPPER.writeValue(dir.resolve(MANIFEST).toFile(), manifest);
        return manifest;
    }

    private static final class VocabularyOverflow extends RuntimeException {
        VocabularyOverflow() {
            super(null, null, false, false);
        }
    }

    /** Second pass: normalise, assign provisional ids in order of first appearance, count. */
    private final class Encoder {
        final Scan scan;
        final int width;
        /** Provisional ids of the Basic Multilingual Plane by direct lookup (-1: not seen); others in a map. */
        static final int DIRECT = 0x10000;
        final int[] direct = new int[DIRECT];
        final java.util.HashMap<Integer, Integer> provisional = new java.util.HashMap<>();
        int size;
        final byte[] out = new byte[1 << 16];
        int pos;
        long[] counts = new long[256];
        int[] cpOf = new int[256];
        long written;
        long crlf;
        long loneCr;
        long nonAscii;
        long boilerplateDropped;
        long replaced;
        boolean bomDropped;

        Encoder(Scan scan, int width) {
            this.scan = scan;
            this.width = width;
            java.util.Arrays.fill(direct, -1);
        }

        void run(Path corpus, Path ids) throws IOException {
            boolean strip = options.stripBoilerplate() && scan.markers();
            var reader = new Utf8Reader(corpus, options.replaceInvalid());
            try (OutputStream os = Files.newOutputStream(ids)) {
                long[] line = {1};
                long[] index = {0};
                int[] section = {0};
                long[] sections = scan.sections();
                boolean[] pendingCr = {false};
                Utf8Reader.Sink sink = cp -> {
                    long i = index[0]++;
                    while (strip && section[0] + 2 < sections.length && line[0] >= sections[section[0] + 1]) {
                        section[0] += 2; // past this section's END line: on to the next section
                    }
                    boolean inBody = !strip || (line[0] > sections[section[0]] && line[0] < sections[section[0] + 1]);
                    if (cp == '\n') {
                        line[0]++;
                    }
                    if (!inBody) {
                        boilerplateDropped++;
                        return;
                    }
                    if (i == 0 && cp == 0xFEFF && options.dropBom()) {
                        bomDropped = true;
                        return;
                    }
                    if (options.normaliseNewlines()) {
                        if (pendingCr[0]) {
                            pendingCr[0] = false;
                            if (cp == '\n') {
                                crlf++;
                                emit(os, '\n');
                                return;
                            }
                            loneCr++;
                            emit(os, '\n');
                        }
                        if (cp == '\r') {
                            pendingCr[0] = true;
                            return;
                        }
                    }
                    emit(os, cp);
                };
                reader.read(sink, null, progress == null ? null : (done, total) -> progress.bytesDone(total + done, 2 * total));
                if (pendingCr[0]) {
                    loneCr++;
                    emit(os, '\n');
                }
                os.write(out, 0, pos);
                pos = 0;
                replaced = reader.replaced();
            }
        }

        private void emit(OutputStream os, int cp) throws IOException {
            if (options.lowercase()) {
                cp = Character.toLowerCase(cp);
            }
            if (options.ascii() && cp > 127) {
                nonAscii++;
                return;
            }
            int id = cp < DIRECT ? direct[cp] : provisional.getOrDefault(cp, -1);
            if (id < 0) {
                id = size++;
                if (width == 2 && id > 0xFFFF) {
                    throw new VocabularyOverflow();
                }
                if (cp < DIRECT) {
                    direct[cp] = id;
                } else {
                    provisional.put(cp, id);
                }
                if (id >= counts.length) {
                    counts = java.util.Arrays.copyOf(counts, counts.length * 2);
                    cpOf = java.util.Arrays.copyOf(cpOf, cpOf.length * 2);
                }
                cpOf[id] = cp;
            }
            counts[id]++;
            written++;
            if (pos + 4 > out.length) {
                os.write(out, 0, pos);
                pos = 0;
            }
            out[pos++] = (byte) id;
            out[pos++] = (byte) (id >>> 8);
            if (width == 4) {
                out[pos++] = (byte) (id >>> 16);
                out[pos++] = (byte) (id >>> 24);
            }
        }

        Vocabulary sortedVocabulary() {
            var hist = new java.util.HashMap<Integer, Long>();
            for (int i = 0; i < size; i++) {
                hist.put(cpOf[i], counts[i]);
            }
            return Vocabulary.fromCounts(hist);
        }

        /** Rewrites provisional ids as ids of the sorted vocabulary, in place, chunk by chunk. */
        void remap(Path ids, Vocabulary vocab) throws IOException {
            int[] perm = new int[size];
            for (int i = 0; i < perm.length; i++) {
                perm[i] = vocab.id(cpOf[i]);
            }
            try (FileChannel ch = FileChannel.open(ids, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
                long pos = 0;
                while (true) {
                    buf.clear();
                    int n = ch.read(buf, pos);
                    if (n <= 0) {
                        break;
                    }
                    buf.flip();
                    if (width == 2) {
                        for (int i = 0; i + 1 < n; i += 2) {
                            buf.putShort(i, (short) perm[buf.getShort(i) & 0xFFFF]);
                        }
                    } else {
                        for (int i = 0; i + 3 < n; i += 4) {
                            buf.putInt(i, perm[buf.getInt(i)]);
                        }
                    }
                    int whole = n - n % width;
                    buf.limit(whole);
                    buf.position(0);
                    while (buf.hasRemaining()) {
                        ch.write(buf, pos + buf.position());
                    }
                    pos += whole;
                }
                ch.force(true);
            }
        }
    }

    /** Swaps the finished temporary directory in for {@code out}, keeping the old one until then. */
    private static void replace(Path tmp, Path out) throws IOException {
        if (!Files.exists(out)) {
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
            return;
        }
        Path old = out.resolveSibling("." + out.getFileName() + ".old-" + ProcessHandle.current().pid());
        Files.move(out, old, StandardCopyOption.ATOMIC_MOVE);
        try {
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Files.move(old, out, StandardCopyOption.ATOMIC_MOVE);
            throw e;
        }
        deleteTree(old);
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }

    /** The SHA-256 of a file's bytes, as lower-case hex (what the manifest records). */
    public static String sha256(Path file) throws IOException {
        MessageDigest md = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
