package charrnn.cli;

import charrnn.model.Checkpoint;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code --model}: a model directory (its best.zip, else last.zip) or a checkpoint file. */
public final class ModelOption {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL",
            description = "Model directory (uses best.zip, else last.zip) or checkpoint file.")
    Path model;

    private String backend;

    /** Loads the backend, then the checkpoint (without optimizer state). */
    Checkpoint.Loaded load(Verbosity verbosity) {
        backend = Backend.load(verbosity.verbose());
        return Checkpoint.load(model, false);
    }

    /** The backend {@link #load} loaded: "cpu" or "cuda". */
    String backend() {
        return backend;
    }
}
