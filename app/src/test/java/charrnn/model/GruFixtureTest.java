package charrnn.model;

import charrnn.corpus.Json;
import com.fasterxml.jackson.databind.JsonNode;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

import java.io.InputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The DL4J GRU layer against PyTorch's {@code nn.GRU} on the same weights and inputs: each layer's
 * outputs, and the gradient of sum(top outputs * a fixed tensor) with respect to every weight and
 * the input. The reference is {@code gru/gru_fixture.json}, written once by {@code gru/make_fixture.py}.
 */
class GruFixtureTest {
    private static JsonNode fixture() throws Exception {
        try (InputStream in = GruFixtureTest.class.getResourceAsStream("/gru/gru_fixture.json")) {
            return Json.MAPPER.readTree(in);
        }
    }

    /** A [batch][step][feature] array as DL4J's [batch, feature, step]. */
    private static INDArray sequence(JsonNode a, DataType type) {
        int b = a.size(), t = a.get(0).size(), f = a.get(0).get(0).size();
        INDArray out = Nd4j.create(type, new long[]{b, f, t}, 'f');
        for (int i = 0; i < b; i++) {
            for (int s = 0; s < t; s++) {
                for (int k = 0; k < f; k++) {
                    out.putScalar(new long[]{i, k, s}, a.get(i).get(s).get(k).asDouble());
                }
            }
        }
        return out;
    }

    private static INDArray matrix(JsonNode a) {
        double[][] m = new double[a.size()][a.get(0).size()];
        for (int i = 0; i < m.length; i++) {
            for (int j = 0; j < m[i].length; j++) {
                m[i][j] = a.get(i).get(j).asDouble();
            }
        }
        return Nd4j.create(m);
    }

    private static INDArray vector(JsonNode a) {
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).asDouble();
        }
        return Nd4j.create(v);
    }

    /** PyTorch's biases as rnn's b = [b_ir + b_hr | b_iz + b_hz | b_in | b_hn]. */
    private static INDArray bias(INDArray ih, INDArray hh, int h) {
        INDArray b = Nd4j.zeros(DataType.DOUBLE, 4 * h);
        for (int j = 0; j < 3 * h; j++) {
            b.putScalar(j, ih.getDouble(j) + (j < 2 * h ? hh.getDouble(j) : 0));
        }
        for (int j = 0; j < h; j++) {
            b.putScalar(3 * h + j, hh.getDouble(2 * h + j));
        }
        return b;
    }

    @ParameterizedTest
    @CsvSource({"DOUBLE, 1e-10", "FLOAT, 1e-5"})
    void outputsAndGradientsEqualPyTorchsGru(DataType type, double tolerance) throws Exception {
        JsonNode f = fixture();
        JsonNode layers = f.get("layers");
        int h = layers.get(0).get("weight_hh").get(0).size();
        int nIn = layers.get(0).get("weight_ih").get(0).size();
        var list = new NeuralNetConfiguration.Builder().dataType(type).updater(new NoOp()).list();
        for (int l = 0; l < layers.size(); l++) {
            list.layer(new Gru.Builder().nIn(l == 0 ? nIn : h).nOut(h).build());
        }
        MultiLayerNetwork net = new MultiLayerNetwork(list.build());
        net.init();
        net.initGradientsView();
        for (int l = 0; l < layers.size(); l++) {
            JsonNode p = layers.get(l);
            Layer layer = net.getLayer(l);
            // PyTorch's weight_ih is [3H, nIn] with row blocks r, z, n: rnn's W is its transpose
            layer.getParam("W").assign(matrix(p.get("weight_ih")).transpose());
            layer.getParam("RW").assign(matrix(p.get("weight_hh")).transpose());
            layer.getParam("b").assign(bias(vector(p.get("bias_ih")), vector(p.get("bias_hh")), h)
                    .reshape(layer.getParam("b").shape()));
        }
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        INDArray below = sequence(f.get("input"), type);
        for (int l = 0; l < layers.size(); l++) {
            below = net.getLayer(l).activate(below, true, mgr);
            assertClose(sequence(f.get("outputs").get(l), type), below, tolerance, "outputs of layer " + l);
        }
        INDArray eps = sequence(f.get("loss_weight"), type);
        for (int l = layers.size() - 1; l >= 0; l--) {
            Pair<Gradient, INDArray> g = net.getLayer(l).backpropGradient(eps, mgr);
            JsonNode p = layers.get(l);
            var grads = g.getFirst().gradientForVariable();
            assertClose(matrix(p.get("grad_weight_ih")).transpose(), grads.get("W"), tolerance, "dW of layer " + l);
            assertClose(matrix(p.get("grad_weight_hh")).transpose(), grads.get("RW"), tolerance, "dRW of layer " + l);
            INDArray db = bias(vector(p.get("grad_bias_ih")), Nd4j.zeros(DataType.DOUBLE, 3 * h), h);
            db.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(3 * h, 4 * h))
                    .assign(vector(p.get("grad_bias_hh")).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(2 * h, 3 * h)));
            assertClose(db, grads.get("b").reshape(4 * h), tolerance, "db of layer " + l);
            // b_r and b_z stand for both PyTorch biases of the gate, which have the same gradient
            assertClose(vector(p.get("grad_bias_ih")).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2 * h)),
                    vector(p.get("grad_bias_hh")).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2 * h)),
                    1e-12, "PyTorch's own r and z bias gradients");
            eps = g.getSecond();
        }
        assertClose(sequence(f.get("grad_input"), type), eps, tolerance, "the gradient of the input");
    }

    private static void assertClose(INDArray expected, INDArray actual, double tolerance, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        double diff = expected.castTo(DataType.DOUBLE).sub(actual.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        assertTrue(diff < tolerance, what + ": max abs difference " + diff);
    }
}
