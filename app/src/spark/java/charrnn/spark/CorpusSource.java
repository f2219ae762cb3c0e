package charrnn.spark;

import charrnn.RnnException;
import charrnn.corpus.IdFile;
import charrnn.corpus.IdSequence;
import charrnn.corpus.Json;
import charrnn.corpus.Manifest;
import charrnn.corpus.PreparedCorpus;
import charrnn.corpus.Preparer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkFiles;
import org.apache.spark.api.java.JavaSparkContext;
import scala.Tuple2;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Where a run's executors read the prepared corpus's ids, window by window (positional reads, never
 * the whole corpus into memory): a file path every executor sees (this JVM's with a local master, or
 * a shared file system's), a Hadoop file system URI, or the copy Spark ships to each executor with
 * the job ({@code SparkContext.addFile}). Only {@code ids.bin} is read there: the driver holds the
 * vocabulary and the split.
 */
record CorpusSource(Kind kind, String location, int idWidth, long length) implements Serializable {
    enum Kind { FILE, HADOOP, SHIPPED }

    /** The prepared corpus in this JVM's file system: for local masters, whose executors are this JVM. */
    static CorpusSource here(PreparedCorpus corpus) {
        return of(Kind.FILE, corpus.dir().resolve(Preparer.IDS).toAbsolutePath().toString(), corpus);
    }

    /** The corpus's ids shipped with the job: each executor fetches the file once, at its first task. */
    static CorpusSource shipped(JavaSparkContext sc, PreparedCorpus corpus) {
        sc.addFile(corpus.dir().resolve(Preparer.IDS).toAbsolutePath().toString());
        return of(Kind.SHIPPED, Preparer.IDS, corpus);
    }

    /**
     * The prepared corpus at {@code where} (--spark-corpus): an absolute path every node sees, or a Hadoop
     * file system URI. Checked on the driver: its manifest must be the one of {@code corpus} (the same
     * text, normalisation and split) and its ids whole; one line and exit 3 otherwise.
     */
    static CorpusSource shared(String where, PreparedCorpus corpus, Configuration hadoop) {
        String what = "--spark-corpus " + where;
        String again = "; copy the prepared corpus " + corpus.dir() + " there (its manifest.json, vocab.json and ids.bin)";
        URI uri = URI.create(where.replace(" ", "%20"));
        if (uri.getScheme() == null) {
            Path p = Path.of(where);
            if (!p.isAbsolute()) {
                throw RnnException.usage(what + ": give an absolute path every node sees, or a URI (hdfs://...)");
            }
            Manifest m;
            try {
                m = PreparedCorpus.open(p).manifest();
            } catch (RnnException e) {
                throw RnnException.badData(what + ": " + e.getMessage() + again);
            }
            same(what, m, corpus, again);
            return of(Kind.FILE, p.resolve(Preparer.IDS).toString(), corpus);
        }
        org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(uri);
        try {
            FileSystem fs = dir.getFileSystem(hadoop);
            Manifest m;
            try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(dir, Preparer.MANIFEST))) {
                m = Json.MAPPER.readValue(in, Manifest.class);
            }
            same(what, m, corpus, again);
            long bytes = fs.getFileStatus(new org.apache.hadoop.fs.Path(dir, Preparer.IDS)).getLen();
            if (bytes != m.codePoints() * m.idWidth()) {
                throw RnnException.badData(what + ": " + Preparer.IDS + " has " + bytes + " bytes, expected "
                        + m.codePoints() * m.idWidth() + again);
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof RnnException r) {
                throw r;
            }
            throw RnnException.badData(what + ": cannot read it (" + SparkEngines.firstLine(e) + ")" + again);
        }
        return of(Kind.HADOOP, new org.apache.hadoop.fs.Path(dir, Preparer.IDS).toString(), corpus);
    }

    private static void same(String what, Manifest there, PreparedCorpus corpus, String again) {
        if (!there.equals(corpus.manifest())) {
            throw RnnException.badData(what + ": another corpus than this run's (its manifest.json differs from "
                    + corpus.dir().resolve(Preparer.MANIFEST) + ")" + again);
        }
    }

    private static CorpusSource of(Kind kind, String location, PreparedCorpus corpus) {
        return new CorpusSource(kind, location, corpus.manifest().idWidth(), corpus.manifest().codePoints());
    }

    /** What the setup line says. */
    String describe() {
        return switch (kind) {
            case FILE -> "executors read the corpus at " + location;
            case HADOOP -> "executors read the corpus through Hadoop at " + location;
            case SHIPPED -> String.format("the corpus (%.1f MB) shipped to each executor with the job (--spark-corpus"
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
            this.in = p.getFileSystem(configuration()).open(p);
        }

        /** The executor's Hadoop settings: the cluster's (core-site.xml on the class path) and Spark's spark.hadoop.*. */
        private static Configuration configuration() {
            Configuration c = new Configuration();
            SparkEnv env = SparkEnv.get();
            SparkConf conf = env != null ? env.conf() : new SparkConf();
            for (Tuple2<String, String> kv : conf.getAllWithPrefix("spark.hadoop.")) {
                c.set(kv._1(), kv._2());
            }
            return c;
        }

        @Override
        public int id(long i) {
            int[] one = new int[1];
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
