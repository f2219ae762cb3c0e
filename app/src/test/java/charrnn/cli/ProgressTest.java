package charrnn.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.*;

class ProgressTest {
    private final StringWriter text = new StringWriter();

    private Progress progress(boolean tty, boolean quiet, double delay) {
        return new Progress(new PrintWriter(text, true), "prepare x", tty, quiet, delay);
    }

    /** The defect: on a terminal the line stayed after the pass (an on-the-fly prepare never called done). */
    @Test
    void onATerminalTheLineRedrawsInPlaceAndIsClearedWhenThePassEnds() {
        Progress p = progress(true, false, 0);
        p.update(50 << 20, 100 << 20);
        assertTrue(text.toString().matches("\rprepare x:  50% \\(50 of 100 MB, \\d+ MB/s\\)"), text.toString());
        p.update(100 << 20, 100 << 20);
        assertTrue(text.toString().matches("\rprepare x:  50% \\(50 of 100 MB, \\d+ MB/s\\)"
                + "\rprepare x: 100% \\(100 of 100 MB, \\d+ MB/s\\)\r\033\\[K"), text.toString());
        int length = text.toString().length();
        p.done();
        assertEquals(length, text.toString().length(), "cleared once");
    }

    @Test
    void aLineNeverShownIsNotCleared() {
        Progress p = progress(true, false, 3600);
        p.update(100, 100);
        p.done();
        assertEquals("", text.toString());
    }

    @Test
    void inABatchJobOneLinePerTenthAndNoEscapes() {
        Progress p = progress(false, false, 0);
        for (long done = 0; done <= 100; done += 5) {
            p.update(done << 20, 100 << 20);
        }
        p.done();
        String[] lines = text.toString().split("\n");
        assertEquals(11, lines.length, text.toString());
        assertTrue(lines[10].startsWith("prepare x: 100% (100 of 100 MB, "), lines[10]);
        assertFalse(text.toString().contains("\r") || text.toString().contains("\033"));
    }

    @Test
    void quietShowsNothing() {
        Progress p = progress(true, true, 0);
        p.update(50, 100);
        p.update(100, 100);
        assertEquals("", text.toString());
    }
}
