package charrnn.it;

import charrnn.TestFiles;
import charrnn.corpus.Json;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** `app/rnn serve` as a user runs it: the URL on stdout, curl's raw frames, SIGTERM during streams, a port taken. */
class ServeIT {
    @TempDir
    Path tmp;
    private Process server;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private Path fixture() throws Exception {
        return TestFiles.fixture("gru.zip", tmp.resolve("models/fixture/best.zip")).getParent();
    }

    /** Starts `app/rnn serve` and returns the URL it prints once the model is loaded. */
    private String serve(String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("serve", "--model", fixture().toString(), "--port", "0"));
        args.addAll(List.of(more));
        server = InterruptIT.launch(tmp, tmp.resolve("serve.log"), args.toArray(String[]::new));
        Path out = tmp.resolve("serve.log.out");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (server.isAlive() && System.nanoTime() < deadline && Files.readString(out).isEmpty()) {
            Thread.sleep(50);
        }
        String url = Files.readString(out).strip();
        assertTrue(url.matches("http://127\\.0\\.0\\.1:\\d+"), url + "\n" + Files.readString(tmp.resolve("serve.log")));
        return url;
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.destroyForcibly();
        }
    }

    private static String body(int maxTokens, boolean stream) {
        return "{\"model\":\"fixture\",\"prompt\":\"The \",\"max_tokens\":" + maxTokens + ",\"seed\":7,\"stream\":"
                + stream + "}";
    }

    @Test
    void curlSeesServerSentEventsFramedAsOpenAisEndingWithDone() throws Exception {
        String url = serve();
        Process curl = new ProcessBuilder("curl", "-sN", url + "/v1/completions", "-H",
                "Content-Type: application/json", "-d", body(60, true)).start();
        String raw = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(curl.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, curl.exitValue());
        assertTrue(raw.endsWith("\n\ndata: [DONE]\n\n"), raw);
        StringBuilder text = new StringBuilder();
        String[] frames = raw.split("\n\n");
        for (String frame : frames) {
            assertTrue(frame.startsWith("data: ") && !frame.contains("\n"), "one data line per event: " + frame);
            if (!frame.equals("data: [DONE]")) {
                text.append(Json.MAPPER.readTree(frame.substring(6)).at("/choices/0/text").asText());
            }
        }
        // CheckpointFixtureTest: rnn sample --random-seed 7 -n 60 -s 'The ' on this checkpoint
        assertEquals("quiiichicuiiiick. Aadol rolsads theer loiv thh lil.d lodarr ", text.toString());
    }

    @Test
    void sigtermDuringSixteenStreamsLetsThemFinishThenExits0() throws Exception {
        String url = serve();
        List<BufferedReader> streams = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            HttpResponse<InputStream> r = CLIENT.send(HttpRequest.newBuilder(URI.create(url + "/v1/completions"))
                    .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body(4000, true))).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, r.statusCode(), "under way");
            streams.add(new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8)));
        }
        // at once, while all 16 generate (64,000 characters: seconds): a stream whose characters all fit
        // in the socket's buffers ends without its reader, and with none under way the listener closes
        new ProcessBuilder("kill", "-TERM", Long.toString(server.pid())).start().waitFor();
        HttpResponse<String> late = null;
        for (int i = 0; i < 100 && (late == null || late.statusCode() != 503); i++) {
            late = CLIENT.send(HttpRequest.newBuilder(URI.create(url + "/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString(body(5, false))).build(), HttpResponse.BodyHandlers.ofString());
            Thread.sleep(late.statusCode() == 503 ? 0 : 20);
        }
        assertEquals(503, late.statusCode(), "a request after SIGTERM: " + late.body());
        List<String> firsts = new ArrayList<>();
        for (BufferedReader in : streams) {
            String first = in.readLine();
            assertTrue(first.startsWith("data: {"), "under way: " + first);
            firsts.add(first);
        }
        assertTrue(Json.MAPPER.readTree(late.body()).at("/error/message").asText().contains("stopping"));
        for (int i = 0; i < streams.size(); i++) {
            BufferedReader in = streams.get(i);
            StringBuilder text = new StringBuilder(Json.MAPPER.readTree(firsts.get(i).substring(6))
                    .at("/choices/0/text").asText());
            String last = null;
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("data: {")) {
                    JsonNode c = Json.MAPPER.readTree(line.substring(6)).at("/choices/0");
                    text.append(c.get("text").asText());
                    if (!c.get("finish_reason").isNull()) {
                        assertEquals("length", c.get("finish_reason").asText());
                    }
                }
                if (!line.isEmpty()) {
                    last = line;
                }
            }
            assertEquals("data: [DONE]", last);
            assertEquals(4000, text.codePointCount(0, text.length()), "the whole stream");
        }
        assertTrue(server.waitFor(60, TimeUnit.SECONDS), "the server did not exit");
        assertEquals(0, server.exitValue(), Files.readString(tmp.resolve("serve.log")));
    }

    /** {@code app/src/test/node}'s packages, installed by {@code npm ci} on first use; absent node fails under CI. */
    private static Path nodeClients(Path tmp) throws Exception {
        Path node = TestFiles.repoRoot().resolve("app/src/test/node");
        boolean present = new ProcessBuilder("sh", "-c", "command -v node && command -v npm").start().waitFor() == 0;
        if (!present) {
            assertFalse("true".equals(System.getenv("CI")), "node and npm are needed: .ci/run installs them");
            Assumptions.abort("node and npm are not installed");
        }
        if (!Files.isDirectory(node.resolve("node_modules/openai")) || !Files.isDirectory(node.resolve(
                "node_modules/playwright-core"))) {
            Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(node.toFile())
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("npm.log").toFile()).start();
            assertTrue(npm.waitFor(5, TimeUnit.MINUTES), "npm ci did not finish");
            assertEquals(0, npm.exitValue(), Files.readString(tmp.resolve("npm.log")));
        }
        return node;
    }

    /** Runs {@code node SCRIPT ARGS} in the clients' directory; returns its output. */
    private String node(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("node"));
        cmd.addAll(List.of(args));
        Path log = tmp.resolve(args[0] + ".log");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), args[0] + " did not finish");
        assertEquals(0, p.exitValue(), Files.readString(log));
        return Files.readString(log);
    }

    /**
     * The page at / in a real browser: Debian's chromium (headless; .ci/run installs it), driven by
     * playwright-core. Its screenshot is kept in {@code app/target/serve-page.png}.
     */
    @Test
    void thePageStreamsSuggestionsAsAPersonTypes() throws Exception {
        String chromium = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
        if (!Files.isExecutable(Path.of(chromium))) {
            assertFalse("true".equals(System.getenv("CI")), chromium + " is needed: .ci/run installs Debian's chromium");
            Assumptions.abort(chromium + " is not installed");
        }
        Path dir = nodeClients(tmp);
        String url = serve();
        Path shot = TestFiles.repoRoot().resolve("app/target/serve-page.png");
        Files.createDirectories(shot.getParent());
        String out = node(dir, "page.mjs", url, shot.toString());
        assertTrue(out.contains("page: model shown, typed, streamed suggestions, taken, stale aborted, temperature: ok"),
                out);
        assertTrue(Files.size(shot) > 10_000, "a screenshot of the page");
        HttpResponse<String> html = CLIENT.send(HttpRequest.newBuilder(URI.create(url + "/"))
                .header("Accept", "text/html").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("text/html; charset=utf-8", html.headers().firstValue("Content-Type").orElse(""));
        assertFalse(html.body().contains("http://") || html.body().contains("https://"), "nothing from elsewhere");
    }

    /**
     * The official {@code openai} package from the npm registry ({@code app/src/test/node}, installed
     * here by {@code npm ci} on first use), the client most programs reach an OpenAI-style server with.
     */
    @Test
    void theOfficialOpenaiClientGetsWhatRnnSampleGives() throws Exception {
        Path dir = nodeClients(tmp);
        String url = serve();
        String out = node(dir, "openai-client.mjs", url, "fixture");
        assertTrue(out.contains("openai client: models, completions whole, argmax, prompts x n, stop, stream, errors: ok"),
                out);
    }

    @Test
    void aPortInUseIsAUsageErrorOfOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Process p = InterruptIT.launch(tmp, tmp.resolve("taken.log"), "serve", "--model", fixture().toString(),
                    "--port", Integer.toString(taken.getLocalPort()));
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            String err = Files.readString(tmp.resolve("taken.log")).strip();
            assertEquals(2, p.exitValue(), err);
            assertTrue(err.lines().reduce((a, b) -> b).orElse("").matches("rnn: cannot listen at 127\\.0\\.0\\.1:\\d+ .*"
                    + "choose another --port or --host"), err);
        }
    }
}
