package charrnn.spark;

import charrnn.RnnException;
import charrnn.corpus.IdFile;
import charrnn.corpus.IdSequence;
import charrnn.corpus.Json;
import charrnn.corpus.Manifest;
import charrnn.corpus.PreparedCorpus;
import charrnn.corpus.Preparer;
import charrnn.engine.ClusterEngines;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkFiles;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.SerializableConfiguration;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Where a run's executors read the prepared corpus's ids, window by window (positional reads, never
 * the whole corpus into memory): a file path every executor sees (this JVM's with a local master, or
 * a shared file system's), a Hadoop file system URI, or the copy Spark ships to each executor with
 * the job ({@code SparkContext.addFile}). Only {@code ids.bin} is read there: the driver holds the
 * vocabulary and the split.
 */
record CorpusSource(Kind kind, String location, int idWidth, long length,
                    Broadcast<SerializableConfiguration> hadoop) implements Serializable {
    enum Kind { FILE, HADOOP, SHIPPED }

    /** The prepared corpus in this JVM's file system: for local masters, whose executors are this JVM. */
    static CorpusSource here(PreparedCorpus corpus) {
        return of(Kind.FILE, corpus.dir().resolve(Preparer.IDS).toAbsolutePath().toString(), corpus, null);
    }

    /** The corpus's ids shipped with the job: each executor fetches the file once, at its first task. */
    static CorpusSource shipped(JavaSparkContext sc, PreparedCorpus corpus) {
        sc.addFile(corpus.dir().resolve(Preparer.IDS).toAbsolutePath().toString());
        return of(Kind.SHIPPED, Preparer.IDS, corpus, null);
    }

    /**
     * The prepared corpus at {@code where} (--spark-corpus): an absolute path every node sees, or a Hadoop
     * file system URI. Checked on the driver through Hadoop's FileSystem (the local one for a path): it
     * must hold the corpus of {@code corpus} (the same text, normalisation, split and vocabulary, wherever
     * it was prepared from) with its ids whole; one line and exit 3 otherwise. Executors read a URI with
     * the driver's Hadoop configuration, broadcast once.
     */
    static CorpusSource shared(String where, PreparedCorpus corpus, JavaSparkContext sc) {
        String what = "--spark-corpus " + where;
        String again = "; copy the prepared corpus " + corpus.dir() + " there (its manifest.json, vocab.json and ids.bin)";
        boolean path = ClusterEngines.checkCorpus(where).startsWith("/");
        org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(path ? Path.of(where).toUri() : URI.create(where));
        try {
            FileSystem fs = dir.getFileSystem(sc.hadoopConfiguration());
            Manifest m;
            byte[] vocab;
            try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(dir, Preparer.MANIFEST))) {
                m = Json.MAPPER.readValue(in, Manifest.class);
            }
            try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(dir, Preparer.VOCAB))) {
                vocab = in.readAllBytes();
            }
            if (!sameCorpus(m, corpus.manifest())
                    || !Arrays.equals(vocab, Files.readAllBytes(corpus.dir().resolve(Preparer.VOCAB)))) {
                throw RnnException.badData(what + ": another corpus than this run's (its manifest.json or vocab.json"
                        + " differs from " + corpus.dir() + "'s)" + again);
            }
            long bytes = fs.getFileStatus(new org.apache.hadoop.fs.Path(dir, Preparer.IDS)).getLen();
            if (bytes != m.codePoints() * m.idWidth()) {
                throw RnnException.badData(what + ": its " + Preparer.IDS + " has " + bytes + " bytes, expected "
                        + m.codePoints() * m.idWidth() + again);
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof RnnException r) {
                throw r;
            }
            throw RnnException.badData(what + ": cannot read it (" + SparkEngines.firstLine(e) + ")" + again);
        }
        return path ? of(Kind.FILE, Path.of(where).resolve(Preparer.IDS).toString(), corpus, null)
                : of(Kind.HADOOP, new org.apache.hadoop.fs.Path(dir, Preparer.IDS).toString(), corpus,
                sc.broadcast(new SerializableConfiguration(sc.hadoopConfiguration())));
    }

    /** The same ids: the same text (by its SHA-256), normalisation, documents, split and ids, wherever the text was read from. */
    private static boolean sameCorpus(Manifest a, Manifest b) {
        return a.format().equals(b.format()) && a.formatVersion() == b.formatVersion()
                && a.sha256().equals(b.sha256()) && a.codePoints() == b.codePoints()
                && a.vocabSize() == b.vocabSize() && a.idWidth() == b.idWidth() && a.split().equals(b.split())
                && a.normalisation().equals(b.normalisation())
                && a.documentsOrNone().equals(b.documentsOrNone());
    }

    private static CorpusSource of(Kind kind, String location, PreparedCorpus corpus,
                                   Broadcast<SerializableConfiguration> hadoop) {
        return new CorpusSource(kind, location, corpus.manifest().idWidth(), corpus.manifest().codePoints(), hadoop);
    }

    /** What the setup line says. */
    String describe() {
        return switch (kind) {
            case FILE -> "executors read the corpus at " + location;
            case HADOOP -> "executors read the corpus through Hadoop at " + location;
            case SHIPPED -> String.format(Locale.ROOT, "the corpus (%.1f MB) shipped to each executor with the job (--spark-corpus"
                    + " names a copy every node sees instead)", length * idWidth / 1e6);
        };
    }

    /** The ids, opened on an executor. */
    IdSequence open() {
        try {
            return switch (kind) {
                case FILE -> IdFile.open(Path.of(location), idWidth, length);
                case SHIPPED -> IdFile.open(Path.of(SparkFiles.get(location)), idWidth, length);
                case HADOOP -> new HadoopIds(this);
            };
        } catch (IOException e) {
            throw new UncheckedIOException(location + ": " + e.getMessage(), e);
        }
    }

    /** Ids read from a Hadoop file system, each window one positional read. */
    private static final class HadoopIds implements IdSequence, Closeable {
        private final FSDataInputStream in;
        private final CorpusSource source;

        HadoopIds(CorpusSource source) throws IOException {
            this.source = source;
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(source.location());
            this.in = p.getFileSystem(source.hadoop().value().value()).open(p);
        }

        @Override
        public int id(long i) {
            int[] one = new int[1]; // training reads windows (read); single ids are rare
            read(i, one, 0, 1);
            return one[0];
        }

        @Override
        public long length() {
            return source.length();
        }

        @Override
        public void read(long from, int[] dst, int off, int len) {
            if (from < 0 || len < 0 || from + len > source.length()) {
                throw new IndexOutOfBoundsException("ids [" + from + ", " + (from + len) + ") of " + source.length());
            }
            byte[] bytes = new byte[len * source.idWidth()];
            try {
                in.readFully(from * source.idWidth(), bytes, 0, bytes.length);
            } catch (IOException e) {
                throw new UncheckedIOException(source.location() + ": " + e.getMessage(), e);
            }
            IdFile.decode(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN), source.idWidth(), dst, off, len);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
