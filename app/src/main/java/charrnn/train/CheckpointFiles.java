package charrnn.train;

import charrnn.corpus.Vocabulary;
import charrnn.model.Checkpoint;
import charrnn.model.CheckpointInfo;
import charrnn.model.RecurrentState;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Which checkpoint files a model directory holds: {@code best.zip} at each new best,
 * {@code step-NNNNNN.zip} every {@code every} steps (the newest {@code keep} kept) with
 * {@code last.zip} a link to the newest, and at the end of a run {@code last.zip} (a step file when
 * they are on) unless a checkpoint of exactly that state exists.
 */
final class CheckpointFiles {
    private static final Pattern STEP_FILE = Pattern.compile("step-(\\d+)\\.zip");

    private final Path dir;
    private final MultiLayerNetwork net;
    private final Vocabulary vocabulary;
    private final RecurrentState carried;
    private final int every;
    private final int keep;
    private CheckpointInfo saved;  // what the newest step file or last.zip holds

    CheckpointFiles(Path dir, MultiLayerNetwork net, Vocabulary vocabulary, RecurrentState carried, int every, int keep) {
        this.dir = dir;
        this.net = net;
        this.vocabulary = vocabulary;
        this.carried = carried;
        this.every = every;
        this.keep = keep;
    }

    void best(CheckpointInfo info) throws IOException {
        Checkpoint.save(dir.resolve(Checkpoint.BEST), net, vocabulary, info, carried);
    }

    /** After step {@code step}: a step file when one is due ({@code info} is asked for then only). */
    void afterStep(long step, Supplier<CheckpointInfo> info) throws IOException {
        if (every > 0 && step % every == 0) {
            step(info.get());
        }
    }

    /** The end of a run, unless a checkpoint of exactly this state exists. */
    void last(CheckpointInfo info) throws IOException {
        if (saved != null && info.state().equals(saved.state())) {
            return;
        }
        if (every > 0) {
            step(info);
        } else {
            Checkpoint.save(dir.resolve(Checkpoint.LAST), net, vocabulary, info, carried);
            saved = info;
        }
    }

    /** best.zip or last.zip, when the directory holds it. */
    Path existing(String name) {
        Path p = dir.resolve(name);
        return Files.exists(p) ? p : null;
    }

    private void step(CheckpointInfo info) throws IOException {
        Path f = dir.resolve(String.format("step-%06d.zip", info.state().step()));
        Checkpoint.save(f, net, vocabulary, info, carried);
        Checkpoint.alias(f, dir.resolve(Checkpoint.LAST));
        saved = info;
        List<Path> steps;
        try (Stream<Path> s = Files.list(dir)) {
            steps = s.filter(p -> STEP_FILE.matcher(p.getFileName().toString()).matches()).sorted().toList();
        }
        for (int i = 0; i < steps.size() - keep; i++) {
            Files.deleteIfExists(steps.get(i));
        }
    }
}
