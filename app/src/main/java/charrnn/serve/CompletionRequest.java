package charrnn.serve;

import charrnn.RnnException;
import charrnn.sample.Strategy;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A request to {@code POST /v1/completions}, in OpenAI's legacy completions shape, checked field by
 * field: a token is a character. {@code top_k} (as vLLM takes it) and {@code unknown} ("error" or
 * "skip": prompt characters outside the vocabulary) are rnn's additions. Fields rnn does not
 * implement are refused by name unless they hold their neutral value (LangChain sends
 * {@code best_of: 1} and zero penalties with every request).
 */
record CompletionRequest(String model, List<String> prompts, int maxTokens, Strategy strategy, int n,
                         List<String> stop, Long seed, boolean echo, boolean stream, boolean includeUsage,
                         boolean skipUnknown, Integer logprobs) {
    /** The most choices one request may ask for (n, times the prompts). */
    static final int MAX_CHOICES = 128;

    private static final Set<String> FIELDS = Set.of("model", "prompt", "max_tokens", "temperature", "top_p", "top_k",
            "n", "stop", "seed", "echo", "stream", "stream_options", "unknown", "user", "logprobs", "suffix", "best_of",
            "presence_penalty", "frequency_penalty", "logit_bias");

    static CompletionRequest of(JsonNode b, int maxTokensCap) {
        if (b == null || !b.isObject()) {
            throw ApiError.invalid(null, "the body must be a JSON object");
        }
        b.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                throw ApiError.invalid(f, "unknown field '" + f + "'");
            }
        });
        neutral(b, "suffix", v -> v.isNull() || v.isTextual() && v.asText().isEmpty(), "a suffix");
        neutral(b, "best_of", v -> v.isNull() || v.isIntegralNumber() && v.asLong() == b.path("n").asLong(1), "best_of");
        neutral(b, "presence_penalty", v -> v.isNull() || v.isNumber() && v.asDouble() == 0, "penalties");
        neutral(b, "frequency_penalty", v -> v.isNull() || v.isNumber() && v.asDouble() == 0, "penalties");
        neutral(b, "logit_bias", v -> v.isNull() || v.isObject() && v.isEmpty(), "logit_bias");
        string(b, "user", "");

        String model = string(b, "model", null);
        if (model == null) {
            throw ApiError.invalid("model", "model is required: GET /v1/models lists it");
        }
        List<String> prompts = new ArrayList<>();
        JsonNode p = b.get("prompt");
        if (p == null || p.isNull()) {
            prompts.add("");
        } else if (p.isTextual()) {
            prompts.add(p.asText());
        } else if (p.isArray() && !p.isEmpty()) {
            for (JsonNode e : p) {
                if (!e.isTextual()) {
                    throw ApiError.invalid("prompt", "prompt must be a string or an array of strings (token arrays"
                            + " are not taken: a token is a character)");
                }
                prompts.add(e.asText());
            }
        } else {
            throw ApiError.invalid("prompt", "prompt must be a string or a non-empty array of strings");
        }
        int maxTokens = (int) integer(b, "max_tokens", 16, 0, maxTokensCap, " (--max-tokens-cap)");
        double temperature = number(b, "temperature", 1, 0, 2);
        double topP = number(b, "top_p", 1, Double.MIN_VALUE, 1);
        int topK = (int) integer(b, "top_k", 0, -1, Integer.MAX_VALUE, "");
        int n = (int) integer(b, "n", 1, 1, MAX_CHOICES, "");
        if ((long) n * prompts.size() > MAX_CHOICES) {
            throw ApiError.invalid("n", "n (" + n + ") times the prompts (" + prompts.size() + ") is more than "
                    + MAX_CHOICES + " choices");
        }
        List<String> stop = new ArrayList<>();
        JsonNode s = b.get("stop");
        if (s != null && !s.isNull()) {
            for (JsonNode e : s.isArray() ? s : List.of(s)) {
                if (!e.isTextual() || e.asText().isEmpty()) {
                    throw ApiError.invalid("stop", "stop must be a non-empty string or an array of them");
                }
                stop.add(e.asText());
            }
            if (stop.size() > 4) {
                throw ApiError.invalid("stop", "stop takes at most 4 strings, got " + stop.size());
            }
        }
        Long seed = b.hasNonNull("seed") ? integer(b, "seed", 0, Long.MIN_VALUE, Long.MAX_VALUE, "") : null;
        boolean echo = bool(b, "echo");
        boolean stream = bool(b, "stream");
        JsonNode so = b.get("stream_options");
        boolean usage = false;
        if (so != null && !so.isNull()) {
            if (!stream) {
                throw ApiError.invalid("stream_options", "stream_options is only for stream: true");
            }
            if (!so.isObject()) {
                throw ApiError.invalid("stream_options", "stream_options must be an object");
            }
            so.fieldNames().forEachRemaining(f -> {
                if (!f.equals("include_usage")) {
                    throw ApiError.invalid("stream_options", "unknown field 'stream_options." + f + "'");
                }
            });
            usage = bool(so, "include_usage");
        }
        String unknown = string(b, "unknown", "error");
        if (!unknown.equals("error") && !unknown.equals("skip")) {
            throw ApiError.invalid("unknown", "unknown must be \"error\" or \"skip\", got \"" + unknown + "\"");
        }
        Strategy strategy;
        try {
            strategy = temperature == 0 ? new Strategy(true, 1, 0, 1) : new Strategy(false, temperature, Math.max(0, topK), topP);
        } catch (RnnException e) {
            throw ApiError.invalid(PARAMS.getOrDefault(e.setting(), e.setting()), e.getMessage());
        }
        Integer logprobs = b.hasNonNull("logprobs") ? (int) integer(b, "logprobs", 0, 0, 5, "") : null;
        if (logprobs != null && echo) {
            throw ApiError.invalid("logprobs", "logprobs with echo (the prompt's own log-probabilities) is not"
                    + " supported by rnn serve; leave one of them out");
        }
        return new CompletionRequest(model, prompts, maxTokens, strategy, n, stop, seed, echo, stream, usage,
                unknown.equals("skip"), logprobs);
    }

    /** The request's names of {@link Strategy}'s components. */
    private static final Map<String, String> PARAMS = Map.of("temperature", "temperature", "topK", "top_k", "topP", "top_p");

    private static void neutral(JsonNode b, String field, java.util.function.Predicate<JsonNode> ok, String what) {
        JsonNode v = b.get(field);
        if (v != null && !ok.test(v)) {
            throw ApiError.invalid(field, field + " is not supported by rnn serve: " + what + " cannot be used here;"
                    + " leave the field out");
        }
    }

    private static String string(JsonNode b, String field, String dflt) {
        JsonNode v = b.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isTextual()) {
            throw ApiError.invalid(field, field + " must be a string, got " + v.getNodeType().toString().toLowerCase());
        }
        return v.asText();
    }

    private static boolean bool(JsonNode b, String field) {
        JsonNode v = b.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw ApiError.invalid(field, field + " must be true or false, got " + v);
        }
        return v.asBoolean();
    }

    private static double number(JsonNode b, String field, double dflt, double min, double max) {
        JsonNode v = b.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isNumber()) {
            throw ApiError.invalid(field, field + " must be a number, got " + v.getNodeType().toString().toLowerCase());
        }
        double d = v.asDouble();
        if (!(d >= min && d <= max)) {
            throw ApiError.invalid(field, field + " must be between " + fmt(min) + " and " + fmt(max) + ", got " + v);
        }
        return d;
    }

    private static long integer(JsonNode b, String field, long dflt, long min, long max, String why) {
        JsonNode v = b.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw ApiError.invalid(field, field + " must be an integer, got " + v);
        }
        long x = v.asLong();
        if (x < min || x > max) {
            throw ApiError.invalid(field, field + " must be between " + min + " and " + max + why + ", got " + x);
        }
        return x;
    }

    private static String fmt(double d) {
        return d == Double.MIN_VALUE ? "0 (excluded)" : d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
