package charrnn.cli;

import charrnn.RnnException;
import charrnn.corpus.Preparer;
import charrnn.model.Checkpoint;
import charrnn.model.ModelSpec;
import charrnn.sample.Sampler;
import charrnn.serve.Server;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "serve", sortOptions = false,
        description = {"Serve a model over HTTP: OpenAI's completions API (POST /v1/completions, streamed or whole),"
                + " GET /v1/models, /health, /metrics, torch-rnn-server's /generate, and a page to write with the"
                + " model at / for browsers.",
                "Prints the URL on stdout when the model is loaded; Ctrl-C or SIGTERM stops taking requests, lets"
                        + " those under way finish and exits 0."})
public final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    Verbosity verbosity;
    @Mixin
    ModelOption model;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
            description = "Address to listen at; 0.0.0.0 for every interface (default: ${DEFAULT-VALUE}, this machine only).")
    String host;
    @Option(names = "--port", defaultValue = "8080", paramLabel = "PORT", description = "0 = any free port (default: ${DEFAULT-VALUE}).")
    int port;
    @Option(names = "--parallel", defaultValue = "16", paramLabel = "N",
            description = "Generations computed together, one batch row each; a new one joins at the next step (default: ${DEFAULT-VALUE}).")
    int parallel;
    @Option(names = "--max-queue", defaultValue = "256", paramLabel = "Q",
            description = "Generations that may wait for a row; beyond, requests get 503 with Retry-After (default: ${DEFAULT-VALUE}).")
    int maxQueue;
    @Option(names = "--max-tokens-cap", defaultValue = "4096", paramLabel = "C",
            description = "The largest max_tokens (characters) a request may ask for (default: ${DEFAULT-VALUE}).")
    int maxTokensCap;
    @Option(names = "--request-timeout", defaultValue = "10m", converter = Durations.class, paramLabel = "DURATION",
            description = "A request still running after this ends with an error and frees its rows (default: ${DEFAULT-VALUE}).")
    double requestTimeout;
    @Option(names = "--api-key", paramLabel = "KEY",
            description = "Requests to /v1/ need the header 'Authorization: Bearer KEY' (default: the variable RNN_API_KEY, else none).")
    String apiKey;

    /** How long running requests may take to finish once a stop is asked for. */
    static final int GRACE_SECONDS = 30;

    @Override
    public Integer call() throws Exception {
        check(parallel >= 1 && parallel <= 1024, "--parallel must be between 1 and 1024, got " + parallel);
        check(maxQueue >= 0, "--max-queue must be >= 0, got " + maxQueue);
        check(maxTokensCap >= 1, "--max-tokens-cap must be >= 1, got " + maxTokensCap);
        check(port >= 0 && port <= 65535, "--port must be between 0 and 65535, got " + port);
        check(requestTimeout > 0, "--request-timeout must be more than 0");
        String key = apiKey != null ? apiKey : System.getenv("RNN_API_KEY");
        PrintWriter err = spec.commandLine().getErr();
        Server server;
        try {
            server = Server.start(new Server.Options(host, port, parallel, maxQueue, maxTokensCap, requestTimeout,
                    key == null || key.isEmpty() ? null : key));
        } catch (BindException e) {
            throw RnnException.usage("cannot listen at " + host + ":" + port + " (" + e.getMessage()
                    + "): another process has the port, or the address is not this machine's; choose another --port or --host");
        } catch (IOException e) {
            throw RnnException.usage("cannot listen at " + host + ":" + port + ": " + e.getMessage());
        }
        CountDownLatch stop = new CountDownLatch(1);
        Signals.onInterrupt(stop::countDown);
        try {
            Checkpoint.Loaded loaded = model.load(verbosity);
            Sampler sampler = new Sampler(loaded.net(), loaded.vocabulary());
            if (!sampler.fast()) {
                throw RnnException.badModel(loaded.file() + ": its layers are not rnn's cells; rnn serve cannot run it");
            }
            String id = name(loaded);
            server.serve(id, sampler, loaded.vocabulary(), "rnn-" + Preparer.sha256(loaded.file()).substring(0, 12)
                    + "-s1");
            PrintWriter out = spec.commandLine().getOut();
            out.println(server.url());
            out.flush();
            ModelSpec s = loaded.info().spec();
            verbosity.info(err, "rnn: serving " + id + " (" + s.cell() + " " + s.layers() + " x " + s.hidden() + ", "
                    + loaded.file() + ") at " + server.url() + "/v1 with " + parallel + " rows; Ctrl-C stops");
            stop.await();
            verbosity.info(err, "rnn: stopping: no new requests; those under way finish (up to " + GRACE_SECONDS + " s)");
        } finally {
            server.close(GRACE_SECONDS);
        }
        return 0;
    }

    /** The model's name in requests: its directory's name (a checkpoint file's directory). */
    private static String name(Checkpoint.Loaded loaded) {
        var dir = loaded.file().toAbsolutePath().getParent();
        return dir == null || dir.getFileName() == null ? loaded.file().getFileName().toString()
                : dir.getFileName().toString();
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw RnnException.usage(message);
        }
    }
}
