package charrnn.cli;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/** The terminal's progress bar shows the budget's progress: seconds under a time budget, steps under a step budget. */
class TrainingConsoleTest {
    private final ByteArrayOutputStream bar = new ByteArrayOutputStream();
    private final TrainingConsole console = new TrainingConsole(new PrintWriter(new StringWriter()), true, false,
            new ConsoleProgressBarConsumer(new PrintStream(bar, true, StandardCharsets.UTF_8), 200));

    /** The last drawing of the bar, after it is closed. */
    private String lastDrawing() {
        console.close();
        String[] drawings = bar.toString(StandardCharsets.UTF_8).split("\r");
        return drawings[drawings.length - 1];
    }

    /** The defect: a 10-minute budget read "train ? % [ = ] 110/? (0:00:24 / ?)" for the whole run. */
    @Test
    void aTimeBudgetShowsTheTimeTrainedAgainstTheBudget() {
        console.onStart(0, 0, 0, 600);
        console.onStep(110, 1, 2.5, 1000, 300.2);
        String line = lastDrawing();
        assertTrue(line.startsWith("train  50% ["), line);
        assertTrue(line.contains("] 300/600s ("), line);
        assertTrue(line.contains(" / 0:05:00) step 110 ep 1 loss 2.500 val - 1,000 ch/s"), line);
        assertFalse(line.contains("?"), line);
    }

    /** A resumed time budget counts from the time trained before, to the end of the plan. */
    @Test
    void aResumedTimeBudgetCountsFromTheTimeTrainedBefore() {
        console.onStart(50, 0, 240, 840);
        console.onStep(51, 0, 2.5, 1000, 630);
        assertTrue(lastDrawing().contains("] 630/840s ("), bar.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aStepBudgetShowsTheSteps() {
        console.onStart(0, 200, 0, 0);
        console.onStep(100, 2, 1.25, 500, 30);
        String line = lastDrawing();
        assertTrue(line.startsWith("train  50% ["), line);
        assertTrue(line.contains("] 100/200 ("), line);
        assertTrue(line.contains(") ep 2 loss 1.250 val - 500 ch/s"), line);
    }
}
