package charrnn.cli;

import charrnn.RnnException;
import charrnn.TestFiles;
import charrnn.model.ModelSpec;
import charrnn.sample.Strategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A value the settings records refuse: the records name their component and what is wrong (a caller
 * that is not the CLI, such as a server, gets no flag names); the CLI names the option that set it.
 */
class SettingErrorsTest {
    @TempDir
    static Path tmp;

    @Test
    void aRecordNamesItsComponentNotAFlag() {
        RnnException e = assertThrows(RnnException.class, () -> new Strategy(false, 0, 0, 1));
        assertEquals("temperature must be > 0, got 0.0", e.getMessage());
        assertEquals("temperature", e.setting());
        e = assertThrows(RnnException.class, () -> new Strategy(false, 1, -3, 1));
        assertEquals("topK must be >= 1 (0 = off), got -3", e.getMessage());
        e = assertThrows(RnnException.class, () -> new Strategy(false, 1, 0, 1.01));
        assertEquals("topP must be in (0, 1], got 1.01", e.getMessage());
        e = assertThrows(RnnException.class, () -> new ModelSpec("tcn", 2, 8, 0, 10));
        assertEquals("cell must be one of gru, lstm, rnn, got 'tcn'", e.getMessage());
        assertEquals(2, e.exitCode());
    }

    private static Path corpus() throws Exception {
        Path f = tmp.resolve("c.txt");
        if (!Files.exists(f)) {
            Files.writeString(f, "the cat sat on the mat. ".repeat(40));
        }
        return f;
    }

    private static Path model() throws Exception {
        return TestFiles.fixture("gru.zip", tmp.resolve("gru.zip"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "train --seq-length 0        | --seq-length must be between 1 and 100000, got 0",
            "train --batch 70000         | --batch must be between 1 and 65536, got 70000",
            "train --optimizer sgd       | --optimizer must be adam or rmsprop, got 'sgd'",
            "train --lr 2                | --lr must be in (0, 1], got 2.0",
            "train --lr-schedule linear  | --lr-schedule must be one of wsd, cosine, char-rnn, constant, got 'linear'",
            "train --min-lr 0.1          | --min-lr must be between 0 and the peak rate lr (0.003), got 0.1",
            "train --decay-fraction 2    | --decay-fraction must be in [0, 1], got 2.0",
            "train --cell tcn            | --cell must be one of gru, lstm, rnn, got 'tcn'",
            "train --layers 0            | --layers must be between 1 and 16, got 0",
            "train --hidden 9000         | --hidden must be between 1 and 8192, got 9000",
            "train --dropout 1           | --dropout must be in [0, 1), got 1.0",
            "train --eval-every 0        | --eval-every must be >= 1, got 0",
            "train --sample-every -1     | --sample-every must be >= 0 (0 = off), got -1",
            "train --keep -1             | --keep must be >= 0, got -1",
            "train --val-fraction 0.9    | --val-fraction must be in (0, 0.5], got 0.9",
            "prepare --val-fraction 0.9  | --val-fraction must be in (0, 0.5], got 0.9",
            "sample --temperature 0      | --temperature must be > 0, got 0.0",
            "sample --top-k -1           | --top-k must be >= 1 (0 = off), got -1",
            "sample --top-p 2            | --top-p must be in (0, 1], got 2.0"})
    void theCliNamesTheOptionThatSetTheValue(String args, String message) throws Exception {
        List<String> argv = new ArrayList<>(Arrays.asList(args.split(" ")));
        String command = argv.get(0);
        if (command.equals("sample")) {
            argv.addAll(List.of("--model", model().toString()));
        } else {
            argv.add(1, corpus().toString());
            argv.addAll(List.of(command.equals("train") ? "--model" : "--output", tmp.resolve("m").toString()));
        }
        CliRunner r = CliRunner.run(argv.toArray(String[]::new));
        assertEquals(2, r.code(), r.err());
        assertEquals("rnn: " + message, r.oneErrorLine());
        assertFalse(Files.exists(tmp.resolve("m")), "nothing is left on disk");
    }
}
