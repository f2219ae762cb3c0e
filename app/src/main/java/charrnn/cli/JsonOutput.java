package charrnn.cli;

import charrnn.corpus.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;

/** {@code --json}: one compact JSON object per line on the command's stdout, from a record or a tree. */
final class JsonOutput {
    private JsonOutput() {
    }

    static void print(CommandSpec spec, Object value) throws JsonProcessingException {
        PrintWriter out = spec.commandLine().getOut();
        out.println(Json.COMPACT.writeValueAsString(value));
        out.flush();
    }
}
