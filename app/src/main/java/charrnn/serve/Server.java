package charrnn.serve;

import charrnn.corpus.Json;
import charrnn.corpus.Vocabulary;
import charrnn.sample.Sampler;
import charrnn.sample.Strategy;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code rnn serve}'s HTTP side, on the JDK's {@code com.sun.net.httpserver} and Jackson: OpenAI's
 * legacy {@code POST /v1/completions} (whole or streamed as server-sent events), {@code GET
 * /v1/models}, {@code /health}, {@code /metrics}, torch-rnn-server's {@code /generate} and the page
 * at {@code /}. It listens before the model is loaded (503 until then); a {@link Generator} thread
 * per core computes for every request.
 */
public final class Server implements AutoCloseable {
    /** How the server is run: {@code rnn serve}'s options. */
    public record Options(String host, int port, int parallel, int maxQueue, int maxTokensCap, double timeoutSeconds,
                          String apiKey) {
    }

    /** The model once it is loaded: what a request needs. */
    private record Model(String id, Vocabulary vocab, Sampler sampler, List<Generator> generators, String fingerprint,
                         long created) {
        long running() {
            return generators.stream().mapToLong(Generator::running).sum();
        }

        long queued() {
            return generators.stream().mapToLong(Generator::queued).sum();
        }
    }

    /** The page to write with the model, for browsers at {@code /} (plain HTML, CSS and JavaScript in the jar). */
    private static final byte[] PAGE = page();

    private static byte[] page() {
        try (var in = Server.class.getResourceAsStream("page.html")) {
            return in.readAllBytes();
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("the jar lacks charrnn/serve/page.html", e);
        }
    }

    /** Request bodies above this are refused (413). */
    static final int MAX_BODY = 1 << 20;

    private final Options options;
    private final HttpServer http;
    private final ExecutorService handlers;
    private volatile Model model;
    private volatile boolean closing;
    private final Metrics metrics = new Metrics();
    // ends a request at --request-timeout even while its handler waits on a client that reads nothing
    private final ScheduledExecutorService timeouts =
            Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "rnn-timeouts");
                t.setDaemon(true);
                return t;
            });
    private final AtomicInteger active = new AtomicInteger();

    private Server(Options options) throws IOException {
        this.options = options;
        this.http = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 128);
        // a thread per exchange: a stream holds its thread for as long as it runs; the queue limit is the
        // generator's, answered with 503 by the handler (a rejected task would close the socket unanswered)
        this.handlers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "rnn-http");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(handlers);
        http.createContext("/", this::handle);
    }

    /** Listens at once; requests get 503 until {@link #serve} gives the model. */
    public static Server start(Options options) throws IOException {
        Server s = new Server(options);
        s.http.start();
        return s;
    }

    /** Serves {@code sampler}'s network as {@code id} from now on. */
    public void serve(String id, Sampler sampler, Vocabulary vocab, String fingerprint) {
        // a generator thread per core, each with its share of the rows: rows are independent, so a
        // request's text does not depend on the thread that computes it
        int threads = Math.max(1, Math.min(options.parallel(), Runtime.getRuntime().availableProcessors()));
        List<Generator> gs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int rows = options.parallel() / threads + (t < options.parallel() % threads ? 1 : 0);
            int queue = options.maxQueue() / threads + (t < options.maxQueue() % threads ? 1 : 0);
            gs.add(new Generator(sampler.slots(rows), queue, metrics));
        }
        model = new Model(id, vocab, sampler, List.copyOf(gs), fingerprint, System.currentTimeMillis() / 1000);
    }

    /** The address it listens at, e.g. {@code http://127.0.0.1:8080}. */
    public String url() {
        InetSocketAddress a = http.getAddress();
        String host = a.getAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /**
     * Stops taking requests (new ones get 503), lets those under way finish for up to {@code graceSeconds},
     * then ends the rest and the listener.
     */
    public void close(int graceSeconds) {
        closing = true;
        long end = System.nanoTime() + graceSeconds * 1_000_000_000L;
        while (active.get() > 0 && System.nanoTime() < end) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        http.stop(0);
        Model m = model;
        if (m != null) {
            m.generators().forEach(Generator::close);
        }
        handlers.shutdownNow();
        timeouts.shutdownNow();
    }

    @Override
    public void close() {
        close(0);
    }

    private void handle(HttpExchange x) {
        active.incrementAndGet();
        try {
            if (closing) {
                throw busy("the server is stopping");
            }
            route(x);
        } catch (ApiError e) {
            error(x, e);
        } catch (IOException e) {
            // the client went away: no one to answer
        } catch (RuntimeException e) {
            error(x, new ApiError(500, "server_error", null, "unexpected failure: " + e));
        } finally {
            x.close();
            active.decrementAndGet();
        }
    }

    private void route(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        String method = x.getRequestMethod();
        switch (path) {
            case "/health" -> {
                allow(x, "GET");
                ObjectNode o = Json.COMPACT.createObjectNode().put("status", model == null ? "loading" : "ok");
                json(x, model == null ? 503 : 200, o);
            }
            case "/v1/models" -> {
                allow(x, "GET");
                authorize(x);
                Model m = ready();
                ObjectNode o = Json.COMPACT.createObjectNode().put("object", "list");
                o.putArray("data").addObject().put("id", m.id()).put("object", "model").put("created", m.created())
                        .put("owned_by", "rnn");
                json(x, 200, o);
            }
            case "/v1/completions" -> {
                allow(x, "POST");
                authorize(x);
                completions(x, ready());
            }
            case "/generate" -> {
                allow(x, "GET");
                authorize(x);
                generate(x, ready());
            }
            case "/metrics" -> {
                allow(x, "GET");
                Model m = model;
                byte[] b = metrics.text(() -> m == null ? 0 : m.running(), () -> m == null ? 0 : m.queued(),
                        () -> active.get() - 1)
                        .getBytes(StandardCharsets.UTF_8);
                x.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                x.sendResponseHeaders(200, b.length);
                x.getResponseBody().write(b);
            }
            case "/" -> {
                allow(x, "GET");
                String accept = x.getRequestHeaders().getFirst("Accept");
                if (accept != null && accept.contains("text/html")) {
                    x.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                    x.sendResponseHeaders(200, PAGE.length);
                    x.getResponseBody().write(PAGE);
                } else {
                    json(x, 200, Json.COMPACT.createObjectNode().put("status", model == null ? "loading" : "ok")
                            .put("model", model == null ? null : model.id()));
                }
            }
            default -> throw new ApiError(404, "invalid_request_error", null, "no such endpoint: " + method + " " + path);
        }
    }

    private static void allow(HttpExchange x, String method) {
        if (!x.getRequestMethod().equals(method)) {
            x.getResponseHeaders().set("Allow", method);
            throw new ApiError(405, "invalid_request_error", null, x.getRequestURI().getPath() + " takes " + method
                    + ", not " + x.getRequestMethod());
        }
    }

    private void authorize(HttpExchange x) {
        String key = options.apiKey();
        if (key != null && !("Bearer " + key).equals(x.getRequestHeaders().getFirst("Authorization"))) {
            throw new ApiError(401, "invalid_request_error", null,
                    "a valid API key is needed: send the header 'Authorization: Bearer KEY'");
        }
    }

    private Model ready() {
        Model m = model;
        if (m == null) {
            throw busy("the model is still loading");
        }
        return m;
    }

    private static ApiError busy(String why) {
        return new ApiError(503, "server_error", null, why + "; retry shortly");
    }

    private void completions(HttpExchange x, Model m) throws IOException {
        CompletionRequest r = CompletionRequest.of(body(x), options.maxTokensCap());
        if (!r.model().equals(m.id())) {
            throw new ApiError(404, "invalid_request_error", "model", "the model '" + r.model()
                    + "' is not served here; this server serves '" + m.id() + "'");
        }
        Completion c = submit(x, m, r);
        long timeout = (long) (options.timeoutSeconds() * 1e9);
        var watchdog = timeouts.schedule(c::expire, timeout, TimeUnit.NANOSECONDS);
        try {
            if (r.stream()) {
                stream(x, m, c, System.nanoTime() + timeout);
            } else {
                whole(x, m, c, System.nanoTime() + timeout);
            }
        } finally {
            watchdog.cancel(false);
            c.cancel(); // a generation still running (a client gone) leaves its row at the next step
        }
    }

    /** The request's generations queued, or 503 when the rows and the queue have no room for them all. */
    private Completion submit(HttpExchange x, Model m, CompletionRequest r) {
        Completion c = new Completion(r, m.vocab(), m.sampler(), metrics.characters);
        metrics.requests.incrementAndGet();
        List<Generator> byLoad = new ArrayList<>(m.generators());
        byLoad.sort(Comparator.comparingLong(g -> g.running() + g.queued()));
        if (byLoad.stream().noneMatch(g -> g.submit(c.generations))) {
            metrics.rejected.incrementAndGet();
            x.getResponseHeaders().set("Retry-After", "1");
            throw busy("the server is busy: " + m.running() + " generations running and "
                    + m.queued() + " queued (--parallel " + options.parallel() + ", --max-queue "
                    + options.maxQueue() + ")");
        }
        return c;
    }

    /** torch-rnn-server's sentences for robinsloan's rnn-writer: n completions of start_text, each to its first . ! or ?. */
    private void generate(HttpExchange x, Model m) throws IOException {
        Map<String, String> q = new HashMap<>();
        String raw = x.getRequestURI().getRawQuery();
        for (String kv : raw == null ? new String[0] : raw.split("&")) {
            int eq = kv.indexOf('=');
            q.put(URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8),
                    eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
        }
        int n;
        try {
            n = Math.min(10, Integer.parseInt(q.getOrDefault("n", "1")));
        } catch (NumberFormatException e) {
            throw ApiError.invalid("n", "n must be an integer, got '" + q.get("n") + "'");
        }
        if (n < 1) {
            throw ApiError.invalid("n", "n must be at least 1, got " + n);
        }
        String start = q.getOrDefault("start_text", "");
        long t0 = System.nanoTime();
        Completion c = submit(x, m, new CompletionRequest(m.id(), List.of(start), GENERATE_CHARS,
                Strategy.temperature(1), n, List.of(".", "!", "?"), null, false, false, false, true, null));
        try {
            collect(c, t0 + (long) (options.timeoutSeconds() * 1e9));
        } finally {
            c.cancel();
        }
        ObjectNode o = Json.COMPACT.createObjectNode().put("start_text", start);
        ArrayNode completions = o.putArray("completions");
        for (Completion.Choice ch : c.choices) {
            completions.add(ch.text() + ch.matched());
        }
        o.put("time", String.format(Locale.ROOT, "%.2f", (System.nanoTime() - t0) / 1e9));
        json(x, 200, o);
    }

    /** Characters a /generate completion may take to reach the end of its sentence. */
    static final int GENERATE_CHARS = 200;

    private static JsonNode body(HttpExchange x) throws IOException {
        byte[] b = x.getRequestBody().readNBytes(MAX_BODY + 1);
        if (b.length > MAX_BODY) {
            throw new ApiError(413, "invalid_request_error", null, "the request body is over " + MAX_BODY + " bytes");
        }
        try {
            return Json.MAPPER.readTree(b);
        } catch (JsonProcessingException e) {
            throw ApiError.invalid(null, "the body is not JSON: " + e.getOriginalMessage());
        }
    }

    /** Waits until every choice has ended. */
    private static void collect(Completion c, long deadline) {
        for (int open = c.choices.size(); open > 0; ) {
            if (next(c, deadline).finish() != null) {
                open--;
            }
        }
    }

    /** Waits for every choice to end, then answers with them all. */
    private void whole(HttpExchange x, Model m, Completion c, long deadline) throws IOException {
        collect(c, deadline);
        if (c.expired()) {
            throw TIMEOUT;
        }
        ObjectNode o = head(c, m);
        ArrayNode choices = o.putArray("choices");
        for (Completion.Choice ch : c.choices) {
            ObjectNode o2 = choices.addObject().put("text", ch.echoed + ch.text()).put("index", ch.index);
            o2.set("logprobs", logprobs(c, ch.logprobs()));
            o2.put("finish_reason", ch.finish());
        }
        usage(o, c);
        json(x, 200, o);
    }

    /** Server-sent events: a chunk as characters arrive (those of several choices at once grouped), then [DONE]. */
    private void stream(HttpExchange x, Model m, Completion c, long deadline) throws IOException {
        x.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        x.getResponseHeaders().set("Cache-Control", "no-cache");
        x.sendResponseHeaders(200, 0);
        OutputStream out = x.getResponseBody();
        if (c.request.echo()) {
            for (Completion.Choice ch : c.choices) {
                send(out, chunk(c, m, ch.index, ch.echoed, null, List.of()));
            }
            out.flush();
        }
        List<Completion.Event> batch = new ArrayList<>();
        for (int open = c.choices.size(); open > 0; ) {
            Completion.Event first;
            try {
                first = next(c, deadline);
            } catch (ApiError e) {
                c.expire();
                break;
            }
            batch.clear();
            batch.add(first);
            c.events.drainTo(batch);
            Map<Integer, StringBuilder> text = new TreeMap<>();
            Map<Integer, String> finish = new TreeMap<>();
            Map<Integer, List<Completion.LogProb>> entries = new TreeMap<>();
            for (Completion.Event e : batch) {
                text.computeIfAbsent(e.index(), k -> new StringBuilder()).append(e.text());
                entries.computeIfAbsent(e.index(), k -> new ArrayList<>()).addAll(e.logprobs());
                if (e.finish() != null) {
                    finish.put(e.index(), e.finish());
                    open--;
                }
            }
            for (var e : text.entrySet()) {
                send(out, chunk(c, m, e.getKey(), e.getValue().toString(), finish.get(e.getKey()),
                        entries.get(e.getKey())));
            }
            out.flush();
        }
        if (c.expired()) {
            send(out, errorBody(TIMEOUT));
        }
        if (c.request.includeUsage()) {
            ObjectNode u = head(c, m);
            u.putArray("choices");
            usage(u, c);
            send(out, u);
        }
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static Completion.Event next(Completion c, long deadline) {
        try {
            Completion.Event e = c.events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (e == null) {
                throw TIMEOUT;
            }
            return e;
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "server_error", null, "the server is stopping");
        }
    }

    private static final ApiError TIMEOUT = new ApiError(504, "server_error", null,
            "the request did not finish within the server's --request-timeout");

    private ObjectNode chunk(Completion c, Model m, int index, String text, String finish,
                             List<Completion.LogProb> entries) {
        ObjectNode o = head(c, m);
        ObjectNode ch = o.putArray("choices").addObject().put("text", text).put("index", index);
        ch.set("logprobs", logprobs(c, entries));
        ch.put("finish_reason", finish);
        if (c.request.includeUsage()) {
            o.putNull("usage");
        }
        return o;
    }

    /** OpenAI's logprobs object of some characters of a choice, or null when the request asked for none. */
    private static JsonNode logprobs(Completion c, List<Completion.LogProb> entries) {
        if (c.request.logprobs() == null) {
            return Json.COMPACT.nullNode();
        }
        ObjectNode o = Json.COMPACT.createObjectNode();
        ArrayNode tokens = o.putArray("tokens"), lp = o.putArray("token_logprobs"), top = o.putArray("top_logprobs"),
                offsets = o.putArray("text_offset");
        for (Completion.LogProb e : entries) {
            tokens.add(e.token());
            lp.add(e.logprob());
            ObjectNode t = top.addObject();
            e.top().forEach(t::put);
            offsets.add(e.offset());
        }
        return o;
    }

    private static ObjectNode head(Completion c, Model m) {
        return Json.COMPACT.createObjectNode().put("id", c.id).put("object", "text_completion").put("created", c.created)
                .put("model", m.id()).put("system_fingerprint", m.fingerprint());
    }

    private static void usage(ObjectNode o, Completion c) {
        long completion = c.completionChars();
        o.putObject("usage").put("prompt_tokens", c.promptChars).put("completion_tokens", completion)
                .put("total_tokens", c.promptChars + completion);
    }

    private static void send(OutputStream out, JsonNode o) throws IOException {
        out.write(("data: " + Json.COMPACT.writeValueAsString(o) + "\n\n").getBytes(StandardCharsets.UTF_8));
    }

    private static ObjectNode errorBody(ApiError e) {
        ObjectNode o = Json.COMPACT.createObjectNode();
        o.putObject("error").put("message", e.getMessage()).put("type", e.type).put("param", e.param).putNull("code");
        return o;
    }

    /** The error as the answer; when the answer has begun (a stream) or the client is gone, nothing more. */
    private static void error(HttpExchange x, ApiError e) {
        try {
            json(x, e.status, errorBody(e));
        } catch (IOException | RuntimeException ignored) {
            // headers already sent, or no one to answer
        }
    }

    private static void json(HttpExchange x, int status, JsonNode o) throws IOException {
        byte[] b = (Json.COMPACT.writeValueAsString(o) + "\n").getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(status, b.length);
        x.getResponseBody().write(b);
    }
}
