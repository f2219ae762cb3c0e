// The official `openai` package against `rnn serve` (ServeIT runs it: node openai-client.mjs URL MODEL).
// The expected texts are the fixture checkpoint's `rnn sample` output (CheckpointFixtureTest).
import assert from "node:assert/strict";
import OpenAI from "openai";

const [url, model] = process.argv.slice(2);
const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "not-needed", maxRetries: 0 });
const SEEDED = "quiiichicuiiiick. Aadol rolsads theer loiv thh lil.d lodarr ";

const models = await client.models.list();
assert.deepEqual(models.data.map((m) => m.id), [model]);

// whole: a seeded completion is rnn sample's text
const whole = await client.completions.create({ model, prompt: "The ", max_tokens: 60, seed: 7 });
assert.equal(whole.object, "text_completion");
assert.equal(whole.choices[0].text, SEEDED);
assert.equal(whole.choices[0].finish_reason, "length");
assert.deepEqual(whole.usage, { prompt_tokens: 4, completion_tokens: 60, total_tokens: 64 });

// temperature 0 is argmax
const argmax = await client.completions.create({ model, prompt: "The ", max_tokens: 60, temperature: 0 });
assert.equal(argmax.choices[0].text, "quick brotr theer loltoll theeheehein ans thechichinentothea");

// a list of prompts and n: prompt-major choices, choice k from seed + k
const many = await client.completions.create({ model, prompt: ["The ", "The "], n: 2, max_tokens: 60, seed: 6 });
assert.equal(many.choices.length, 4);
assert.deepEqual(many.choices.map((c) => c.index), [0, 1, 2, 3]);
assert.equal(many.choices[1].text, SEEDED);
assert.equal(many.choices[3].text, SEEDED);
assert.equal(many.choices[0].text, many.choices[2].text);

// stop: cut before the first stop string, which is left out
const stopped = await client.completions.create({ model, prompt: "The ", max_tokens: 60, seed: 7, stop: ["Aad", "zz"] });
assert.equal(stopped.choices[0].text, "quiiichicuiiiick. ");
assert.equal(stopped.choices[0].finish_reason, "stop");

// streaming: the chunks carry the same text, then usage
const stream = await client.completions.create({
  model, prompt: "The ", max_tokens: 60, seed: 7, stream: true, stream_options: { include_usage: true },
});
let text = "";
let finish = null;
let usage = null;
let chunks = 0;
for await (const chunk of stream) {
  chunks++;
  if (chunk.usage) usage = chunk.usage;
  for (const c of chunk.choices) {
    text += c.text;
    if (c.finish_reason) finish = c.finish_reason;
  }
}
assert.equal(text, SEEDED);
assert.equal(finish, "length");
assert.deepEqual(usage, { prompt_tokens: 4, completion_tokens: 60, total_tokens: 64 });
assert.ok(chunks > 1, `streamed in ${chunks} chunks`);

// a field rnn does not implement: the client's BadRequestError, naming it
await assert.rejects(
  client.completions.create({ model, prompt: "The ", best_of: 3 }),
  (e) => e instanceof OpenAI.BadRequestError && e.status === 400 && e.param === "best_of",
);
await assert.rejects(
  client.completions.create({ model: "gpt-3.5-turbo-instruct", prompt: "The " }),
  (e) => e instanceof OpenAI.NotFoundError && e.param === "model",
);
console.log(`openai client: models, completions whole, argmax, prompts x n, stop, stream, errors: ok`);
