package charrnn.model;

import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.distribution.UniformDistribution;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInitDistribution;
import charrnn.corpus.Vocabulary;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Map;

/** Builds the DL4J network for a spec: recurrent layers, then a softmax output over the vocabulary. */
public final class Networks {
    /** char-rnn's initialisation: uniform in [-0.08, 0.08] (the cell's layer sets its biases). */
    static final double INIT_RANGE = 0.08;

    private Networks() {
    }

    public static MultiLayerNetwork build(ModelSpec spec, Hyperparameters config) {
        IUpdater updater = Hyperparameters.ADAM.equals(config.optimizer())
                ? new Adam(config.lr())
                : new RmsProp(config.lr(), 0.95, 1e-8);
        var builder = new NeuralNetConfiguration.Builder()
                .seed(config.randomSeed())
                .dataType(DataType.FLOAT)
                .weightInit(new WeightInitDistribution(new UniformDistribution(-INIT_RANGE, INIT_RANGE)))
                .updater(updater);
        if (config.clip() > 0) {
            builder.gradientNormalization(GradientNormalization.ClipElementWiseAbsoluteValue)
                    .gradientNormalizationThreshold(config.clip());
        }
        var list = builder.list();
        int v = spec.vocabSize();
        // Dropout as in char-rnn: between recurrent layers and before the output, never on the
        // one-hot input. DL4J's dropOut takes the probability of *keeping* an activation.
        double keep = 1.0 - spec.dropout();
        for (int i = 0; i < spec.layers(); i++) {
            int nIn = i == 0 ? v : spec.hidden();
            BaseRecurrentLayer.Builder<?> b = spec.cellType().layer();
            b.nIn(nIn).nOut(spec.hidden());
            if (i > 0 && spec.dropout() > 0) {
                b.dropOut(keep);
            }
            list.layer(b.build());
        }
        var out = new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .activation(Activation.SOFTMAX).nIn(spec.hidden()).nOut(v);
        if (spec.dropout() > 0) {
            out.dropOut(keep);
        }
        list.layer(out.build());
        MultiLayerConfiguration conf = list.backpropType(BackpropType.Standard).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /**
     * A network of {@code spec} over {@code vocab} (a superset of {@code parentVocab}) holding the
     * parent's weights: every parameter copied, a parent symbol's input row, output column and output
     * bias moved to its id in {@code vocab}. A symbol the parent lacks keeps the rows {@link #build}
     * drew for it (uniform +-0.08, as the parent's own rows started), and its output bias is the
     * parent's lowest: as improbable as the parent's rarest symbol, so the parent's predictions are
     * hardly disturbed, yet near enough that Adam (about lr per step) lifts it within the run.
     */
    public static MultiLayerNetwork initFrom(MultiLayerNetwork parent, Vocabulary parentVocab, ModelSpec spec,
                                             Vocabulary vocab, Hyperparameters config) {
        MultiLayerNetwork net = build(spec, config);
        int[] to = new int[parentVocab.size()];
        for (int p = 0; p < to.length; p++) {
            to[p] = vocab.id(parentVocab.codePoint(p));
            if (to[p] < 0) {
                throw new IllegalArgumentException("the vocabulary lacks the parent's " + parentVocab.decode(p));
            }
        }
        int out = spec.layers();
        for (int l = 0; l <= out; l++) {
            for (Map.Entry<String, INDArray> e : parent.getLayer(l).paramTable().entrySet()) {
                INDArray from = e.getValue();
                INDArray into = net.getLayer(l).getParam(e.getKey());
                boolean w = e.getKey().equals("W");
                if (l == 0 && w) { // [vocabulary, gates]: one row per input symbol
                    for (int p = 0; p < to.length; p++) {
                        into.getRow(to[p]).assign(from.getRow(p));
                    }
                } else if (l == out && w) { // [hidden, vocabulary]: one column per output symbol
                    for (int p = 0; p < to.length; p++) {
                        into.getColumn(to[p]).assign(from.getColumn(p));
                    }
                } else if (l == out && e.getKey().equals("b")) {
                    into.assign(from.minNumber());
                    for (int p = 0; p < to.length; p++) {
                        into.putScalar(to[p], from.getDouble(p));
                    }
                } else {
                    into.assign(from);
                }
            }
        }
        return net;
    }
}
