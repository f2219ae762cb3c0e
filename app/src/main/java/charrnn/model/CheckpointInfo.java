package charrnn.model;

import charrnn.corpus.Manifest;

/**
 * Everything in a checkpoint besides the network and the vocabulary: the provenance a person needs
 * to trust a model ({@code rnn info}) and the state a resumed run continues from.
 */
public record CheckpointInfo(
        String format,
        int formatVersion,
        ModelSpec spec,
        TrainConfig config,
        TrainingState state,
        Manifest corpus,
        String backend,
        String dl4jVersion,
        String created) {
    public static final String FORMAT = "rnn-checkpoint";
    public static final int VERSION = 1;
}
