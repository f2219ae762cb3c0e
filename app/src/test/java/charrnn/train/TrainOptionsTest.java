package charrnn.train;

import charrnn.ExitCodes;
import charrnn.RnnException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class TrainOptionsTest {
    @Test
    void engineAutoIsFastOnTheCpuAndDl4jOnAGpuAndFastIsRefusedOnAGpu() {
        assertEquals(TrainOptions.Engine.fast, TrainOptions.Engine.auto.resolve("cpu"));
        assertEquals(TrainOptions.Engine.dl4j, TrainOptions.Engine.auto.resolve("cuda"));
        assertEquals(TrainOptions.Engine.dl4j, TrainOptions.Engine.dl4j.resolve("cpu"));
        assertEquals(TrainOptions.Engine.fast, TrainOptions.Engine.fast.resolve("cpu"));
        RnnException e = assertThrows(RnnException.class, () -> TrainOptions.Engine.fast.resolve("cuda"));
        assertEquals(ExitCodes.USAGE, e.exitCode());
        assertTrue(e.getMessage().contains("--engine dl4j"), e.getMessage());
    }
}
