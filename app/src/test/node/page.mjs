// The page at / in a real browser (Debian's chromium, headless, driven by playwright-core): ServeIT
// runs it as `node page.mjs URL SCREENSHOT` against a server of the fixture checkpoint.
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const [url, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--headless=new"],
});
try {
  const page = await browser.newPage();
  const requests = [];
  page.on("request", (r) => { if (r.url().endsWith("/v1/completions")) requests.push(JSON.parse(r.postData())); });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));

  await page.goto(url + "/");
  await page.waitForFunction(() => document.getElementById("model").textContent.startsWith("writing with"));
  assert.equal(await page.textContent("#model"), "writing with fixture");

  // a seed typed as a person types it: one request once the typing pauses, streamed into three suggestions
  await page.click("#text");
  await page.keyboard.type("The ", { delay: 40 });
  await page.waitForFunction(() => window.rnn.requests === 1 && !document.querySelector(".suggestion:empty")
    && [...document.querySelectorAll(".suggestion")].every((b) => b.textContent.length > 3), null, { timeout: 30000 });
  assert.equal(requests.length, 1, "typing that has not paused sends nothing");
  assert.deepEqual({ ...requests[0], temperature: undefined },
    { model: "fixture", prompt: "The ", max_tokens: 80, temperature: undefined, n: 3, stop: ["\n\n"], stream: true,
      unknown: "skip" });
  assert.equal(requests[0].temperature, 0.8);
  assert.ok(await page.evaluate(() => window.rnn.chunks) >= 1, "the text arrived as server-sent events");
  await page.screenshot({ path: screenshot, fullPage: true });

  // a suggestion taken: appended to the text, and new continuations of the longer text follow
  const chosen = await page.evaluate(() => document.querySelector(".suggestion[data-index='1']").dataset.text);
  await page.click(".suggestion[data-index='1']");
  assert.equal(await page.inputValue("#text"), "The " + chosen);
  await page.waitForFunction(() => window.rnn.requests === 2);
  assert.equal(requests[1].prompt, "The " + chosen);

  // stale requests: a new one aborts the one still running
  await page.evaluate(() => { window.rnn.suggest(); window.rnn.suggest(); });
  await page.waitForFunction(() => window.rnn.aborted >= 1);

  // the temperature control sets the request's temperature
  await page.fill("#temperature", "0");
  await page.dispatchEvent("#temperature", "input");
  await page.waitForFunction((n) => window.rnn.requests > n, requests.length);
  await page.waitForTimeout(100);
  assert.equal(requests[requests.length - 1].temperature, 0);
  assert.deepEqual(errors, []);
  console.log("page: model shown, typed, streamed suggestions, taken, stale aborted, temperature: ok");
} finally {
  await browser.close();
}
