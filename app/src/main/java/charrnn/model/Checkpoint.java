package charrnn.model;

import charrnn.AtomicFiles;
import charrnn.RnnException;
import charrnn.corpus.Json;
import charrnn.corpus.Vocabulary;

import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * One checkpoint file: DL4J's {@link ModelSerializer} zip (configuration, parameters, updater
 * state; loadable by plain DL4J) with two more entries, {@code rnn/checkpoint.json} and
 * {@code rnn/vocab.json}, and for stream training a third, {@code rnn/streams.bin}: the carried
 * recurrent state the next step starts from. Written to a temporary file in the same directory, forced to disk and
 * atomically renamed, so a crash at any moment leaves the previous file intact.
 */
public final class Checkpoint {
    public static final String INFO_ENTRY = "rnn/checkpoint.json";
    public static final String VOCAB_ENTRY = "rnn/vocab.json";
    public static final String STREAMS_ENTRY = "rnn/streams.bin";
    public static final String BEST = "best.zip";
    public static final String LAST = "last.zip";

    /** A network with its vocabulary and provenance, and the carried state of stream training (else null). */
    public record Loaded(MultiLayerNetwork net, Vocabulary vocabulary, CheckpointInfo info, Path file,
                         RecurrentState streams) {
    }

    private Checkpoint() {
    }

    public static void save(Path file, MultiLayerNetwork net, Vocabulary vocab, CheckpointInfo info) throws IOException {
        save(file, net, vocab, info, null);
    }

    public static void save(Path file, MultiLayerNetwork net, Vocabulary vocab, CheckpointInfo info,
                            RecurrentState streams) throws IOException {
        AtomicFiles.write(file, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            // stored, not compressed: parameters hardly compress, and deflating cost more than the
            // whole save (bench/NOTES.md 19)
            zip.setLevel(java.util.zip.Deflater.NO_COMPRESSION);
            zip.putNextEntry(new ZipEntry(INFO_ENTRY));
            zip.write(Json.MAPPER.writeValueAsBytes(info));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry(VOCAB_ENTRY));
            zip.write(Json.MAPPER.writeValueAsBytes(vocab.toJson(Json.MAPPER)));
            zip.closeEntry();
            if (streams != null) {
                zip.putNextEntry(new ZipEntry(STREAMS_ENTRY));
                var data = new java.io.DataOutputStream(new java.io.BufferedOutputStream(zip, 1 << 16));
                streams.write(data);
                data.flush();
                zip.closeEntry();
            }
            writeDl4jEntries(net, zip);
            zip.finish();
        });
    }

    /**
     * The entries DL4J's {@code ModelSerializer.writeModel(net, out, true)} writes (configuration,
     * parameters, updater state; its reader needs nothing else), into our zip: writing them through
     * ModelSerializer meant deflating them twice, once into its zip and once into ours.
     */
    private static void writeDl4jEntries(MultiLayerNetwork net, ZipOutputStream zip) throws IOException {
        zip.putNextEntry(new ZipEntry("configuration.json"));
        zip.write(net.getLayerWiseConfigurations().toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        zip.closeEntry();
        // never closed (that would close the zip): flushed after each entry
        java.io.DataOutputStream data = new java.io.DataOutputStream(new java.io.BufferedOutputStream(zip, 1 << 16));
        zip.putNextEntry(new ZipEntry("coefficients.bin"));
        Nd4j.write(net.params(), data);
        data.flush();
        zip.closeEntry();
        INDArray state = net.getUpdater() == null ? null : net.getUpdater().getStateViewArray();
        if (state != null && state.length() > 0) {
            zip.putNextEntry(new ZipEntry("updaterState.bin"));
            Nd4j.write(state, data);
            data.flush();
            zip.closeEntry();
        }
    }

    /**
     * Makes {@code link} name the same content as {@code existing} (a hard link where the file
     * system allows, else a copy), replacing it atomically.
     */
    public static void alias(Path existing, Path link) throws IOException {
        Path tmp = AtomicFiles.tempBeside(link);
        try {
            try {
                Files.createLink(tmp, existing);
            } catch (UnsupportedOperationException | IOException e) {
                Files.copy(existing, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(tmp, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * The checkpoint a {@code --model} argument means: a file as is; in a directory,
     * {@code best.zip}, else {@code last.zip}.
     */
    public static Path resolve(Path model) {
        if (Files.isDirectory(model)) {
            for (String name : new String[]{BEST, LAST}) {
                if (Files.isRegularFile(model.resolve(name))) {
                    return model.resolve(name);
                }
            }
            throw RnnException.badModel(model + ": no checkpoint in this directory (no best.zip or last.zip);"
                    + " train a model into it first");
        }
        if (!Files.exists(model)) {
            throw RnnException.badModel(model + ": no such model directory or checkpoint file");
        }
        return model;
    }

    public static Loaded load(Path model, boolean withUpdater) {
        Path file = resolve(model);
        CheckpointInfo info;
        Vocabulary vocab;
        RecurrentState streams = null;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            info = readInfo(zip, file);
            ZipEntry ve = zip.getEntry(VOCAB_ENTRY);
            if (ve == null) {
                throw RnnException.badModel(file + ": not an rnn checkpoint (no " + VOCAB_ENTRY + ")");
            }
            try (InputStream in = zip.getInputStream(ve)) {
                vocab = Vocabulary.fromJson(Json.MAPPER.readTree(in));
            }
            ZipEntry se = zip.getEntry(STREAMS_ENTRY);
            if (se != null) {
                try (var in = new java.io.DataInputStream(new java.io.BufferedInputStream(zip.getInputStream(se)))) {
                    streams = RecurrentState.read(in);
                }
            }
            // Reading every entry checks every CRC: a damaged file fails here, not later.
            var entries = zip.entries();
            while (entries.hasMoreElements()) {
                try (InputStream in = zip.getInputStream(entries.nextElement())) {
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof RnnException r) {
                throw r;
            }
            throw corrupt(file, e);
        }
        MultiLayerNetwork net;
        try {
            net = ModelSerializer.restoreMultiLayerNetwork(file.toFile(), withUpdater);
        } catch (Exception | Error e) {
            if (e instanceof VirtualMachineError v && !(e instanceof OutOfMemoryError)) {
                throw v;
            }
            throw corrupt(file, e);
        }
        validate(file, net, vocab, info, streams);
        return new Loaded(net, vocab, info, file, streams);
    }

    private static CheckpointInfo readInfo(ZipFile zip, Path file) throws IOException {
        ZipEntry e = zip.getEntry(INFO_ENTRY);
        if (e == null) {
            throw RnnException.badModel(file + ": not an rnn checkpoint (no " + INFO_ENTRY + ")");
        }
        CheckpointInfo info;
        try (InputStream in = zip.getInputStream(e)) {
            info = Json.MAPPER.readValue(in, CheckpointInfo.class);
        }
        if (!CheckpointInfo.FORMAT.equals(info.format()) || info.formatVersion() != CheckpointInfo.VERSION) {
            throw RnnException.badModel(file + ": checkpoint format " + info.format() + " v" + info.formatVersion()
                    + " is not supported (this rnn reads " + CheckpointInfo.FORMAT + " v" + CheckpointInfo.VERSION + ")");
        }
        return info;
    }

    private static void validate(Path file, MultiLayerNetwork net, Vocabulary vocab, CheckpointInfo info,
                                 RecurrentState streams) {
        int v = vocab.size();
        String where = file + ": inconsistent checkpoint: ";
        if (info.spec() == null || info.spec().vocabSize() != v) {
            throw RnnException.badModel(where + "vocabulary has " + v + " symbols, model spec says "
                    + (info.spec() == null ? "nothing" : info.spec().vocabSize()));
        }
        int layers = net.getnLayers();
        if (layers != info.spec().layers() + 1) {
            throw RnnException.badModel(where + "network has " + layers + " layers, spec says "
                    + info.spec().layers() + " recurrent + 1 output");
        }
        long in = ((FeedForwardLayer) net.getLayer(0).conf().getLayer()).getNIn();
        long out = ((FeedForwardLayer) net.getLayer(layers - 1).conf().getLayer()).getNOut();
        if (in != v || out != v) {
            throw RnnException.badModel(where + "network maps " + in + " inputs to " + out
                    + " outputs but the vocabulary has " + v + " symbols");
        }
        ModelSpec spec = info.spec();
        if (streams != null && (streams.layers() != spec.layers() || streams.hidden() != spec.hidden()
                || info.config() == null || streams.windows() != info.config().batch())) {
            throw RnnException.badModel(where + "the carried state (" + streams.layers() + " x " + streams.hidden()
                    + ", " + streams.windows() + " streams) does not fit the model");
        }
    }

    private static RnnException corrupt(Path file, Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
        return new RnnException(charrnn.ExitCodes.BAD_MODEL, file + ": unreadable or truncated checkpoint (" + m
                + "); use another checkpoint, e.g. an earlier step-*.zip", e);
    }
}
