package charrnn.model;

import charrnn.corpus.Manifest;

import java.util.List;

/**
 * Everything in a checkpoint besides the network and the vocabulary: the provenance a person needs
 * to trust a model ({@code rnn info}) and the state a resumed run continues from.
 *
 * @param parent the model this one was fine-tuned from ({@code --init-from}); null when trained from
 *               scratch, and in checkpoints written before it existed
 */
public record CheckpointInfo(
        String format,
        int formatVersion,
        ModelSpec spec,
        Hyperparameters config,
        TrainingState state,
        Manifest corpus,
        String backend,
        String dl4jVersion,
        String created,
        Parent parent) {
    public static final String FORMAT = "rnn-checkpoint";
    public static final int VERSION = 1;

    /**
     * The model a fine-tuned one started from, as it was when it was read.
     *
     * @param checkpoint    absolute path of the checkpoint file read
     * @param corpus        the text the parent was trained on: its absolute path, or its first file's and how many more
     * @param corpusSha256  that text's SHA-256 ({@link charrnn.corpus.Manifest#sha256})
     * @param steps         the parent's training steps
     * @param bestValLoss   its best validation loss in nats, null when it never evaluated
     * @param newSymbols    code points of the fine-tuning corpus the parent lacked (new weight rows)
     * @param parent        the parent's own parent, if it was fine-tuned too
     */
    public record Parent(String checkpoint, String corpus, String corpusSha256, long steps, Double bestValLoss,
                         List<Integer> newSymbols, Parent parent) {
        /** The provenance of {@code loaded} as the parent of a model that adds {@code newSymbols}. */
        public static Parent of(Checkpoint.Loaded loaded, List<Integer> newSymbols) {
            CheckpointInfo i = loaded.info();
            double best = i.state().bestValLoss();
            return new Parent(loaded.file().toAbsolutePath().normalize().toString(),
                    i.corpus() == null ? null : i.corpus().describe(),
                    i.corpus() == null ? null : i.corpus().sha256(), i.state().step(),
                    Double.isNaN(best) ? null : best, List.copyOf(newSymbols), i.parent());
        }
    }
}
