package charrnn.corpus;

import charrnn.AtomicFiles;
import charrnn.RnnException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code rnn prepare}: streams a UTF-8 text file once (read, digest and decode on one thread,
 * normalise and encode on another), rewrites the ids in vocabulary order, and writes
 * {@code vocab.json}, {@code ids.bin} and {@code manifest.json} into a fresh directory that replaces
 * the output only once complete. Memory is bounded by the vocabulary, not the corpus.
 */
public final class Preparer {
    public static final String VOCAB = "vocab.json";
    public static final String IDS = "ids.bin";
    public static final String MANIFEST = "manifest.json";
    /** What a prepared corpus holds: all that {@code --force} may replace. */
    private static final Set<String> ARTEFACTS = Set.of(VOCAB, IDS, MANIFEST);

    private static final int SNIFF = 8192;

    private final PrepareOptions options;
    private final Consumer<String> log;
    private final ProgressListener progress;
    private Vocabulary vocabulary;

    /**
     * @param log      receives human messages (stderr in the CLI)
     * @param progress receives byte progress per pass, may be null
     */
    public Preparer(PrepareOptions options, Consumer<String> log, ProgressListener progress) {
        this.options = options;
        this.log = log;
        this.progress = progress;
    }

    public PrepareOptions options() {
        return options;
    }

    /** A preparer with the switches {@code o}, reporting where this one does. */
    public Preparer with(PrepareOptions o) {
        return new Preparer(o, log, progress);
    }

    /** Prepares {@code corpus} into {@code out}; returns the written manifest. */
    public Manifest prepare(Path corpus, Path out, boolean force) throws IOException {
        return prepare(corpus, out, force, null);
    }

    /**
     * As {@link #prepare(Path, Path, boolean)}, with a vocabulary holding every symbol of {@code base}
     * too (count 0 when the text lacks it), so the ids are those of a model that knows them
     * ({@code rnn train --init-from}); null: only the text's symbols.
     */
    public Manifest prepare(Path corpus, Path out, boolean force, Vocabulary base) throws IOException {
        checkOptions();
        checkInput(corpus);
        checkOutput(out, force);

        Files.createDirectories(out.toAbsolutePath().getParent());
        try (StagingDirectory tmp = new StagingDirectory(out)) {
            Manifest manifest = encode(corpus, tmp.path(), base == null ? new int[0] : base.codePoints());
            tmp.publish(out);
            return manifest;
        }
    }

    /** The vocabulary of the corpus that {@link #prepare} last wrote (null before). */
    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /** The default output directory: beside the corpus, named {@link #stem} (plus .prepared if that is the corpus itself). */
    public static Path defaultOutput(Path corpus) {
        Path abs = corpus.toAbsolutePath();
        String stem = stem(abs);
        return abs.resolveSibling(stem.equals(abs.getFileName().toString()) ? stem + ".prepared" : stem);
    }

    /** A corpus's name for what is made from it (its prepared directory, its model): the file name without its extension. */
    public static String stem(Path corpus) {
        String name = corpus.toAbsolutePath().normalize().getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    private void checkOptions() {
        double f = options.valFraction();
        if (!(f > 0 && f <= 0.5)) {
            throw RnnException.invalid("valFraction", "must be in (0, 0.5], got " + f);
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

    /**
     * The output may be replaced when it holds nothing or a prepared corpus, and with {@code force}
     * when it holds only some of a prepared corpus's files; anything else in it is never touched.
     */
    private static void checkOutput(Path out, boolean force) throws IOException {
        if (!Files.exists(out)) {
            return;
        }
        if (!Files.isDirectory(out)) {
            throw RnnException.usage(out + ": exists and is not a directory; choose another -o");
        }
        List<String> names;
        try (Stream<Path> s = Files.list(out)) {
            names = s.map(p -> p.getFileName() + (Files.isDirectory(p) ? "/" : "")).sorted().toList();
        }
        List<String> others = names.stream().filter(name -> !ARTEFACTS.contains(name)).toList();
        if (!others.isEmpty()) {
            String shown = String.join(", ", others.subList(0, Math.min(3, others.size())))
                    + (others.size() > 3 ? " and " + (others.size() - 3) + " more" : "");
            throw RnnException.usage(out + ": holds files that are not rnn's (" + shown
                    + "); choose another -o (rnn replaces only a prepared corpus)");
        }
        if (!force && !names.isEmpty() && !names.contains(MANIFEST)) {
            throw RnnException.usage(out + ": holds part of a prepared corpus without its " + MANIFEST
                    + "; pass --force to replace it, or choose another -o");
        }
    }

    /**
     * Reads the file once (decode, digest, normalise, assign provisional ids in order of first
     * appearance, write them), then writes {@code ids.bin} from the provisional ids with the ids of
     * the sorted vocabulary, keeping only the Gutenberg sections' bodies when there are any. The
     * sections are only known at the end of the file, so the first pass keeps everything and
     * remembers where each section's body starts and ends in its output.
     */
    private Manifest encode(Path corpus, Path dir, int[] base) throws IOException {
        Path ids = dir.resolve(IDS);
        Encoder enc = new Encoder(idWidth(base.length), base);
        try {
            enc.run(corpus, ids);
        } catch (VocabularyOverflow e) {
            enc = new Encoder(4, base);
            enc.run(corpus, ids);
        }
        boolean strip = options.stripBoilerplate() && enc.markers.found();
        long[][] keep = strip ? enc.markers.bodies() : new long[][]{{0, enc.written()}};
        Totals body = strip ? enc.markers.bodyTotals() : enc.totals();
        long n = 0;
        for (long[] range : keep) {
            n += range[1] - range[0];
        }
        long val = Math.round(n * options.valFraction());
        long train = n - val;
        if (val < 2 || train < 2) {
            throw RnnException.badData(corpus + ": too short to split (" + n + " code points after normalisation,"
                    + " validation would get " + val + "); give a longer text or a larger --val-fraction");
        }
        Vocabulary vocab = enc.vocabulary(strip ? enc.markers.bodyCounts(enc.size) : enc.counts);
        int width = idWidth(vocab.size());
        enc.remap(ids, keep, vocab, width);

        long dropped = strip ? enc.raw - body.raw() : 0;
        var boiler = new Manifest.Boilerplate(enc.markers.found(), enc.markers.startLine(), enc.markers.endLine(),
                enc.markers.sections(), dropped);
        var norm = new Manifest.Normalisation(options.normaliseNewlines(), body.crlf(), body.loneCr(),
                options.dropBom(), enc.norm.bomDropped() && !strip, options.stripBoilerplate(), boiler,
                options.lowercase(), options.ascii(), body.nonAscii(), options.replaceInvalid(), body.replaced());
        var manifest = new Manifest(Manifest.FORMAT, width == 1 ? Manifest.VERSION : Manifest.VERSION_WIDE_IDS,
                new Manifest.Source(corpus.toAbsolutePath().normalize().toString(), enc.bytes,
                        enc.sha256, enc.raw),
                n, vocab.size(), width,
                new Manifest.Split(options.valFraction(), 0, train, train, val), norm);
        if (strip) {
            String where = enc.markers.sections() == 1
                    ? String.format("lines 1-%d and %d-end", enc.markers.startLine(), enc.markers.endLine())
                    : String.format("everything outside %d START/END sections", enc.markers.sections());
            log.accept(String.format("Project Gutenberg boilerplate removed: %s, %,d code points"
                    + " (--keep-boilerplate keeps it)", where, dropped));
        }
        AtomicFiles.write(dir.resolve(VOCAB), Json.MAPPER.writeValueAsBytes(vocab.toJson(Json.MAPPER)));
        AtomicFiles.write(dir.resolve(MANIFEST), Json.MAPPER.writeValueAsBytes(manifest));
        this.vocabulary = vocab;
        return manifest;
    }

    /**
     * Running totals at a point of the pass: ids written, raw code points read, and the
     * normalisation counts; a section's figures are the difference of two of them.
     */
    private record Totals(long written, long raw, long crlf, long loneCr, long nonAscii, long replaced) {
        Totals minus(Totals o) {
            return new Totals(written - o.written, raw - o.raw, crlf - o.crlf, loneCr - o.loneCr,
                    nonAscii - o.nonAscii, replaced - o.replaced);
        }

        Totals plus(Totals o) {
            return new Totals(written + o.written, raw + o.raw, crlf + o.crlf, loneCr + o.loneCr,
                    nonAscii + o.nonAscii, replaced + o.replaced);
        }
    }

    /**
     * Gutenberg START/END lines (checked on the first characters of lines that begin with "***"):
     * each START opens a section that the next END closes. A section's body is the lines strictly
     * between them, recorded as the totals at the start of the line after START and at the start of
     * the END line.
     */
    private static final class Markers {
        private final java.util.List<Totals[]> bodies = new java.util.ArrayList<>();
        private final java.util.List<long[]> lines = new java.util.ArrayList<>();
        private final java.util.List<long[]> bodyCounts = new java.util.ArrayList<>();
        private Totals open;
        private long[] openCounts;
        private long openLine;

        /**
         * At the end of a line that began with "***": {@code afterLine} are the totals just past it;
         * {@code lineStartCounts} the counts of the provisional ids at the start of the line,
         * {@code counts[0..size)} the counts now.
         */
        void check(CharSequence prefix, long line, Totals lineStart, Totals afterLine, long[] lineStartCounts,
                   long[] counts, int size) {
            if (open == null) {
                if (Normaliser.isSectionStart(prefix)) {
                    open = afterLine;
                    openCounts = java.util.Arrays.copyOf(counts, size);
                    openLine = line;
                }
            } else if (Normaliser.isSectionEnd(prefix)) {
                bodies.add(new Totals[]{open, lineStart});
                lines.add(new long[]{openLine, line});
                long[] c = lineStartCounts.clone();
                for (int i = 0; i < openCounts.length; i++) {
                    c[i] -= openCounts[i];
                }
                bodyCounts.add(c);
                open = null;
            }
        }

        /** Counts of the provisional ids [0, size) in the section bodies. */
        long[] bodyCounts(int size) {
            long[] sum = new long[size];
            for (long[] c : bodyCounts) {
                for (int i = 0; i < c.length; i++) {
                    sum[i] += c[i];
                }
            }
            return sum;
        }

        boolean found() {
            return !bodies.isEmpty();
        }

        int sections() {
            return bodies.size();
        }

        long startLine() {
            return found() ? lines.get(0)[0] : 0;
        }

        long endLine() {
            return found() ? lines.get(lines.size() - 1)[1] : 0;
        }

        /** [from, to) ranges of the first pass's output that are section bodies. */
        long[][] bodies() {
            return bodies.stream().map(b -> new long[]{b[0].written(), b[1].written()}).toArray(long[][]::new);
        }

        Totals bodyTotals() {
            Totals sum = new Totals(0, 0, 0, 0, 0, 0);
            for (Totals[] b : bodies) {
                sum = sum.plus(b[1].minus(b[0]));
            }
            return sum;
        }
    }

    private static final class VocabularyOverflow extends RuntimeException {
        VocabularyOverflow() {
            super(null, null, false, false);
        }
    }

    /** The single pass over the text, and the rewrite of its provisional ids. */
    private final class Encoder {
        /** Bytes per provisional id: 1 while there are at most 256 symbols, then 2 (or 4: a restart). */
        int width;
        FileChannel ch;
        /** Provisional ids of the Basic Multilingual Plane by direct lookup (-1: not seen); others in a map. */
        static final int DIRECT = 0x10000;
        final int[] direct = new int[DIRECT];
        final java.util.HashMap<Integer, Integer> provisional = new java.util.HashMap<>();
        final Normaliser norm = Normaliser.of(options, this::append);
        int size;
        long[] counts = new long[256];
        int[] cpOf = new int[256];
        long bytes;
        final Markers markers = new Markers();

        // output of the current chunk, flushed after each chunk (a code point is at most 4 bytes)
        byte[] out = new byte[0];
        int pos;
        long writtenBefore;   // ids flushed before this chunk
        long raw;             // code points read, this one included (in the slow path)
        long replaced;
        String sha256;

        // line state
        long line = 1;
        boolean maybeMarker = true;      // this line may be a Gutenberg marker: no character but '*' yet
        boolean slowNext = true;         // the next code point needs the general path
        final StringBuilder prefix = new StringBuilder(Normaliser.MARKER_PREFIX);
        Totals lineStart;
        long[] starCounts;

        /** The symbols of {@code base} hold the first provisional ids (count 0 until seen). */
        final int baseSize;

        Encoder(int width, int[] base) {
            this.width = width;
            java.util.Arrays.fill(direct, -1);
            baseSize = base.length;
            counts = new long[Math.max(256, base.length)];
            cpOf = new int[counts.length];
            for (int cp : base) {
                if (cp < DIRECT) {
                    direct[cp] = size;
                } else {
                    provisional.put(cp, size);
                }
                cpOf[size++] = cp;
            }
        }

        long written() {
            return writtenBefore + pos / width;
        }

        Totals totals() {
            return new Totals(written(), raw, norm.crlf(), norm.loneCr(), norm.nonAscii(), replaced);
        }

        void run(Path corpus, Path ids) throws IOException {
            var reader = new Utf8Reader(corpus, options.replaceInvalid());
            MessageDigest md = sha256();
            bytes = Files.size(corpus);
            lineStart = totals();
            try (FileChannel ch = FileChannel.open(ids, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING)) {
                this.ch = ch;
                reader.read((cps, n) -> {
                    if (out.length < 4 * n) {
                        out = new byte[4 * n];
                    }
                    long before = raw;
                    int k = 0;
                    while (k < n) {
                        if (!slowNext && width < 4) {
                            k = run(cps, k, n);
                            if (k == n) {
                                break;
                            }
                        }
                        raw = before + k + 1;
                        general(cps[k]);
                        k++;
                    }
                    raw = before + n;
                    flush();
                }, progress, md);
                sha256 = HexFormat.of().formatHex(md.digest());
                norm.finish();
                if (maybeMarker && prefix.length() >= 3) {
                    markers.check(prefix, line, lineStart, totals(), starCounts, counts, size);
                }
                flush();
            }
        }

        /** Writes the chunk's ids so far. */
        private void flush() throws IOException {
            ByteBuffer b = ByteBuffer.wrap(out, 0, pos);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            writtenBefore += pos / width;
            pos = 0;
        }

        /**
         * From 1-byte to 2-byte ids (a 257th symbol): the ids written so far are widened in place,
         * from the end backwards (a chunk's wider copy never overwrites ids not yet read).
         */
        private void widen() throws IOException {
            flush();
            long n = ch.position();
            ByteBuffer narrow = ByteBuffer.allocate(1 << 20);
            ByteBuffer wide = ByteBuffer.allocate(2 << 20).order(ByteOrder.LITTLE_ENDIAN);
            for (long end = n; end > 0; ) {
                long from = Math.max(0, end - narrow.capacity());
                narrow.clear().limit((int) (end - from));
                while (narrow.hasRemaining()) {
                    if (ch.read(narrow, from + narrow.position()) < 0) {
                        throw new IOException("ids shorter than written");
                    }
                }
                wide.clear();
                for (int i = 0; i < narrow.limit(); i++) {
                    wide.putShort((short) (narrow.get(i) & 0xFF));
                }
                wide.flip();
                while (wide.hasRemaining()) {
                    ch.write(wide, 2 * from + wide.position());
                }
                end = from;
            }
            ch.position(2 * n);
            width = 2;
        }

        /**
         * The common case in a small loop on locals (quickly compiled): code points {@code cps[k..n)}
         * inside a line that are already in the vocabulary, with 1- or 2-byte ids, while the
         * normaliser passes them through; returns where it stopped (a character for {@link #general}).
         */
        private int run(int[] cps, int k, int n) {
            boolean two = width == 2;
            byte[] o = out;
            long[] cnt = counts;
            int[] dir = direct;
            int p = pos;
            for (; k < n; k++) {
                int cp = cps[k];
                if (cp <= '\r' || cp >= DIRECT) {
                    break;
                }
                int id = dir[cp];
                if (id < 0) {
                    break;
                }
                cnt[id]++;
                o[p++] = (byte) id;
                if (two) {
                    o[p++] = (byte) (id >>> 8);
                }
            }
            pos = p;
            return k;
        }

        /** One code point, the {@code raw}-th of the file: lines and markers here, the rest by the normaliser. */
        private void general(int cp) throws IOException {
            if (cp == Utf8Reader.INVALID) {
                cp = Utf8Reader.REPLACEMENT;
                replaced++;
            }
            if (cp == '\n') {
                norm.accept(cp);
                Totals next = totals();
                if (maybeMarker && prefix.length() >= 3) {
                    markers.check(prefix, line, lineStart, next, starCounts, counts, size);
                }
                lineStart = next;
                line++;
                prefix.setLength(0);
                maybeMarker = true;
                slowNext = true;
                return;
            }
            if (maybeMarker) {
                if (prefix.length() < 3 && cp != '*') {
                    maybeMarker = false;
                } else if (prefix.length() < Normaliser.MARKER_PREFIX) {
                    if (prefix.length() == 0) {
                        // a line that may be a marker: the counts at its start, before its first id
                        starCounts = java.util.Arrays.copyOf(counts, size);
                    }
                    prefix.appendCodePoint(cp);
                }
            }
            norm.accept(cp);
            slowNext = maybeMarker || !norm.passesThrough();
        }

        /** Appends the id of a normalised code point to the chunk's output. */
        private void append(int cp) throws IOException {
            int id = cp < DIRECT ? direct[cp] : provisional.getOrDefault(cp, -1);
            if (id < 0) {
                id = size++;
                if (width == 1 && id > 0xFF) {
                    widen();
                } else if (width == 2 && id > 0xFFFF) {
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
            if (pos + 4 > out.length) {
                out = java.util.Arrays.copyOf(out, Math.max(64, out.length * 2));
            }
            put(id);
        }

        /** Counts and writes one id (little-endian, {@code width} bytes); the caller made room. */
        private void put(int id) {
            counts[id]++;
            out[pos] = (byte) id;
            if (width == 1) {
                pos++;
                return;
            }
            out[pos + 1] = (byte) (id >>> 8);
            if (width == 4) {
                out[pos + 2] = (byte) (id >>> 16);
                out[pos + 3] = (byte) (id >>> 24);
            }
            pos += width;
        }

        /** The vocabulary of the base's code points and those with a non-zero count (indexed by provisional id). */
        Vocabulary vocabulary(long[] countById) {
            var hist = new java.util.HashMap<Integer, Long>();
            for (int i = 0; i < size; i++) {
                if (countById[i] > 0 || i < baseSize) {
                    hist.put(cpOf[i], countById[i]);
                }
            }
            return Vocabulary.fromCounts(hist);
        }

        /**
         * Rewrites the file of provisional ids in place as ids of {@code vocab} of {@code to} bytes
         * (never wider than the provisional ones), keeping only the ranges {@code keep} (moved to the
         * front: a write never overtakes the reads), truncates
         * it and syncs it to disk. In place, so a large corpus's ids are written to the page cache
         * once more, not twice (writing a second file was disk-bound at 1 GB).
         */
        void remap(Path ids, long[][] keep, Vocabulary vocab, int to) throws IOException {
            int[] perm = new int[size];
            for (int i = 0; i < perm.length; i++) {
                perm[i] = vocab.contains(cpOf[i]) ? vocab.id(cpOf[i]) : -1;
            }
            ByteBuffer outBuf = ByteBuffer.allocate((1 << 20) / width * to).order(ByteOrder.LITTLE_ENDIAN);
            byte[] d = outBuf.array();
            long[] at = {0};
            try (FileChannel dst = FileChannel.open(ids, StandardOpenOption.WRITE)) {
                forEachChunk(ids, width, keep, (buf, n) -> {
                    byte[] a = buf.array();
                    if (width == 1 && to == 1) {
                        for (int i = 0; i < n; i++) {
                            d[i] = (byte) perm[a[i] & 0xFF];
                        }
                    } else if (width == 2 && to == 1) {
                        for (int i = 0; i < n; i++) {
                            d[i] = (byte) perm[(a[2 * i] & 0xFF) | (a[2 * i + 1] & 0xFF) << 8];
                        }
                    } else if (width == 2 && to == 2) {
                        for (int i = 0; i < 2 * n; i += 2) {
                            int id = perm[(a[i] & 0xFF) | (a[i + 1] & 0xFF) << 8];
                            d[i] = (byte) id;
                            d[i + 1] = (byte) (id >>> 8);
                        }
                    } else {
                        outBuf.clear();
                        for (int i = 0; i < n; i++) {
                            int id = perm[width == 4 ? buf.getInt(4 * i) : width == 2 ? buf.getShort(2 * i) & 0xFFFF
                                    : a[i] & 0xFF];
                            IdFile.put(outBuf, to, id);
                        }
                    }
                    outBuf.position(0).limit(n * to);
                    while (outBuf.hasRemaining()) {
                        at[0] += dst.write(outBuf, at[0]);
                    }
                });
                dst.truncate(at[0]);
                dst.force(true);
            }
        }
    }

    private interface Chunk {
        void accept(ByteBuffer buf, int ids) throws IOException;
    }

    /** Reads the ranges [from, to) of a file of ids of {@code width} bytes, in chunks of up to 1 MiB. */
    private static void forEachChunk(Path ids, int width, long[][] keep, Chunk chunk) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        int perChunk = buf.capacity() / width;
        try (FileChannel ch = FileChannel.open(ids, StandardOpenOption.READ)) {
            for (long[] range : keep) {
                for (long at = range[0]; at < range[1]; ) {
                    int n = (int) Math.min(perChunk, range[1] - at);
                    buf.clear().limit(n * width);
                    while (buf.hasRemaining()) {
                        if (ch.read(buf, at * width + buf.position()) < 0) {
                            throw new IOException(ids + ": shorter than written");
                        }
                    }
                    chunk.accept(buf, n);
                    at += n;
                }
            }
        }
    }

    /** Bytes per id of a vocabulary of {@code symbols}: 1 up to 256, 2 up to 65,536, else 4. */
    static int idWidth(int symbols) {
        return symbols <= 0x100 ? 1 : symbols <= 0x10000 ? 2 : 4;
    }

    /** The SHA-256 of a file's bytes, as lower-case hex (what the manifest records). */
    public static String sha256(Path file) throws IOException {
        MessageDigest md = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20];
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
