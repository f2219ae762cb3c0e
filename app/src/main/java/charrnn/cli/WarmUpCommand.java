package charrnn.cli;

import charrnn.AtomicFiles;
import charrnn.ExitCodes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code rnn warm-up} (hidden): runs prepare, train, sample, eval and info on a tiny generated
 * corpus in a temporary directory, which it deletes. The launcher runs it once per build under
 * {@code -XX:DumpLoadedClassList}, so that the classes every command loads go into a class-data
 * archive and later runs start faster.
 */
@Command(name = "warm-up", hidden = true,
        description = "Runs every command once on a tiny generated corpus (the launcher records a class-data archive).")
final class WarmUpCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("rnn-warm-up-");
        try {
            Path text = dir.resolve("text.txt");
            StringBuilder sb = new StringBuilder();
            String[] lines = {"The quick brown fox jumps over the lazy dog.", "Crème brûlée, naïve Zoë; « déjà vu »!",
                    "吾輩は猫である。名前はまだ無い。", "Emoji 😀 and numbers 0123456789 (tab\there)."};
            for (int i = 0; i < 400; i++) {
                sb.append(lines[i % lines.length]).append(i % 7 == 0 ? "\r\n" : "\n");
            }
            Files.writeString(text, sb.toString(), StandardCharsets.UTF_8);
            String prepared = dir.resolve("prepared").toString();
            String model = dir.resolve("model").toString();
            List<String[]> runs = List.of(
                    new String[]{"prepare", text.toString(), "-o", prepared, "-q"},
                    new String[]{"train", prepared, "--model", model, "--layers", "2", "--hidden", "16",
                            "--seq-length", "20", "--batch", "4", "--max-steps", "4", "--eval-every", "2",
                            "--sample-every", "2", "--checkpoint-every", "2"},
                    new String[]{"sample", "--model", model, "--seed", "The", "--length", "50", "--random-seed", "1"},
                    new String[]{"sample", "--model", model, "--length", "20", "--num-samples", "8", "--json",
                            "--random-seed", "1", "--top-k", "5"},
                    new String[]{"eval", "--model", model, text.toString(), "--json"},
                    new String[]{"info", "--model", model});
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            for (String[] args : runs) {
                int code = Main.run(args, out, err);
                if (code != ExitCodes.OK) {
                    err.println("rnn: warm-up: 'rnn " + String.join(" ", args) + "' exited with " + code);
                    return code;
                }
            }
            return ExitCodes.OK;
        } finally {
            AtomicFiles.deleteTree(dir);
        }
    }
}
