package charrnn.cli;

import charrnn.corpus.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;

/**
 * {@code --json} on the command's stdout, from a record or a tree: one compact object per line, or
 * (prepare's manifest) the object exactly as its file holds it.
 */
final class JsonOutput {
    private JsonOutput() {
    }

    static void print(CommandSpec spec, Object value) throws JsonProcessingException {
        write(spec, Json.COMPACT.writeValueAsString(value));
    }

    static void printAsWritten(CommandSpec spec, Object value) throws JsonProcessingException {
        write(spec, Json.MAPPER.writeValueAsString(value));
    }

    private static void write(CommandSpec spec, String json) {
        PrintWriter out = spec.commandLine().getOut();
        out.println(json);
        out.flush();
    }
}
