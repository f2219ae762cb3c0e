package charrnn.engine;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Turns the gradient sums of a batch into a parameter update, as DL4J's {@code fit} does: divide
 * by the number of windows, clip each element to [-clip, clip] and (when asked) the whole vector to
 * an L2 norm (PyTorch's {@code clip_grad_norm_}, over every parameter at once), then the network's own updater
 * (Adam or RMSProp, whose state stays in the network, so checkpoints carry it) and
 * {@code params -= update}. Every engine's step ends here.
 */
public final class ParameterUpdate {
    private final MultiLayerNetwork net;
    private final double clip;
    private final double clipNorm;
    private double lr = Double.NaN;

    public ParameterUpdate(MultiLayerNetwork net, double clip) {
        this(net, clip, 0);
    }

    public ParameterUpdate(MultiLayerNetwork net, double clip, double clipNorm) {
        this.net = net;
        this.clip = clip;
        this.clipNorm = clipNorm;
    }

    /** Applies {@code gradientSums} (overwritten) of {@code windows} windows at learning rate {@code lr}. */
    public void apply(INDArray gradientSums, long windows, double lr) {
        if (lr != this.lr) {
            net.setLearningRate(lr);
            this.lr = lr;
        }
        INDArray g = gradientSums.reshape(gradientSums.length());
        g.divi(windows);
        if (clip > 0) {
            Transforms.max(g, -clip, false);
            Transforms.min(g, clip, false);
        }
        if (clipNorm > 0) {
            double norm = g.norm2Number().doubleValue();
            if (norm > clipNorm) {
                g.muli(clipNorm / norm);
            }
        }
        var conf = net.getLayerWiseConfigurations();
        int iteration = conf.getIterationCount();
        for (UpdaterBlock block : ((BaseMultiLayerUpdater<?>) net.getUpdater()).getUpdaterBlocks()) {
            block.getGradientUpdater().applyUpdater(g.get(NDArrayIndex.interval(block.getParamOffsetStart(),
                    block.getParamOffsetEnd())), iteration, conf.getEpochCount());
        }
        net.params().reshape(g.length()).subi(g);
        conf.setIterationCount(iteration + 1);
    }
}
