package charrnn.cli;

import charrnn.corpus.Json;
import charrnn.sample.SamplerModelFixture;
import charrnn.sample.Strategy;
import charrnn.train.RunOptions;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class BackendTest {
    @TempDir
    Path tmp;

    @Test
    void envReportsTheCpuBackendAndTheRealThreadVariables() throws Exception {
        CliRunner r = CliRunner.run("env", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode o = Json.MAPPER.readTree(r.out());
        assertEquals("cpu", o.get("backend").asText());
        assertEquals(Nd4j.getBackend().getClass().getName(), o.get("nd4jBackendClass").asText());
        assertEquals(Runtime.getRuntime().availableProcessors(), o.get("cpuCores").asInt());
        for (String v : new String[]{"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "RNN_JAVA_OPTS"}) {
            String set = System.getenv(v);
            assertEquals(set == null ? "(unset)" : set, o.get("environment").get(v).asText(), v);
        }
    }

    /**
     * What a GPU run writes (the backend field "cuda", trained by DL4J's own step, as --engine auto
     * picks there) loads on the CPU build and samples there, on the fast path, the text DL4J's
     * rnnTimeStep path gives.
     */
    @Test
    void aCheckpointTrainedTheCudaWaySamplesOnTheCpu() throws Exception {
        Path m = SamplerModelFixture.train(tmp, "cuda", charrnn.engine.Engine.Kind.dl4j);
        CliRunner info = CliRunner.run("info", "-m", m.toString(), "--json");
        assertEquals(0, info.code(), info.err());
        assertEquals("cuda", Json.MAPPER.readTree(info.out()).get("backend").asText());
        CliRunner r = CliRunner.run("sample", "-m", m.toString(), "-s", "the ", "-n", "200", "-t", "0.8",
                "--num-samples", "2", "--random-seed", "4", "--json");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().split("\n");
        String[] expected = SamplerModelFixture.viaDl4j(m, "the ", 200, 2, Strategy.temperature(0.8), 4);
        for (int k = 0; k < 2; k++) {
            assertEquals(expected[k], Json.MAPPER.readTree(lines[k]).get("text").asText(), "sample " + k);
        }
    }

    @Test
    void cudaDevicesTheBuildHasNoMachineCodeForAreRefused() {
        for (String ok : new String[]{"3.7", "5.0", "5.2", "6.1", "7.0", "7.5", "8.0", "8.6", "8.7", "8.9"}) {
            assertTrue(Backend.supported(major(ok), minor(ok)), ok);
        }
        for (String no : new String[]{"3.0", "3.5", "9.0", "10.0", "12.0"}) {
            assertFalse(Backend.supported(major(no), minor(no)), no);
        }
        assertNull(Backend.unsupportedDevice(List.of(device("NVIDIA GeForce RTX 4090", 8, 9))));
        assertEquals("CUDA device 0 (NVIDIA H100 80GB HBM3, compute capability 9.0) cannot run ND4J's CUDA 11.6 kernels,"
                        + " built for 3.7 to 8.x; run the CPU build (RNN_BACKEND=cpu)",
                Backend.unsupportedDevice(List.of(device("NVIDIA H100 80GB HBM3", 9, 0))));
        assertEquals("CUDA device 1 (Tesla K20m, compute capability 3.5) cannot run ND4J's CUDA 11.6 kernels, built for"
                        + " 3.7 to 8.x; hide it with CUDA_VISIBLE_DEVICES or run the CPU build (RNN_BACKEND=cpu)",
                Backend.unsupportedDevice(List.of(device("NVIDIA A100-SXM4-40GB", 8, 0), device("Tesla K20m", 3, 5))));
    }

    /** A device as ND4J's CUDA executioner lists it in its environment information. */
    private static Map<String, Object> device(String name, long major, long minor) {
        return Map.of("cuda.deviceName", name, "cuda.deviceMajor", major, "cuda.deviceMinor", minor);
    }

    private static int major(String cc) {
        return Integer.parseInt(cc.substring(0, cc.indexOf('.')));
    }

    private static int minor(String cc) {
        return Integer.parseInt(cc.substring(cc.indexOf('.') + 1));
    }
}
