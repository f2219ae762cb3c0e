package charrnn.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code --model}: a model directory (its best.zip, else last.zip) or a checkpoint file. */
public final class ModelOption {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL",
            description = "Model directory (uses best.zip, else last.zip) or checkpoint file.")
    Path model;
}
