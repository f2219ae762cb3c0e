#!/usr/bin/python3
"""rnn serve under load: streaming clients at once against one `rnn sample` process, many small
requests against as many `rnn sample` invocations, and the server's memory over many requests.

    bench/serve.py [--model MODEL] [--rounds N] [--quick]

MODEL (default: bench/out/serve-model, trained for 30 steps on Alice with the default settings when
missing: the speed of a model depends on its shape, not its training) is served by `app/rnn serve
--parallel 64` on a free loopback port. Clients are threads of this process (http.client, one
connection each). Writes bench/out/serve.json and prints the table bench/README.md shows.
"""
import argparse
import http.client
import json
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from run import OUT, RNN, ROOT, log, machine

CHARS = 2000
MODEL = {"id": None}  # the served model's name, from GET /v1/models


def start_server(model, parallel):
    p = subprocess.Popen([str(RNN), "serve", "--model", str(model), "--port", "0", "--parallel", str(parallel),
                          "--max-queue", "100000", "-q"], stdout=subprocess.PIPE, text=True)
    url = p.stdout.readline().strip()
    if not url.startswith("http://"):
        raise SystemExit(f"rnn serve did not start (exit {p.wait()})")
    host, port = url[len("http://"):].split(":")
    c = http.client.HTTPConnection(host, int(port), timeout=60)
    c.request("GET", "/v1/models")
    MODEL["id"] = json.loads(c.getresponse().read())["data"][0]["id"]
    c.close()
    return p, host, int(port)


def stream(host, port, prompt, n_chars, seed):
    """One streaming completion: (seconds to the first character, seconds in all, characters)."""
    c = http.client.HTTPConnection(host, port, timeout=600)
    body = json.dumps({"model": MODEL["id"], "prompt": prompt, "max_tokens": n_chars, "seed": seed, "stream": True})
    t0 = time.perf_counter()
    c.request("POST", "/v1/completions", body, {"Content-Type": "application/json"})
    r = c.getresponse()
    first, chars = None, 0
    for line in r:
        if line.startswith(b"data: {"):
            text = json.loads(line[6:])["choices"][0]["text"]
            if text and first is None:
                first = time.perf_counter() - t0
            chars += len(text)
    c.close()
    return first, time.perf_counter() - t0, chars


def whole(host, port, prompt, n_chars, seed):
    c = http.client.HTTPConnection(host, port, timeout=600)
    c.request("POST", "/v1/completions", json.dumps({"model": MODEL["id"], "prompt": prompt, "max_tokens": n_chars,
                                                     "seed": seed}), {"Content-Type": "application/json"})
    r = c.getresponse()
    assert r.status == 200, r.read()
    r.read()
    c.close()


def clients(host, port, count, n_chars):
    """`count` streams at once: aggregate characters per second, and each stream's first-character time."""
    results = [None] * count

    def run(i):
        results[i] = stream(host, port, "Alice was ", n_chars, i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    assert all(r[2] == n_chars for r in results), [r[2] for r in results]
    return sum(r[2] for r in results) / wall, [r[0] for r in results]


def pct(values, q):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(q * (len(v) - 1))))]


def rss_mb(pid):
    """The resident memory of the server's JVM (the launcher execs java, so the pid is the JVM's)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=OUT / "serve-model")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of the client counts, alternated")
    ap.add_argument("--quick", action="store_true", help="small counts: checks the harness, figures not meaningful")
    a = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    model = a.model
    if not model.exists():
        alice = ROOT / "data" / "alice.txt"
        if not alice.exists():
            subprocess.run([str(ROOT / "data" / "fetch-alice.sh")], check=True)
        log(f"training {model} (30 steps of the default model)")
        subprocess.run([str(RNN), "train", str(alice), "--model", str(model), "--max-steps", "30", "-q"], check=True)
    counts = [1, 4, 16] if a.quick else [1, 4, 16, 64]
    small, invocations = (20, 10) if a.quick else (200, 200)
    res = {"machine": machine(), "model": str(model), "chars": CHARS, "rounds": a.rounds}

    # one rnn sample process of CHARS characters: its whole wall time (JVM start and loading included)
    sample = []
    for _ in range(a.rounds):
        t0 = time.perf_counter()
        subprocess.run([str(RNN), "sample", "-m", str(model), "-s", "Alice was ", "-n", str(CHARS), "--random-seed",
                        "1", "-q"], check=True, stdout=subprocess.DEVNULL)
        sample.append(time.perf_counter() - t0)
    res["sample_seconds"] = sample
    log(f"rnn sample -n {CHARS}: median {statistics.median(sample):.2f} s")

    server, host, port = start_server(model, 64)
    try:
        whole(host, port, "warm", 200, 0)  # the JIT's first compilations
        runs = {c: [] for c in counts}
        for _ in range(a.rounds):
            for c in counts:
                runs[c].append(clients(host, port, c, CHARS))
                log(f"{c} clients: {runs[c][-1][0]:,.0f} chars/s")
        res["clients"] = {c: {"chars_per_s": [r[0] for r in rs], "first_char_s": [x for r in rs for x in r[1]]}
                          for c, rs in runs.items()}

        t0 = time.perf_counter()
        for i in range(small):
            whole(host, port, "Alice was ", 200, i)
        res["server_small_seconds"] = time.perf_counter() - t0
        log(f"{small} requests of 200 characters: {res['server_small_seconds']:.2f} s")

        rss = {}
        done = 0
        for target in ([100, 1000] if a.quick else [100, 10000]):
            lock = threading.Lock()

            def worker():
                nonlocal done
                while True:
                    with lock:
                        if done >= target:
                            return
                        done += 1
                        i = done
                    whole(host, port, "Alice was ", 200, i)

            threads = [threading.Thread(target=worker) for _ in range(16)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            rss[target] = rss_mb(server.pid)
            log(f"after {target} requests: {rss[target]:.0f} MB resident")
        res["rss_mb"] = rss
    finally:
        server.terminate()
        server.wait(timeout=120)

    t0 = time.perf_counter()
    for i in range(invocations):
        subprocess.run([str(RNN), "sample", "-m", str(model), "-s", "Alice was ", "-n", "200", "--random-seed", str(i),
                        "-q"], check=True, stdout=subprocess.DEVNULL)
    res["sample_small_seconds"] = time.perf_counter() - t0
    res["invocations"] = invocations
    res["small_requests"] = small
    log(f"{invocations} rnn sample invocations of 200 characters: {res['sample_small_seconds']:.1f} s")
    (OUT / "serve.json").write_text(json.dumps(res, indent=1))

    one = statistics.median(r for r in res["clients"][1]["chars_per_s"])
    print(f"| clients | characters/s (median of {a.rounds}) | vs 1 client | first character p50 | p99 |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    print(f"| `rnn sample -n {CHARS}` (1 process) | {CHARS / statistics.median(sample):,.0f} | | | |")
    for c in counts:
        r = res["clients"][c]
        med = statistics.median(r["chars_per_s"])
        print(f"| {c} | {med:,.0f} | {med / one:.1f}x | {pct(r['first_char_s'], 0.5) * 1000:.1f} ms | "
              f"{pct(r['first_char_s'], 0.99) * 1000:.1f} ms |")
    print(f"\n{small} requests of 200 characters: {res['server_small_seconds']:.1f} s through the server, "
          f"{res['sample_small_seconds'] * small / invocations:.1f} s as `rnn sample` invocations "
          f"({res['sample_small_seconds'] * small / invocations / res['server_small_seconds']:.0f}x).")
    print("Resident memory: " + ", ".join(f"{v:.0f} MB after {k:,} requests" for k, v in res["rss_mb"].items()))


if __name__ == "__main__":
    sys.exit(main())
