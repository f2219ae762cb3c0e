package charrnn.corpus;

import charrnn.AtomicFiles;
import charrnn.RnnException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code rnn prepare}: reads text files twice (the first pass counts the symbols and finds the
 * documents, the second writes the ids of the final vocabulary) and writes {@code vocab.json},
 * {@code ids.bin} and {@code manifest.json} into a fresh directory that replaces the output only once
 * complete. Memory is bounded by the vocabulary and the number of files, not the text.
 */
public final class Preparer {
    public static final String VOCAB = "vocab.json";
    public static final String IDS = "ids.bin";
    public static final String MANIFEST = "manifest.json";
    /** What a prepared corpus holds: all that {@code --force} may replace. */
    private static final Set<String> ARTEFACTS = Set.of(VOCAB, IDS, MANIFEST);
    /** The validation documents while the training ones are written (in the staging directory). */
    private static final String VALIDATION_PART = "validation.part";
    /** The symbol that ends each document of files: U+0003 END OF TEXT (what GPT-2's end-of-text token is to its tokens). */
    public static final int END_OF_TEXT = 0x03;
    /** A document's label is written before it as U+0001 START OF HEADING, the label, U+0002 START OF TEXT. */
    public static final int LABEL_START = 0x01;
    public static final int LABEL_END = 0x02;

    private final PrepareOptions options;
    private final Consumer<String> log;
    private final ProgressListener progress;
    private Vocabulary vocabulary;

    /**
     * @param log      receives human messages (stderr in the CLI)
     * @param progress receives byte progress over both passes, may be null
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

    /** Prepares one file {@code corpus} into {@code out}; returns the written manifest. */
    public Manifest prepare(Path corpus, Path out, boolean force) throws IOException {
        return prepare(List.of(corpus), out, force, null);
    }

    /**
     * Prepares the files and folders {@code paths} into {@code out} with a vocabulary holding every
     * symbol of {@code base} too (count 0 when the text lacks it), so the ids are those of a model
     * that knows them ({@code rnn train --init-from}); null: only the text's symbols.
     */
    public Manifest prepare(List<Path> paths, Path out, boolean force, Vocabulary base) throws IOException {
        checkOptions();
        List<Path> files = files(paths);
        checkOutput(out, force);

        Files.createDirectories(out.toAbsolutePath().getParent());
        try (StagingDirectory tmp = new StagingDirectory(out)) {
            Manifest manifest = new Run(options.resolve(paths), files, base == null ? new int[0] : base.codePoints())
                    .prepare(tmp.path());
            tmp.publish(out);
            return manifest;
        }
    }

    /** The vocabulary of the corpus that {@link #prepare} last wrote (null before). */
    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /**
     * The files of {@code paths} in order: a file as it is, a folder's regular files below it in
     * sorted path order, without hidden files and folders (names starting with a dot).
     */
    public static List<Path> files(List<Path> paths) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (!Files.exists(p)) {
                throw RnnException.badData(p + ": no such file or folder");
            }
            if (!Files.isDirectory(p)) {
                files.add(p);
                continue;
            }
            List<Path> below;
            try (Stream<Path> s = Files.walk(p)) {
                below = s.filter(f -> Files.isRegularFile(f) && !hidden(p.relativize(f))).sorted().toList();
            }
            if (below.isEmpty()) {
                throw RnnException.badData(p + ": a folder without files; give text files or a folder of them");
            }
            files.addAll(below);
        }
        return files;
    }

    private static boolean hidden(Path relative) {
        for (Path name : relative) {
            if (name.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    /** The files for a person: the file, or the first and how many more. */
    static String describe(List<Path> files) {
        return files.size() == 1 ? files.get(0).toString() : files.get(0) + " and " + (files.size() - 1) + " more files";
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
        return dot > 0 && !Files.isDirectory(corpus) ? name.substring(0, dot) : name;
    }

    private void checkOptions() {
        double f = options.valFraction();
        if (!(f > 0 && f <= 0.5)) {
            throw RnnException.invalid("valFraction", "must be in (0, 0.5], got " + f);
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

    /** Code points below this are counted and looked up in arrays; the rest (beyond the BMP) in maps. */
    private static final int DIRECT = 0x10000;

    /**
     * One preparation: pass 1 reads every file (decode, digest, normalise, count the symbols, find
     * Gutenberg sections and documents, choose the validation documents), pass 2 reads them again and
     * writes the ids of the final vocabulary, training documents into {@code ids.bin} and validation
     * documents into a part appended to it at the end.
     */
    private final class Run {
        final PrepareOptions o;
        final List<Path> files;
        final int[] base;
        final boolean lines;
        final boolean documents;
        /** The symbol after each document: newline for lines, END OF TEXT for files, -1 for one stream. */
        final int boundary;
        final long[] counts = new long[DIRECT];
        final Map<Integer, Long> astral = new HashMap<>();
        final List<Scan> scans = new ArrayList<>();
        final BitSet heldOut = new BitSet();
        final PrepareOptions.Labels labels;
        /** Per label: documents and characters of text. */
        final Map<String, long[]> perLabel = new java.util.TreeMap<>();
        long docs;
        long seen;
        long held;
        long bytesDone;
        long bytesTotal;
        int filesSkipped;

        Run(PrepareOptions o, List<Path> files, int[] base) {
            this.o = o;
            this.files = files;
            this.base = base;
            lines = o.documents() == PrepareOptions.Documents.LINES;
            documents = o.documents() != PrepareOptions.Documents.NONE;
            boundary = lines ? '\n' : documents ? END_OF_TEXT : -1;
            labels = o.labels();
            if (labels != null && !documents) {
                throw RnnException.usage("labels are given per document: --label-from and --label-column need"
                        + " --documents files or lines");
            }
            if (labels == PrepareOptions.Labels.COLUMN && !lines) {
                throw RnnException.usage("--label-column reads label<TAB>text lines: it needs --documents lines");
            }
        }

        Manifest prepare(Path dir) throws IOException {
            List<Path> readable = new ArrayList<>();
            List<Long> sizes = new ArrayList<>();
            for (Path f : files) {
                long size = Files.size(f);
                if (usable(f, size, files.size() == 1)) {
                    readable.add(f);
                    sizes.add(size);
                    bytesTotal += 2 * size;
                }
            }
            if (readable.isEmpty()) {
                throw RnnException.badData(String.join(", ", files.stream().map(Path::toString).limit(3).toList())
                        + (files.size() > 3 ? " ...": "") + ": no text to prepare (every file was skipped)");
            }
            for (int i = 0; i < readable.size(); i++) {
                scans.add(scan(readable.get(i), sizes.get(i)));
            }
            long total = 0;
            for (Scan s : scans) {
                total += s.kept;
            }
            boolean whole = documents && heldOut.cardinality() > 0 && heldOut.cardinality() < docs
                    && held >= 0.5 * o.valFraction() * seen && held <= 1.5 * o.valFraction() * seen;
            Vocabulary symbols = symbols();
            int width = idWidth(symbols.size());
            SplitWriter parts;
            try (SplitWriter w = new SplitWriter(dir.resolve(IDS), dir.resolve(VALIDATION_PART), width, symbols.size(),
                    whole, o.valFraction(), boundary < 0 ? -1 : symbols.id(boundary))) {
                parts = w;
                if (!documents) {
                    parts.begin(total, false);
                }
                int[] idOf = new int[DIRECT]; // id + 1 of the BMP's code points, 0: not in the vocabulary
                for (int id = 0; id < symbols.size(); id++) {
                    if (symbols.codePoint(id) < DIRECT) {
                        idOf[symbols.codePoint(id)] = id + 1;
                    }
                }
                long doc = 0;
                for (Scan s : scans) {
                    doc = write(s, symbols, idOf, parts, doc);
                }
                if (!documents) {
                    parts.end();
                }
                if (parts.valLength() < 2 || parts.trainLength() < 2) {
                    throw RnnException.badData(describe(files) + ": too short to split ("
                            + (parts.trainLength() + parts.valLength()) + " code points after normalisation,"
                            + " validation would get " + parts.valLength()
                            + "); give a longer text or a larger --val-fraction");
                }
                parts.finish();
            }
            long[] written = parts.counts();
            Vocabulary vocab = new Vocabulary(symbols.codePoints(), written);
            var inBase = java.util.Arrays.stream(base).boxed().collect(java.util.stream.Collectors.toSet());
            for (int id = 0; id < vocab.size(); id++) {
                if (written[id] == 0 && !inBase.contains(vocab.codePoint(id))) {
                    throw new IllegalStateException(Vocabulary.describe(vocab.codePoint(id)) + " counted, never written");
                }
            }
            return manifest(dir, vocab, width, parts);
        }

        /**
         * Whether to read {@code f}: an empty file in a folder gives nothing, a binary one or (with
         * --skip-invalid checked by a strict read) one that is not UTF-8 is refused or skipped.
         */
        private boolean usable(Path f, long size, boolean alone) throws IOException {
            if (size == 0) {
                if (alone) {
                    throw RnnException.badData(f + ": is empty; give a text file with some text");
                }
                return false;
            }
            try {
                if (o.skipInvalid()) {
                    new Utf8Reader(f, o.replaceInvalid()).read((cps, n) -> { }, null, null);
                }
                return true;
            } catch (RnnException e) {
                if (!o.skipInvalid()) {
                    throw e;
                }
                filesSkipped++;
                log.accept("skipped " + e.getMessage().replaceFirst(";.*", ""));
                return false;
            }
        }

        /** Pass 1 over one file. */
        private Scan scan(Path f, long size) throws IOException {
            Scan s = new Scan(f, size, Normaliser.of(o));
            long endOfText = counts[END_OF_TEXT];
            long labelMarks = counts[LABEL_START] + counts[LABEL_END];
            MessageDigest md = sha256();
            s.raw = read(f, size, s.norm, s::accept, md, true);
            s.finish();
            s.sha256 = HexFormat.of().formatHex(md.digest());
            if (boundary == END_OF_TEXT && counts[END_OF_TEXT] != endOfText) {
                throw RnnException.badData(f + ": holds U+0003 END OF TEXT, which marks the end of each document"
                        + " of a folder; remove it, or give --documents lines or none");
            }
            if (labels != null && counts[LABEL_START] + counts[LABEL_END] != labelMarks) {
                throw RnnException.badData(f + ": holds U+0001 or U+0002, which mark a document's label; remove them,"
                        + " or prepare it without labels");
            }
            if (!s.keep.isEmpty() && !lines && o.stripBoilerplate()) {
                uncount(s);
            } else {
                s.keep = List.of(new long[]{0, s.length});
            }
            s.kept = s.keep.stream().mapToLong(r -> r[1] - r[0]).sum();
            if (documents && !lines && s.kept > 0) {
                document(s.kept, s.label);
                s.documents = 1;
            } else if (!documents) {
                s.documents = scans.isEmpty() ? 1 : 0; // the one stream begins in the first file
            }
            return s;
        }

        /**
         * A document of {@code text} code points in pass 1 under {@code label} (null: none): held out or
         * not, by its length with its label and boundary.
         */
        void document(long text, String label) {
            long length = text + 1;
            if (label != null) {
                length += label.codePointCount(0, label.length()) + 2;
                long[] l = perLabel.computeIfAbsent(label, k -> new long[2]);
                l[0]++;
                l[1] += text;
            }
            seen += length;
            if (o.valFraction() * seen - held >= length / 2.0) {
                heldOut.set(Math.toIntExact(docs));
                held += length;
            }
            docs++;
        }

        /** Takes back the counts of a file's text outside its Gutenberg sections (a third read, of that file only). */
        private void uncount(Scan s) throws IOException {
            var kept = new Kept(s.keep);
            read(s.file, s.bytes, Normaliser.of(o), (cps, n) -> kept.walk(cps, n, (c, from, to) -> { }, (c, from, to) -> {
                for (int k = from; k < to; k++) {
                    count(c[k], -1);
                }
            }), null, false);
        }

        /** Pass 2 over one file: its kept text as ids, through {@code parts}; returns the next document's number. */
        private long write(Scan s, Vocabulary vocab, int[] idOf, SplitWriter parts, long doc) throws IOException {
            long[] next = {doc};
            var line = new IdBuffer();
            int[] label = s.label == null ? null : s.label.codePoints().map(cp -> idOf(vocab, idOf, cp)).toArray();
            int[] prefix = label == null ? null : prefix(label, 0, label.length, vocab, idOf);
            if (documents && !lines && s.kept > 0) {
                parts.begin(s.kept, heldOut.get(Math.toIntExact(next[0]++)), prefix);
            }
            var kept = new Kept(s.keep);
            read(s.file, s.bytes, Normaliser.of(o), (cps, n) -> kept.walk(cps, n, (c, from, to) -> {
                int start = from;
                for (int k = from; k < to; k++) {
                    int cp = c[k];
                    if (lines && cp == '\n') {
                        line.add(c, start, k);
                        next[0] = line(line, parts, next[0], prefix, vocab, idOf);
                        start = k + 1;
                        continue;
                    }
                    if (cp == '\t' && labels == PrepareOptions.Labels.COLUMN && line.labelEnd < 0) {
                        line.add(c, start, k);
                        line.labelEnd = line.size;
                        start = k + 1;
                        continue;
                    }
                    int id = idOf(vocab, idOf, cp);
                    if (id < 0) {
                        throw RnnException.badData(s.file + ": changed while it was being prepared; prepare again");
                    }
                    c[k] = id;
                }
                if (lines) {
                    line.add(c, start, to);
                } else {
                    parts.ids(c, from, to);
                }
            }, null), null, true);
            if (lines) {
                next[0] = line(line, parts, next[0], prefix, vocab, idOf);
            } else if (documents && s.kept > 0) {
                parts.end();
            }
            return next[0];
        }

        /**
         * A line's ids, a document when not empty, under {@code prefix} (a file's label, or null) or with
         * --label-column its own label; returns the next document's number.
         */
        private long line(IdBuffer line, SplitWriter parts, long doc, int[] prefix, Vocabulary vocab, int[] idOf)
                throws IOException {
            if (line.size == 0) {
                return doc;
            }
            int from = 0;
            if (labels == PrepareOptions.Labels.COLUMN) {
                from = line.labelEnd;
                prefix = prefix(line.ids, 0, from, vocab, idOf);
                line.labelEnd = -1;
                if (from == line.size) { // a label without text: not a document
                    line.size = 0;
                    return doc;
                }
            }
            parts.begin(line.size - from, heldOut.get(Math.toIntExact(doc)), prefix);
            parts.ids(line.ids, from, line.size);
            parts.end();
            line.size = 0;
            return doc + 1;
        }

        /** The ids written before a document of label {@code ids[from..to)}: START OF HEADING, the label, START OF TEXT. */
        private int[] prefix(int[] ids, int from, int to, Vocabulary vocab, int[] idOf) {
            int[] p = new int[to - from + 2];
            p[0] = idOf(vocab, idOf, LABEL_START);
            System.arraycopy(ids, from, p, 1, to - from);
            p[p.length - 1] = idOf(vocab, idOf, LABEL_END);
            return p;
        }

        /** The id of {@code cp} (-1: not in the vocabulary) through the BMP's table. */
        private static int idOf(Vocabulary vocab, int[] idOf, int cp) {
            return (cp < DIRECT ? idOf[cp] : vocab.id(cp) + 1) - 1;
        }

        /**
         * Reads a file through a normaliser, a chunk of normalised code points at a time, digesting its
         * bytes into {@code md} (may be null) and, when {@code report}, reporting them; returns the
         * code points read before normalisation.
         */
        private long read(Path f, long size, Normaliser norm, Utf8Reader.Sink sink, MessageDigest md, boolean report)
                throws IOException {
            long before = bytesDone;
            long raw = norm.read(new Utf8Reader(f, o.replaceInvalid()), sink,
                    progress == null || !report ? null : (done, all) -> progress.bytesDone(before + done, bytesTotal),
                    md);
            if (report) {
                bytesDone = before + size;
            }
            return raw;
        }

        void count(int cp, long by) {
            if (cp < DIRECT) {
                counts[cp] += by;
            } else {
                astral.merge(cp, by, Long::sum);
            }
        }

        /** The symbols pass 2 writes: those counted, the boundary, and the base's (which may be absent). */
        Vocabulary symbols() {
            var hist = new HashMap<Integer, Long>();
            for (int cp : base) {
                hist.put(cp, 0L);
            }
            for (int cp = 0; cp < DIRECT; cp++) {
                if (counts[cp] > 0) {
                    hist.put(cp, counts[cp]);
                }
            }
            astral.forEach((cp, c) -> {
                if (c > 0) {
                    hist.put(cp, c);
                }
            });
            if (boundary >= 0) {
                hist.put(boundary, 0L);
            }
            for (String label : perLabel.keySet()) {
                label.codePoints().forEach(cp -> hist.putIfAbsent(cp, 0L));
                hist.putIfAbsent(LABEL_START, 0L);
                hist.putIfAbsent(LABEL_END, 0L);
            }
            return Vocabulary.fromCounts(hist);
        }

        private Manifest manifest(Path dir, Vocabulary vocab, int width, SplitWriter parts) throws IOException {
            long train = parts.trainLength();
            long val = parts.valLength();
            List<Manifest.Source> sources = new ArrayList<>();
            long crlf = 0, loneCr = 0, nonAscii = 0, replaced = 0, dropped = 0;
            boolean bom = false;
            int sections = 0;
            Scan first = null;
            for (Scan s : scans) {
                sources.add(new Manifest.Source(s.file.toAbsolutePath().normalize().toString(), s.bytes, s.sha256,
                        s.raw, s.documents, s.label));
                crlf += s.norm.crlf();
                loneCr += s.norm.loneCr();
                nonAscii += s.norm.nonAscii();
                replaced += s.norm.replaced();
                dropped += s.length - s.kept;
                bom |= s.norm.bomDropped() && s.length == s.kept;
                if (s.sections > 0) {
                    sections += s.sections;
                    first = first == null ? s : first;
                }
            }
            var boiler = new Manifest.Boilerplate(first != null, first == null ? 0 : first.startLine,
                    first == null ? 0 : first.endLine, sections, dropped);
            var norm = new Manifest.Normalisation(o.normaliseNewlines(), crlf, loneCr, o.dropBom(), bom,
                    o.stripBoilerplate(), boiler, o.lowercase(), o.ascii(), nonAscii, o.replaceInvalid(), replaced,
                    o.skipInvalid(), filesSkipped);
            var docs = new Manifest.Documents(o.documents().label(), boundary < 0 ? null : boundary,
                    documents ? this.docs : 1, parts.trainDocs(), parts.valDocs(),
                    parts.whole() ? "documents" : "document ends", labels == null ? null : labels.label(),
                    labels == null ? null : perLabel.entrySet().stream()
                            .map(e -> new Manifest.Label(e.getKey(), e.getValue()[0], e.getValue()[1])).toList());
            var manifest = new Manifest(Manifest.FORMAT, width == 1 ? Manifest.VERSION : Manifest.VERSION_WIDE_IDS,
                    sources, train + val, vocab.size(), width,
                    new Manifest.Split(o.valFraction(), 0, train, train, val), norm, docs);
            if (dropped > 0) {
                String where = scans.size() > 1
                        ? String.format("from %d of %d files", scans.stream().filter(s -> s.length > s.kept).count(),
                        scans.size())
                        : first.sections == 1
                        ? String.format("lines 1-%d and %d-end", first.startLine, first.endLine)
                        : String.format("everything outside %d START/END sections", first.sections);
                log.accept(String.format("Project Gutenberg boilerplate removed: %s, %,d code points"
                        + " (--keep-boilerplate keeps it)", where, dropped));
            }
            AtomicFiles.write(dir.resolve(VOCAB), Json.MAPPER.writeValueAsBytes(vocab.toJson(Json.MAPPER)));
            AtomicFiles.write(dir.resolve(MANIFEST), Json.MAPPER.writeValueAsBytes(manifest));
            vocabulary = vocab;
            return manifest;
        }

        /**
         * Pass 1's view of one file: counts its normalised code points into the run's, finds its lines,
         * its Gutenberg sections (each START opens a section that the next END closes; the body is the
         * lines strictly between) and, for line documents, its documents.
         */
        final class Scan {
            final Path file;
            final Normaliser norm;
            final long bytes;
            /** The file's label (--label-from parent), null for none. */
            final String label;
            // --label-column: the label of the current line while it is read
            final StringBuilder lineLabel = new StringBuilder();
            boolean inLabel = true;
            String sha256;
            long raw;
            long length;
            long kept;
            long documents;
            List<long[]> keep = new ArrayList<>();
            int sections;
            long startLine;
            long endLine;
            // line state
            long line = 1;
            long lineStart;
            boolean prefixing = true;
            final StringBuilder prefix = new StringBuilder();
            long openAt = -1;
            long openLine;

            Scan(Path file, long bytes, Normaliser norm) {
                this.file = file;
                this.norm = norm;
                this.bytes = bytes;
                this.label = labels == PrepareOptions.Labels.PARENT ? folderLabel(file) : null;
            }

            /** The name of the file's folder, normalised as the text is: a label to steer by. */
            private String folderLabel(Path file) {
                Path parent = file.toAbsolutePath().normalize().getParent();
                String name = parent == null || parent.getFileName() == null ? "" : parent.getFileName().toString();
                int[] cps = name.codePoints().toArray();
                int[] out = new int[cps.length + 1];
                return checkLabel(new String(out, 0, Normaliser.of(o).apply(cps, cps.length, out)), 0);
            }

            private String checkLabel(String l, long line) {
                if (l.isEmpty() || l.codePoints().anyMatch(cp -> cp < 0x20)) {
                    throw RnnException.badData(file + (line > 0 ? ":" + line : "") + ": label '" + l + "' is "
                            + (l.isEmpty() ? "empty" : "not printable") + "; a label needs a character and no control"
                            + " characters");
                }
                return l;
            }

            void accept(int[] cps, int n) {
                long[] c = counts;
                for (int i = 0; i < n; i++) {
                    int cp = cps[i];
                    if (cp < DIRECT) {
                        c[cp]++;
                    } else {
                        astral.merge(cp, 1L, Long::sum);
                    }
                    if (cp == '\n') {
                        endLine(length + i + 1);
                    } else {
                        if (prefixing) {
                            prefix(cp);
                        }
                        if (inLabel && labels == PrepareOptions.Labels.COLUMN) {
                            if (cp == '\t') {
                                inLabel = false;
                            } else {
                                lineLabel.appendCodePoint(cp);
                            }
                        }
                    }
                }
                length += n;
            }

            /** The line that ended holds {@code content} code points: a document when there are any. */
            private void lineDocument(long content) {
                if (lines && content > 0) {
                    String l = label;
                    if (labels == PrepareOptions.Labels.COLUMN) {
                        if (inLabel) {
                            throw RnnException.badData(file + ":" + line + ": no label (--label-column reads"
                                    + " label<TAB>text lines)");
                        }
                        l = checkLabel(lineLabel.toString(), line);
                        content -= l.codePointCount(0, l.length()) + 1;
                        count('\t', -1); // the separator is not written
                        if (content == 0) {
                            l.codePoints().forEach(cp -> count(cp, -1)); // nor a label without text
                        }
                    }
                    if (content > 0) {
                        document(content, l);
                        documents++;
                    }
                }
                lineLabel.setLength(0);
                inLabel = true;
            }

            private void prefix(int cp) {
                if (prefix.length() < 3 && cp != '*') {
                    prefixing = false;
                } else if (prefix.length() < Normaliser.MARKER_PREFIX) {
                    prefix.appendCodePoint(cp);
                }
            }

            /** The line that began at {@code lineStart} ends just before {@code end}. */
            private void endLine(long end) {
                lineDocument(end - 1 - lineStart);
                markers(end);
                lineStart = end;
                line++;
                prefixing = true;
                prefix.setLength(0);
            }

            void finish() {
                if (length > lineStart) {
                    // a last line without its newline
                    lineDocument(length - lineStart);
                    markers(length);
                }
            }

            /** The line ending at {@code end} opens a Gutenberg section (its body starts at end) or closes one. */
            private void markers(long end) {
                if (!prefixing || prefix.length() < 3) {
                    return;
                }
                if (openAt < 0 && Normaliser.isSectionStart(prefix)) {
                    openAt = end;
                    openLine = line;
                } else if (openAt >= 0 && Normaliser.isSectionEnd(prefix)) {
                    keep.add(new long[]{openAt, lineStart});
                    startLine = sections == 0 ? openLine : startLine;
                    endLine = line;
                    sections++;
                    openAt = -1;
                }
            }
        }
    }

    /** A file's kept ranges of normalised text, walked a chunk at a time. */
    private static final class Kept {
        interface Slice {
            void accept(int[] cps, int from, int to) throws IOException;
        }

        final List<long[]> ranges;
        long pos;
        int r;

        Kept(List<long[]> ranges) {
            this.ranges = ranges;
        }

        /** The next chunk of the text, {@code cps[0..n)}, cut into slices inside and outside the ranges. */
        void walk(int[] cps, int n, Slice inside, Slice outside) throws IOException {
            for (int i = 0; i < n; ) {
                while (r < ranges.size() && pos + i >= ranges.get(r)[1]) {
                    r++;
                }
                long from = r < ranges.size() ? ranges.get(r)[0] : Long.MAX_VALUE;
                int end = (int) Math.min(n, pos + i < from ? from - pos : ranges.get(r)[1] - pos);
                if (pos + i < from) {
                    if (outside != null) {
                        outside.accept(cps, i, end);
                    }
                } else {
                    inside.accept(cps, i, end);
                }
                i = end;
            }
            pos += n;
        }
    }

    /** A growing array of ids: one line document before it is written. */
    private static final class IdBuffer {
        int[] ids = new int[256];
        int size;
        /** With --label-column: where the line's label ends (its tab left out), -1 before the tab. */
        int labelEnd = -1;

        void add(int[] from, int start, int end) {
            if (size + end - start > ids.length) {
                ids = java.util.Arrays.copyOf(ids, Math.max(2 * ids.length, size + end - start));
            }
            System.arraycopy(from, start, ids, size, end - start);
            size += end - start;
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

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
