package charrnn.model;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * The configuration of a GRU layer (DL4J 1.0.0-M2.1 has none), the formulation of cuDNN and
 * PyTorch's {@code nn.GRU}: the reset gate applies after the recurrent product, so one product
 * {@code h RW} per step serves all three gates.
 * <pre>
 *   r  = sigmoid(x W_r + h RW_r + b_r)
 *   z  = sigmoid(x W_z + h RW_z + b_z)
 *   n  = tanh(x W_n + b_n + r * (h RW_n + b_hn))
 *   h' = (1 - z) * n + z * h
 * </pre>
 * Parameters (see {@link GruParamInitializer}): W [nIn, 3H] and RW [H, 3H] with gate columns
 * [r | z | n], b [b_r | b_z | b_n | b_hn]. It has no fields of its own: DL4J's JSON names the
 * class, so a checkpoint restores wherever this class is on the classpath.
 */
public class Gru extends BaseRecurrentLayer {
    protected Gru(Builder builder) {
        super(builder);
    }

    /** For DL4J's JSON. */
    public Gru() {
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> listeners, int layerIndex,
                                                       INDArray paramsView, boolean initializeParams,
                                                       DataType networkDataType) {
        LayerValidation.assertNInNOutSet("Gru", getLayerName(), layerIndex, getNIn(), getNOut());
        GruLayer layer = new GruLayer(conf, networkDataType);
        layer.setListeners(listeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(paramsView);
        layer.setParamTable(initializer().init(conf, paramsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }

    @Override
    public ParamInitializer initializer() {
        return GruParamInitializer.getInstance();
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        long params = initializer().numParams(this);
        // per example and step: the output and, for the backward pass, r, z, n and h RW_n + b_hn
        long perExample = 5 * getNOut();
        return new LayerMemoryReport.Builder(layerName, Gru.class, inputType, getOutputType(-1, inputType))
                .standardMemory(params, 0)
                .workingMemory(0, 0, perExample, perExample)
                .cacheMemory(0, 0)
                .build();
    }

    /** Like DL4J's {@code LSTM.Builder}: nIn, nOut, dropOut, weight initialisation from the base builders. */
    public static class Builder extends BaseRecurrentLayer.Builder<Builder> {
        @Override
        @SuppressWarnings("unchecked")
        public Gru build() {
            return new Gru(this);
        }
    }
}
