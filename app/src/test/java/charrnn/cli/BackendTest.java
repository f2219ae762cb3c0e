package charrnn.cli;

import charrnn.corpus.Json;
import charrnn.model.Checkpoint;
import charrnn.model.CheckpointInfo;
import charrnn.sample.SamplerModelFixture;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class BackendTest {
    @TempDir
    Path tmp;

    @Test
    void envReportsTheCpuBackend() throws Exception {
        CliRunner r = CliRunner.run("env", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode o = Json.MAPPER.readTree(r.out());
        assertEquals("cpu", o.get("backend").asText());
        assertTrue(o.has("environment"));
        assertTrue(o.get("environment").has("OMP_NUM_THREADS"));
    }

    /** A checkpoint written on a GPU differs only in its provenance: the CPU build loads and samples it. */
    @Test
    void aCheckpointFromTheCudaBackendSamplesOnTheCpu() throws Exception {
        Path m = SamplerModelFixture.train(tmp);
        var l = Checkpoint.load(m.resolve("last.zip"), true);
        CheckpointInfo i = l.info();
        var fromGpu = new CheckpointInfo(i.format(), i.formatVersion(), i.spec(), i.config(), i.state(), i.corpus(),
                "cuda", i.dl4jVersion(), i.created());
        Path gpu = tmp.resolve("gpu.zip");
        Checkpoint.save(gpu, l.net(), l.vocabulary(), fromGpu);
        CliRunner r = CliRunner.run("sample", "-m", gpu.toString(), "--argmax", "-n", "20", "-s", "the");
        assertEquals(0, r.code(), r.err());
        CliRunner cpu = CliRunner.run("sample", "-m", m.resolve("last.zip").toString(), "--argmax", "-n", "20", "-s", "the");
        assertEquals(cpu.out(), r.out());
        assertTrue(CliRunner.run("info", "-m", gpu.toString()).out().contains("backend       cuda"));
    }
}
