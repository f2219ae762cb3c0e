package charrnn.model;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.deeplearning4j.nn.weights.WeightInitUtil;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parameters of a {@link Gru} layer as views of its flat parameter vector, in this order:
 * W [nIn, 3H], RW [H, 3H] (each reshaped in 'f' order, as DL4J's LSTMParamInitializer does) and
 * b [4H]. W and RW come from the layer's weight initialisation (RW from the recurrent one if set),
 * b starts at zero. The fast engine reads these views in this layout.
 */
public final class GruParamInitializer implements ParamInitializer {
    public static final String INPUT_WEIGHT_KEY = "W";
    public static final String RECURRENT_WEIGHT_KEY = "RW";
    public static final String BIAS_KEY = "b";
    private static final List<String> KEYS = List.of(INPUT_WEIGHT_KEY, RECURRENT_WEIGHT_KEY, BIAS_KEY);
    private static final GruParamInitializer INSTANCE = new GruParamInitializer();

    private GruParamInitializer() {
    }

    public static GruParamInitializer getInstance() {
        return INSTANCE;
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        Gru g = (Gru) layer;
        long h = g.getNOut();
        return g.getNIn() * 3 * h + h * 3 * h + 4 * h;
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        return KEYS;
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return KEYS.subList(0, 2);
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return KEYS.subList(2, 3);
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return INPUT_WEIGHT_KEY.equals(key) || RECURRENT_WEIGHT_KEY.equals(key);
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return BIAS_KEY.equals(key);
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        Gru g = (Gru) conf.getLayer();
        long h = g.getNOut();
        long nIn = g.getNIn();
        conf.addVariable(INPUT_WEIGHT_KEY);
        conf.addVariable(RECURRENT_WEIGHT_KEY);
        conf.addVariable(BIAS_KEY);
        INDArray[] v = views(conf, paramsView);
        long[] wShape = {nIn, 3 * h};
        long[] rwShape = {h, 3 * h};
        Map<String, INDArray> params = Collections.synchronizedMap(new LinkedHashMap<>());
        if (initializeParams) {
            IWeightInit wInit = g.getWeightInitFn();
            IWeightInit rwInit = g.getWeightInitFnRecurrent() != null ? g.getWeightInitFnRecurrent() : wInit;
            // fan-in and fan-out as DL4J's LSTM computes them (they matter only for scaled initialisations)
            params.put(INPUT_WEIGHT_KEY, wInit.init(h, nIn + h, wShape, IWeightInit.DEFAULT_WEIGHT_INIT_ORDER, v[0]));
            params.put(RECURRENT_WEIGHT_KEY, rwInit.init(h, nIn + h, rwShape, IWeightInit.DEFAULT_WEIGHT_INIT_ORDER,
                    v[1]));
            v[2].assign(0);
        } else {
            params.put(INPUT_WEIGHT_KEY, WeightInitUtil.reshapeWeights(wShape, v[0]));
            params.put(RECURRENT_WEIGHT_KEY, WeightInitUtil.reshapeWeights(rwShape, v[1]));
        }
        params.put(BIAS_KEY, v[2]);
        return params;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        Gru g = (Gru) conf.getLayer();
        long h = g.getNOut();
        INDArray[] v = views(conf, gradientView);
        Map<String, INDArray> out = new LinkedHashMap<>();
        out.put(INPUT_WEIGHT_KEY, v[0].reshape('f', g.getNIn(), 3 * h));
        out.put(RECURRENT_WEIGHT_KEY, v[1].reshape('f', h, 3 * h));
        out.put(BIAS_KEY, v[2]);
        return out;
    }

    /** The W, RW and b segments of a layer's flat vector, unshaped. */
    private INDArray[] views(NeuralNetConfiguration conf, INDArray flat) {
        long length = numParams(conf);
        if (flat.length() != length) {
            throw new IllegalStateException("expected a parameter view of length " + length + ", got " + flat.length());
        }
        Gru g = (Gru) conf.getLayer();
        long h = g.getNOut();
        long w = g.getNIn() * 3 * h;
        long rw = h * 3 * h;
        INDArray v = flat.reshape(flat.length());
        return new INDArray[]{
                v.get(NDArrayIndex.interval(0, w)),
                v.get(NDArrayIndex.interval(w, w + rw)),
                v.get(NDArrayIndex.interval(w + rw, length))};
    }
}
