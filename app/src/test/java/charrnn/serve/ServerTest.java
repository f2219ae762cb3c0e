package charrnn.serve;

import charrnn.TestFiles;
import charrnn.corpus.Json;
import charrnn.model.Checkpoint;
import charrnn.sample.Sampler;
import charrnn.sample.Strategy;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
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
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The completions API against the sampler it serves, through the JDK's HTTP client: the committed
 * GRU fixture (2 x 16), whose {@code rnn sample} output CheckpointFixtureTest pins.
 */
class ServerTest {
    @TempDir
    static Path tmp;
    static Checkpoint.Loaded loaded;
    static Server server;
    static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    static Checkpoint.Loaded fixture() throws Exception {
        return Checkpoint.load(TestFiles.fixture("gru.zip", tmp.resolve("gru.zip")), false);
    }

    static Server start(int parallel, int maxQueue, int cap) throws Exception {
        Server s = Server.start(new Server.Options("127.0.0.1", 0, parallel, maxQueue, cap, 60, null));
        s.serve("fixture", new Sampler(loaded.net(), loaded.vocabulary()), loaded.vocabulary(), "rnn-test-s1");
        return s;
    }

    @BeforeAll
    static void startServer() throws Exception {
        loaded = fixture();
        server = start(4, 64, 4096);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<String> post(Server s, String path, String body, String... headers) throws Exception {
        var b = HttpRequest.newBuilder(URI.create(s.url() + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode complete(String body) throws Exception {
        HttpResponse<String> r = post(server, "/v1/completions", body);
        assertEquals(200, r.statusCode(), r.body());
        return Json.MAPPER.readTree(r.body());
    }

    /** What the sampler gives alone: rnn sample's text for this seed. */
    static String sampled(String prompt, int length, Strategy strategy, long seed, String stopAt) {
        Sampler s = new Sampler(loaded.net(), loaded.vocabulary());
        return s.generate(loaded.vocabulary().encode(prompt), length, 1, strategy, seed, stopAt, null)[0];
    }

    @Test
    void aSeededCompletionIsRnnSamplesTextAndTemperatureZeroIsArgmax() throws Exception {
        JsonNode o = complete("{\"model\":\"fixture\",\"prompt\":\"The \",\"max_tokens\":60,\"seed\":7}");
        // CheckpointFixtureTest: rnn sample --random-seed 7 -n 60 -s 'The ' on this checkpoint
        assertEquals("quiiichicuiiiick. Aadol rolsads theer loiv thh lil.d lodarr ", o.at("/choices/0/text").asText());
        assertEquals("length", o.at("/choices/0/finish_reason").asText());
        assertEquals("text_completion", o.get("object").asText());
        assertEquals("fixture", o.get("model").asText());
        assertEquals("rnn-test-s1", o.get("system_fingerprint").asText());
        assertEquals(4, o.at("/usage/prompt_tokens").asInt());
        assertEquals(60, o.at("/usage/completion_tokens").asInt());
        assertEquals(64, o.at("/usage/total_tokens").asInt());
        JsonNode argmax = complete("{\"model\":\"fixture\",\"prompt\":\"The \",\"max_tokens\":60,\"temperature\":0}");
        assertEquals("quick brotr theer loltoll theeheehein ans thechichinentothea", argmax.at("/choices/0/text").asText());
        JsonNode echo = complete("{\"model\":\"fixture\",\"prompt\":\"The \",\"max_tokens\":16,\"seed\":7,\"echo\":true}");
        assertEquals("The quiiichicuiiiick", echo.at("/choices/0/text").asText());
    }

    @Test
    void promptsAndChoicesArePromptMajorAndChoiceKDrawsFromSeedPlusK() throws Exception {
        JsonNode o = complete("{\"model\":\"fixture\",\"prompt\":[\"The \",\"and \"],\"n\":3,\"max_tokens\":30,"
                + "\"seed\":100,\"top_k\":5,\"top_p\":0.9,\"temperature\":0.8}");
        JsonNode choices = o.get("choices");
        assertEquals(6, choices.size());
        Strategy st = new Strategy(false, 0.8, 5, 0.9);
        for (int p = 0; p < 2; p++) {
            for (int k = 0; k < 3; k++) {
                JsonNode c = choices.get(p * 3 + k);
                assertEquals(p * 3 + k, c.get("index").asInt());
                assertEquals(sampled(p == 0 ? "The " : "and ", 30, st, 100 + k, null), c.get("text").asText());
            }
        }
        assertEquals(8, o.at("/usage/prompt_tokens").asInt());
        assertEquals(180, o.at("/usage/completion_tokens").asInt());
    }

    @Test
    void aStopStringEndsTheChoiceAndIsLeftOut() throws Exception {
        String whole = sampled("The ", 200, Strategy.temperature(1), 3, null);
        int at = whole.indexOf("th");
        assertTrue(at > 0, whole);
        JsonNode o = complete("{\"model\":\"fixture\",\"prompt\":\"The \",\"max_tokens\":200,\"seed\":3,"
                + "\"stop\":[\"th\",\"zzzz\"]}");
        assertEquals(whole.substring(0, at), o.at("/choices/0/text").asText());
        assertEquals("stop", o.at("/choices/0/finish_reason").asText());
        assertEquals(at + 2, o.at("/usage/completion_tokens").asInt(), "the stop string's characters were drawn");
    }

    /** The data lines of a server-sent event stream, up to [DONE]. */
    static List<String> events(Server s, String body) throws Exception {
        HttpResponse<InputStream> r = CLIENT.send(HttpRequest.newBuilder(URI.create(s.url() + "/v1/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertEquals("text/event-stream; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
        List<String> data = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("data: ")) {
                    data.add(line.substring(6));
                } else {
                    assertEquals("", line, "an event is one data line and a blank line");
                }
            }
        }
        return data;
    }

    @Test
    void aStreamCarriesTheSameTextInChunksThenUsageThenDone() throws Exception {
        String body = "{\"model\":\"fixture\",\"prompt\":\"The \",\"max_tokens\":120,\"seed\":11,\"n\":2,\"stop\":\"\\n\"";
        JsonNode whole = complete(body + "}");
        List<String> data = events(server, body + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        assertEquals("[DONE]", data.get(data.size() - 1));
        StringBuilder[] text = {new StringBuilder(), new StringBuilder()};
        String[] finish = new String[2];
        JsonNode usage = null;
        for (String d : data.subList(0, data.size() - 1)) {
            JsonNode o = Json.MAPPER.readTree(d);
            assertEquals("text_completion", o.get("object").asText());
            if (o.get("choices").isEmpty()) {
                usage = o.get("usage");
                continue;
            }
            assertTrue(o.get("usage").isNull(), "usage is null on the chunks before the last");
            JsonNode c = o.at("/choices/0");
            assertNull(finish[c.get("index").asInt()], "nothing after a choice's finish");
            text[c.get("index").asInt()].append(c.get("text").asText());
            if (!c.get("finish_reason").isNull()) {
                finish[c.get("index").asInt()] = c.get("finish_reason").asText();
            }
        }
        for (int i = 0; i < 2; i++) {
            assertEquals(whole.at("/choices/" + i + "/text").asText(), text[i].toString());
            assertEquals(whole.at("/choices/" + i + "/finish_reason").asText(), finish[i]);
        }
        assertEquals(whole.get("usage"), usage);
    }

    @Test
    void aSeededRequestGivesTheSameTextAloneAndAmongManyAtOnce() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            String body = "{\"model\":\"fixture\",\"prompt\":\"" + "the cat ".substring(0, 1 + i % 7) + "\","
                    + "\"max_tokens\":" + (20 + 7 * i) + ",\"seed\":" + i + "}";
            all.add(CLIENT.sendAsync(HttpRequest.newBuilder(URI.create(server.url() + "/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < all.size(); i++) {
            HttpResponse<String> r = all.get(i).get();
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(sampled("the cat ".substring(0, 1 + i % 7), 20 + 7 * i, Strategy.temperature(1), i, null),
                    Json.MAPPER.readTree(r.body()).at("/choices/0/text").asText(), "request " + i);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"model\":\"fixture\",\"prompt\":\"a\",\"suffix\":\"b\"}                | suffix",
            "{\"model\":\"fixture\",\"prompt\":\"a\",\"best_of\":3}                   | best_of",
            "{\"model\":\"fixture\",\"prompt\":\"a\",\"presence_penalty\":0.5}        | presence_penalty",
            "{\"model\":\"fixture\",\"prompt\":\"a\",\"frequency_penalty\":1}         | frequency_penalty",
            "{\"model\":\"fixture\",\"prompt\":\"a\",\"logit_bias\":{\"5\":1}}        | logit_bias",
            "{\"model\":\"fixture\",\"prompt\":\"a\",\"tools\":[]}                    | tools",
            "{\"model\":\"fixture\",\"prompt\":\"a\",\"temperature\":\"hot\"}         | temperature",
            "{\"model\":\"fixture\",\"prompt\":\"a\",\"temperature\":2.5}             | temperature",
            "{\"model\":\"fixture\",\"prompt\":\"a\",\"top_p\":0}                     | top_p",
            "{\"model\":\"fixture\",\"prompt\":\"a\",\"max_tokens\":5000}             | max_tokens",
            "{\"model\":\"fixture\",\"prompt\":\"a\",\"max_tokens\":1.5}              | max_tokens",
            "{\"model\":\"fixture\",\"prompt\":\"a\",\"n\":0}                         | n",
            "{\"model\":\"fixture\",\"prompt\":[1,2]}                                 | prompt",
            "{\"model\":\"fixture\",\"prompt\":\"a\",\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]} | stop",
            "{\"model\":\"fixture\",\"prompt\":\"a\",\"stream\":\"yes\"}              | stream",
            "{\"model\":\"fixture\",\"prompt\":\"a\",\"stream_options\":{\"include_usage\":true}} | stream_options",
            "{\"model\":\"fixture\",\"prompt\":\"a\u00e9\u4e2d\"}                     | prompt",
            "{\"prompt\":\"a\"}                                                       | model"})
    void aRequestRnnCannotHonourIs400NamingTheField(String body, String param) throws Exception {
        HttpResponse<String> r = post(server, "/v1/completions", body);
        assertEquals(400, r.statusCode(), r.body());
        JsonNode e = Json.MAPPER.readTree(r.body()).get("error");
        assertEquals(param, e.get("param").asText(), r.body());
        assertEquals("invalid_request_error", e.get("type").asText());
        assertTrue(e.get("message").asText().contains(param), r.body());
    }

    @Test
    void theHttpSideAnswersEveryMistakeWithAStatusAndAnErrorObject() throws Exception {
        assertEquals(404, post(server, "/v1/completions", "{\"model\":\"gpt-4\",\"prompt\":\"a\"}").statusCode());
        assertEquals(400, post(server, "/v1/completions", "{\"model\":").statusCode());
        assertEquals(413, post(server, "/v1/completions", "{\"prompt\":\"" + "a".repeat(Server.MAX_BODY) + "\"}")
                .statusCode());
        assertEquals(404, post(server, "/v2/nothing", "{}").statusCode());
        HttpResponse<String> get = CLIENT.send(HttpRequest.newBuilder(URI.create(server.url() + "/v1/completions"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, get.statusCode());
        assertEquals("POST", get.headers().firstValue("Allow").orElse(""));
        assertTrue(Json.MAPPER.readTree(get.body()).at("/error/message").asText().contains("POST"));
        // characters outside the vocabulary: skipped on request
        JsonNode skipped = complete("{\"model\":\"fixture\",\"prompt\":\"The \u4e2d\",\"max_tokens\":60,\"seed\":7,"
                + "\"unknown\":\"skip\"}");
        assertEquals("quiiichicuiiiick. Aadol rolsads theer loiv thh lil.d lodarr ", skipped.at("/choices/0/text").asText());
        // neutral values of the fields rnn does not implement are taken (LangChain sends them)
        complete("{\"model\":\"fixture\",\"prompt\":\"a\",\"best_of\":1,\"presence_penalty\":0,\"frequency_penalty\":0,"
                + "\"logit_bias\":{},\"logprobs\":null,\"suffix\":null,\"user\":\"me\"}");
        JsonNode models = Json.MAPPER.readTree(CLIENT.send(HttpRequest.newBuilder(URI.create(server.url() + "/v1/models"))
                .build(), HttpResponse.BodyHandlers.ofString()).body());
        assertEquals("fixture", models.at("/data/0/id").asText());
        assertEquals("list", models.get("object").asText());
    }

    @Test
    void anApiKeyIsRequiredWhenSetAndHealthSaysWhenTheModelIsLoaded() throws Exception {
        Server s = Server.start(new Server.Options("127.0.0.1", 0, 1, 1, 100, 60, "s3cret"));
        try {
            HttpResponse<String> loading = CLIENT.send(HttpRequest.newBuilder(URI.create(s.url() + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(503, loading.statusCode());
            assertEquals(503, post(s, "/v1/completions", "{}", "Authorization", "Bearer s3cret").statusCode());
            s.serve("fixture", new Sampler(loaded.net(), loaded.vocabulary()), loaded.vocabulary(), "x");
            assertEquals(200, CLIENT.send(HttpRequest.newBuilder(URI.create(s.url() + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            String body = "{\"model\":\"fixture\",\"prompt\":\"a\"}";
            assertEquals(401, post(s, "/v1/completions", body).statusCode());
            assertEquals(401, post(s, "/v1/completions", body, "Authorization", "Bearer wrong").statusCode());
            assertEquals(200, post(s, "/v1/completions", body, "Authorization", "Bearer s3cret").statusCode());
        } finally {
            s.close();
        }
    }

    @Test
    void logprobsAreTheModelsOwnForEachCharacterWithTheTopAlternatives() throws Exception {
        JsonNode c = complete("{\"model\":\"fixture\",\"prompt\":\"The \",\"max_tokens\":40,\"seed\":7,\"logprobs\":3,"
                + "\"temperature\":0.7}").at("/choices/0");
        String text = c.get("text").asText();
        JsonNode lp = c.get("logprobs");
        assertEquals(40, lp.get("tokens").size());
        StringBuilder joined = new StringBuilder();
        lp.get("tokens").forEach(t -> joined.append(t.asText()));
        assertEquals(text, joined.toString());
        // DL4J's own probabilities for the same characters, the prompt fed first
        String all = "The " + text;
        var vocab = loaded.vocabulary();
        int[] ids = vocab.encode(all);
        var in = org.nd4j.linalg.factory.Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, vocab.size(),
                ids.length - 1);
        for (int t = 0; t < ids.length - 1; t++) {
            in.putScalar(new long[]{0, ids[t], t}, 1f);
        }
        var out = loaded.net().output(in);
        for (int i = 0; i < 40; i++) {
            int t = 3 + i;
            double expected = Math.log(out.getDouble(0, ids[t + 1], t));
            assertEquals(expected, lp.at("/token_logprobs/" + i).asDouble(), 1e-4, "character " + i);
            assertEquals(i, lp.at("/text_offset/" + i).asInt());
            JsonNode top = lp.at("/top_logprobs/" + i);
            assertEquals(3, top.size());
            List<Double> values = new ArrayList<>();
            top.fields().forEachRemaining(e -> values.add(e.getValue().asDouble()));
            assertTrue(values.get(0) >= values.get(1) && values.get(1) >= values.get(2), top.toString());
            double best = 0;
            int bestId = 0;
            for (int v = 0; v < vocab.size(); v++) {
                if (out.getDouble(0, v, t) > best) {
                    best = out.getDouble(0, v, t);
                    bestId = v;
                }
            }
            assertEquals(Math.log(best), values.get(0), 1e-4);
            assertTrue(top.has(vocab.decode(bestId)), top.toString());
        }
        // streamed: the chunks' entries are the whole answer's, and a stop string's characters are left out
        String body = "{\"model\":\"fixture\",\"prompt\":\"The \",\"max_tokens\":200,\"seed\":3,\"logprobs\":2,"
                + "\"stop\":\"th\"";
        JsonNode whole = complete(body + "}").at("/choices/0");
        assertEquals(whole.get("text").asText().length(), whole.at("/logprobs/tokens").size());
        List<String> tokens = new ArrayList<>();
        for (String d : events(server, body + ",\"stream\":true}")) {
            if (!d.equals("[DONE]")) {
                Json.MAPPER.readTree(d).at("/choices/0/logprobs/tokens").forEach(t -> tokens.add(t.asText()));
            }
        }
        List<String> expected = new ArrayList<>();
        whole.at("/logprobs/tokens").forEach(t -> expected.add(t.asText()));
        assertEquals(expected, tokens);
        HttpResponse<String> echo = post(server, "/v1/completions",
                "{\"model\":\"fixture\",\"prompt\":\"a\",\"logprobs\":1,\"echo\":true}");
        assertEquals(400, echo.statusCode());
    }

    @Test
    void aRequestPastItsTimeoutEndsAndFreesItsRowEvenWhenItsClientReadsNothing() throws Exception {
        Server s = Server.start(new Server.Options("127.0.0.1", 0, 2, 16, 1_000_000, 0.5, null));
        s.serve("fixture", new Sampler(loaded.net(), loaded.vocabulary()), loaded.vocabulary(), "x");
        try {
            HttpResponse<InputStream> stream = CLIENT.send(HttpRequest.newBuilder(URI.create(s.url() + "/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"fixture\",\"prompt\":\"a\","
                            + "\"max_tokens\":1000000,\"stream\":true}")).build(), HttpResponse.BodyHandlers.ofInputStream());
            stream.body().readNBytes(100); // then reads nothing more, the connection open
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (metric(s, "rnn_generations_running") > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(0, metric(s, "rnn_generations_running"), "the row is free");
            HttpResponse<String> whole = post(s, "/v1/completions",
                    "{\"model\":\"fixture\",\"prompt\":\"a\",\"max_tokens\":1000000,\"n\":8}");
            assertEquals(504, whole.statusCode(), whole.body());
            assertTrue(Json.MAPPER.readTree(whole.body()).at("/error/message").asText().contains("--request-timeout"));
            stream.body().close();
        } finally {
            s.close();
        }
    }

    /** A sample's value in GET /metrics. */
    static double metric(Server s, String name) throws Exception {
        String text = CLIENT.send(HttpRequest.newBuilder(URI.create(s.url() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return text.lines().filter(l -> l.startsWith(name + " ")).mapToDouble(l -> Double.parseDouble(l.split(" ")[1]))
                .findFirst().orElseThrow(() -> new AssertionError(name + " not in:\n" + text));
    }

    @Test
    void metricsAreInPrometheusTextFormat() throws Exception {
        complete("{\"model\":\"fixture\",\"prompt\":\"The \",\"max_tokens\":20}");
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(server.url() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
        for (String line : r.body().split("\n")) {
            assertTrue(line.matches("# (HELP|TYPE) rnn_\\w+ .+|rnn_\\w+(\\{le=\"[^\"]+\"\\})? [0-9.e+-]+"), line);
        }
        assertTrue(metric(server, "rnn_characters_generated_total") >= 20);
        assertTrue(metric(server, "rnn_step_seconds_count") >= 20, "a step per character at least");
        assertTrue(metric(server, "rnn_queue_wait_seconds_count") >= 1);
        assertTrue(r.body().contains("rnn_step_seconds_bucket{le=\"+Inf\"} "));
    }

    @Test
    void generateAnswersInTorchRnnServersShapeForRnnWriter() throws Exception {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(server.url()
                + "/generate?start_text=The%20&n=3")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode o = Json.MAPPER.readTree(r.body());
        assertEquals("The ", o.get("start_text").asText());
        assertEquals(3, o.get("completions").size());
        for (JsonNode c : o.get("completions")) {
            String t = c.asText();
            assertTrue(t.matches("[^.!?]*[.!?]") || t.length() == Server.GENERATE_CHARS && t.matches("[^.!?]*"),
                    "to the end of its first sentence: " + t);
        }
        assertTrue(o.get("time").asText().matches("\\d+\\.\\d\\d"), o.toString());
        assertEquals(400, CLIENT.send(HttpRequest.newBuilder(URI.create(server.url() + "/generate?n=two")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        // a browser or rnn-writer's reachability check at / gets JSON
        JsonNode root = Json.MAPPER.readTree(CLIENT.send(HttpRequest.newBuilder(URI.create(server.url() + "/")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertEquals("ok", root.get("status").asText());
    }

    @Test
    void aFullQueueIs503WithRetryAfterAndAClientThatLeavesFreesItsRow() throws Exception {
        Server s = start(1, 0, 1_000_000);
        try {
            HttpResponse<InputStream> first = CLIENT.send(HttpRequest.newBuilder(URI.create(s.url() + "/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"fixture\",\"prompt\":\"a\","
                            + "\"max_tokens\":1000000,\"stream\":true}")).build(), HttpResponse.BodyHandlers.ofInputStream());
            InputStream in = first.body();
            in.readNBytes(100); // under way
            HttpResponse<String> second = post(s, "/v1/completions", "{\"model\":\"fixture\",\"prompt\":\"a\"}");
            assertEquals(503, second.statusCode(), second.body());
            assertEquals("1", second.headers().firstValue("Retry-After").orElse(""));
            assertEquals(1, metric(s, "rnn_generations_running"));
            assertEquals(1, metric(s, "rnn_requests_rejected_total"));
            in.close(); // the client goes: the server stops generating for it
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (metric(s, "rnn_generations_running") > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(0, metric(s, "rnn_generations_running"), "the row is free");
            // a client that reads nothing holds back its generation (a backlog of events, then the socket's buffers)
            double drawn = metric(s, "rnn_characters_generated_total");
            assertTrue(drawn < 100_000, "stopped long before its 1,000,000 characters: " + drawn);
            Thread.sleep(200);
            assertEquals(drawn, metric(s, "rnn_characters_generated_total"), "and draws no more");
            assertEquals(200, post(s, "/v1/completions", "{\"model\":\"fixture\",\"prompt\":\"a\"}").statusCode());
            assertEquals(drawn + 16, metric(s, "rnn_characters_generated_total"));
        } finally {
            s.close();
        }
    }
}
