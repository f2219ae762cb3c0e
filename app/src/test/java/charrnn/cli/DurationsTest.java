package charrnn.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.*;

class DurationsTest {
    private final Durations d = new Durations();

    @Test
    void parsesSecondsMinutesHoursAndTheirSums() {
        assertEquals(90.0, d.convert("90"));
        assertEquals(90.0, d.convert("90s"));
        assertEquals(600.0, d.convert("10m"));
        assertEquals(5400.0, d.convert("1h30m"));
        assertEquals(5400.0, d.convert("1.5h"));
        assertEquals(3723.0, d.convert(" 1H2M3S "));
        assertEquals(0.0, d.convert("0"));
    }

    @Test
    void refusesWhatIsNotADuration() {
        for (String bad : new String[]{"", "ten minutes", "10x", "5 m", "-3s", "1h30", "m"}) {
            var e = assertThrows(CommandLine.TypeConversionException.class, () -> d.convert(bad), bad);
            assertTrue(bad.isEmpty() || e.getMessage().contains("use e.g. 90s, 10m, 1h30m"), e.getMessage());
        }
    }

    @Test
    void formatsForPeople() {
        assertEquals("59s", Durations.format(59.4));
        assertEquals("1m00s", Durations.format(59.6));
        assertEquals("10m05s", Durations.format(605));
        assertEquals("1h02m03s", Durations.format(3723));
        assertEquals("?", Durations.format(Double.NaN));
    }
}
