package charrnn.cli;

import charrnn.TestFiles;
import charrnn.corpus.Json;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Checkpoints written by an earlier rnn keep loading and computing what they computed: each file in
 * {@code checkpoints/} is a 2 x 16 model trained 150 steps on {@code fixture.txt} by the code of
 * commit 3d0037c ({@code rnn train fixture.txt --cell C --layers 2 --hidden 16 --batch 8 --seq-length 32
 * --max-steps 150 --lr 0.02 --dropout 0 --val-fraction 0.2}), its GRU's configuration naming
 * {@code charrnn.model.Gru}. The expected losses and texts are what that code printed.
 */
class CheckpointFixtureTest {
    @TempDir
    static Path dir;

    private static Path resource(String name) throws Exception {
        return TestFiles.fixture(name, dir.resolve(name));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "gru  | 1.259681821519173  | 'The quick brotr theer loltoll theeheehein ans thechichinentothea'"
                    + " | 'The quiiichicuiiiick. Aadol rolsads theer loiv thh lil.d lodarr '",
            "lstm | 2.1680423365313803 | 'The th th th th th th th th th th th th th th th th th th th th '"
                    + " | 'The toiuol s wneon. th teen ores lr qharoAdokufikeeomeriakr grob'",
            "rnn  | 0.8209947322409887 | 'The letter the tomus ann learns whiche, and learns whiche, and l'"
                    + " | 'The mps nn thisajy in ms in ther nr tomos lrox jugps anr ll ll i'"})
    void aCheckpointOfAnEarlierVersionScoresAndSamplesAsItDid(String cell, double nats, String argmax, String drawn)
            throws Exception {
        String model = resource(cell + ".zip").toString();
        String text = resource("fixture.txt").toString();

        CliRunner eval = CliRunner.run("eval", "--model", model, text, "--json", "-q");
        assertEquals(0, eval.code(), eval.err());
        JsonNode result = Json.MAPPER.readTree(eval.out());
        assertEquals(nats, result.get("nats").asDouble(), 1e-6);
        assertEquals(1337, result.get("characters").asInt());

        CliRunner greedy = CliRunner.run("sample", "--model", model, "--argmax", "-n", "60", "-s", "The ", "-q");
        assertEquals(0, greedy.code(), greedy.err());
        assertEquals(argmax + "\n", greedy.out());

        CliRunner random = CliRunner.run("sample", "--model", model, "--random-seed", "7", "-n", "60", "-s", "The ",
                "-q");
        assertEquals(0, random.code(), random.err());
        assertEquals(drawn + "\n", random.out());

        CliRunner info = CliRunner.run("info", "--model", model, "--json");
        assertEquals(0, info.code(), info.err());
        assertEquals(cell, Json.MAPPER.readTree(info.out()).at("/spec/cell").asText());
    }
}
