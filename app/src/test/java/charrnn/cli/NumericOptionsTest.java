package charrnn.cli;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** Every number option of every command: NaN, infinity and garbage are one usage line naming the option, exit 2. */
class NumericOptionsTest {
    private static final Set<Class<?>> NUMBERS = Set.of(int.class, Integer.class, long.class, Long.class, double.class,
            Double.class);

    @TestFactory
    List<DynamicTest> nonFiniteAndGarbageValuesAreUsageErrors() {
        List<DynamicTest> tests = new ArrayList<>();
        for (CommandLine sub : Main.commandLine().getSubcommands().values()) {
            for (OptionSpec o : sub.getCommandSpec().options()) {
                if (!NUMBERS.contains(o.type())) {
                    continue;
                }
                for (String value : new String[]{"NaN", "Infinity", "-Infinity", "1e999", "12abc"}) {
                    String name = sub.getCommandName() + " " + o.longestName() + " " + value;
                    tests.add(DynamicTest.dynamicTest(name, () -> {
                        CliRunner r = CliRunner.run(sub.getCommandName(), o.longestName(), value);
                        assertEquals(2, r.code(), name + ": " + r.err());
                        String line = r.oneErrorLine();
                        assertTrue(line.startsWith("rnn: Invalid value for option '" + o.longestName() + "': '" + value
                                + "' is not "), line);
                    }));
                }
            }
        }
        assertTrue(tests.size() > 5 * 20, "the train, sample and prepare options are found: " + tests.size());
        return tests;
    }
}
