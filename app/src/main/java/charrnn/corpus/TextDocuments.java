package charrnn.corpus;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Text files cut into documents as a model's corpus was ({@code rnn score}): read as {@code rnn
 * prepare} reads paths (folders in sorted order), through the corpus's normalisation, as ids of
 * the model's vocabulary (characters outside it left out and counted). A document streams through
 * the sink, so memory does not grow with the text.
 */
public final class TextDocuments {
    /** Receives each document: its start, its ids a slice at a time, its end. */
    public interface Sink {
        /** Document {@code number} (from 1) of {@code source} begins, on its 1-based {@code line}. */
        void begin(Path source, long number, long line) throws IOException;

        void ids(int[] ids, int from, int to) throws IOException;

        /** The document ends: its code points after normalisation, and those outside the vocabulary. */
        void end(long characters, long unknown) throws IOException;
    }

    private TextDocuments() {
    }

    /** Reads {@code paths}: each file one document, or with {@code lines} each non-empty line one. */
    public static void read(List<Path> paths, boolean lines, Manifest.Normalisation normalisation,
                            Vocabulary vocab, Sink sink) throws IOException {
        for (Path file : Preparer.files(paths)) {
            new Reader(file, lines, vocab, sink).read(Normaliser.of(normalisation));
        }
    }

    /** One file's pass: line and document state across chunks. */
    private static final class Reader {
        final Path file;
        final boolean lines;
        final Vocabulary vocab;
        final Sink sink;
        long number;
        long line = 1;
        boolean open;
        long characters;
        long unknown;

        Reader(Path file, boolean lines, Vocabulary vocab, Sink sink) {
            this.file = file;
            this.lines = lines;
            this.vocab = vocab;
            this.sink = sink;
        }

        void read(Normaliser norm) throws IOException {
            norm.read(Utf8Reader.strict(file), this::chunk, null, null);
            if (open) {
                end();
            }
        }

        private void chunk(int[] cps, int n) throws IOException {
            int start = 0;
            for (int k = 0; k < n; k++) {
                int cp = cps[k];
                if (lines && cp == '\n') {
                    flush(cps, start, k);
                    if (open) {
                        end();
                    }
                    line++;
                    start = k + 1;
                    continue;
                }
                if (!open) {
                    sink.begin(file, ++number, line);
                    open = true;
                    start = k;
                }
                characters++;
                int id = vocab.id(cp);
                if (id < 0) {
                    flush(cps, start, k);
                    unknown++;
                    start = k + 1;
                } else {
                    cps[k] = id;
                }
            }
            flush(cps, start, n);
        }

        private void flush(int[] ids, int from, int to) throws IOException {
            if (open && to > from) {
                sink.ids(ids, from, to);
            }
        }

        private void end() throws IOException {
            sink.end(characters, unknown);
            open = false;
            characters = 0;
            unknown = 0;
        }
    }
}
