package charrnn.serve;

import charrnn.RnnException;
import charrnn.corpus.Vocabulary;
import charrnn.sample.Sampler;
import charrnn.sample.Slots;
import charrnn.sample.Strategy;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One completion request under way: a choice per prompt and n (prompt-major), each a generation
 * whose characters arrive as events, in the order the generator thread draws them. Choice k of a
 * prompt draws from {@code Random(seed + k)}: the text of {@code rnn sample --random-seed seed+k}.
 */
final class Completion {
    /** New text of a choice (held back while it may be the start of a stop string), its log-probabilities, its end. */
    record Event(int index, String text, String finish, List<LogProb> logprobs) {
    }

    /**
     * A drawn character's log-probability under the model (the softmax of its logits, before the
     * temperature and top-k/top-p), the most probable alternatives, and its offset in the choice's text.
     */
    record LogProb(String token, double logprob, Map<String, Double> top, int offset) {
    }

    /** Events a choice may have waiting for its client before it pauses. */
    static final int BACKLOG = 256;

    final CompletionRequest request;
    final String id = "cmpl-" + Long.toHexString(new SecureRandom().nextLong());
    final long created = System.currentTimeMillis() / 1000;
    final List<Choice> choices = new ArrayList<>();
    final List<Slots.Generation> generations = new ArrayList<>();
    final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
    long promptChars;
    private volatile boolean expired;
    private final AtomicLong characters;  // every completion's, for /metrics

    Completion(CompletionRequest r, Vocabulary vocab, Sampler sampler, AtomicLong characters) {
        this.characters = characters;
        this.request = r;
        long seed = r.seed() != null ? r.seed() : new SecureRandom().nextLong();
        for (int p = 0; p < r.prompts().size(); p++) {
            String prompt = r.prompts().get(p);
            int[] ids = encode(vocab, prompt, r.skipUnknown());
            promptChars += prompt.codePointCount(0, prompt.length());
            for (int k = 0; k < r.n(); k++) {
                Choice c = new Choice(p * r.n() + k, r.echo() ? prompt : "", vocab);
                choices.add(c);
                if (r.maxTokens() == 0) {
                    // nothing to draw: the choice ends as it starts
                    c.onEnd();
                } else {
                    generations.add(new Slots.Generation(sampler.startOf(ids), r.maxTokens(), r.strategy(), seed + k, c));
                }
            }
        }
    }

    private static int[] encode(Vocabulary vocab, String prompt, boolean skip) {
        if (skip) {
            return vocab.encodeKnown(prompt, new ArrayList<>());
        }
        try {
            return vocab.encode(prompt);
        } catch (RnnException e) {
            throw ApiError.invalid("prompt", "prompt has " + e.getMessage() + "; leave them out or send"
                    + " \"unknown\": \"skip\"");
        }
    }

    void cancel() {
        generations.forEach(Slots.Generation::cancel);
    }

    /** Past --request-timeout: every generation ends at the next step, and the answer says why. */
    void expire() {
        expired = true;
        cancel();
    }

    boolean expired() {
        return expired;
    }

    long completionChars() {
        return choices.stream().mapToLong(c -> c.drawn).sum();
    }

    /** A choice's text as the generator thread draws it, cut at a stop string (which is left out). */
    final class Choice implements Slots.Listener {
        final int index;
        final String echoed;
        private final Vocabulary vocab;
        private final StringBuilder text = new StringBuilder();
        private int sent;
        private String finish = "length";
        private String matched = "";
        private final List<LogProb> logprobs = new ArrayList<>();
        private int logprobsSent;
        volatile long drawn;

        Choice(int index, String echoed, Vocabulary vocab) {
            this.index = index;
            this.echoed = echoed;
            this.vocab = vocab;
        }

        @Override
        public boolean onChar(int id, float[] logits) {
            drawn++;
            characters.incrementAndGet();
            if (request.logprobs() != null) {
                logprobs.add(logProb(id, logits, echoed.length() + text.length()));
            }
            text.appendCodePoint(vocab.codePoint(id));
            for (String s : request.stop()) {
                if (Sampler.endsWith(text, s, s.length())) {
                    text.setLength(text.length() - s.length());
                    logprobs.removeIf(e -> e.offset() >= echoed.length() + text.length());
                    finish = "stop";
                    matched = s;
                    return false;
                }
            }
            int safe = text.length() - heldBack();
            if (safe > sent) {
                events.add(new Event(index, text.substring(sent, safe), null, logprobsUpTo(safe)));
                sent = safe;
            }
            return true;
        }

        /** The text once the choice has ended (its end event taken). */
        String text() {
            return text.toString();
        }

        /** "length" or "stop", once the choice has ended. */
        String finish() {
            return finish;
        }

        /** The stop string that ended the choice ("" for none), once it has ended. */
        String matched() {
            return matched;
        }

        /** A stream's client has this many events not yet taken: the choice waits for it. */
        @Override
        public boolean paused() {
            return events.size() > BACKLOG;
        }

        @Override
        public void onEnd() {
            events.add(new Event(index, text.substring(Math.min(sent, text.length())), finish,
                    logprobsUpTo(text.length())));
        }

        /** The entries of the characters before {@code end} of the text not yet sent. */
        private List<LogProb> logprobsUpTo(int end) {
            int from = logprobsSent;
            while (logprobsSent < logprobs.size() && logprobs.get(logprobsSent).offset() < echoed.length() + end) {
                logprobsSent++;
            }
            return List.copyOf(logprobs.subList(from, logprobsSent));
        }

        /** The entries of every character, once the choice has ended. */
        List<LogProb> logprobs() {
            return logprobs;
        }

        private LogProb logProb(int id, float[] logits, int offset) {
            double[] p = Strategy.probabilities(logits);
            Map<String, Double> top = new LinkedHashMap<>();
            boolean[] taken = new boolean[p.length];
            for (int k = 0; k < request.logprobs(); k++) {
                int best = -1;
                for (int i = 0; i < p.length; i++) {
                    if (!taken[i] && (best < 0 || p[i] > p[best])) {
                        best = i;
                    }
                }
                taken[best] = true;
                top.put(vocab.decode(best), Math.log(p[best]));
            }
            return new LogProb(vocab.decode(id), Math.log(p[id]), top, offset);
        }
        /** The longest end of the text that begins a stop string: not sent until it is known not to be one. */
        private int heldBack() {
            int held = 0;
            for (String s : request.stop()) {
                for (int len = Math.min(s.length() - 1, text.length()); len > held; len--) {
                    if (Sampler.endsWith(text, s, len)) {
                        held = len;
                        break;
                    }
                }
            }
            return held;
        }
    }
}
