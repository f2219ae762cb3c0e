#!/usr/bin/python3
"""Benchmark rnn against a PyTorch peer with the identical model, on the same corpus and machine.

    bench/run.py [--quick] [--repeats N] [--wall SECONDS]

Installs the peer's packages with apt when missing (python3-torch and libopenblas0-openmp: PyTorch
alone computes with the reference BLAS, about 21x slower), builds rnn, then alternates rnn and peer
runs and writes bench/RESULTS.md (the table) and bench/results.json (every raw figure).
Runs nothing else at the same time: the machine has 2 cores.
"""
import argparse
import datetime
import json
import math
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RNN = ROOT / "app" / "rnn"
OUT = BENCH / "out"
PY = "/usr/bin/python3"


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


OPENMP_BLAS = Path("/usr/lib/x86_64-linux-gnu/openblas-openmp")


def apt_install(*packages):
    log(f"installing {', '.join(packages)} with apt")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run(sudo + ["apt-get", "update", "-q"], check=True, env=env)
    subprocess.run(sudo + ["apt-get", "install", "-y", "-q", "--no-install-recommends"] + list(packages),
                   check=True, env=env)
    pin_openmp_blas(sudo)


def pin_openmp_blas(sudo):
    """Another package (python3-scipy, say) can bring the pthread OpenBLAS, which outranks the OpenMP
    one in Debian's alternatives and fights OpenMP on 2 cores: point the three runtime links back."""
    for lib in ("libblas.so.3", "liblapack.so.3", "libopenblas.so.0"):
        name = f"{lib}-x86_64-linux-gnu"
        if os.readlink(f"/etc/alternatives/{name}") != str(OPENMP_BLAS / lib):
            log(f"pointing {lib} at {OPENMP_BLAS}")
            subprocess.run(sudo + ["update-alternatives", "--set", name, str(OPENMP_BLAS / lib)], check=True)


def ensure_peer():
    probe = subprocess.run([PY, "-c", "import torch"], capture_output=True)
    if probe.returncode != 0 or not OPENMP_BLAS.exists():
        apt_install("python3-torch", "libopenblas0-openmp")
    pin_openmp_blas([] if os.geteuid() == 0 else ["sudo"])


def timed(cmd, env=None, stdin=None):
    """Runs cmd; returns (stdout, stderr, wall seconds, peak RSS in MB of this child)."""
    wrapper = [PY, "-c", "import resource,subprocess,sys,time;t=time.perf_counter();"
               "r=subprocess.run(sys.argv[1:]);"
               "print(f'@@{time.perf_counter()-t} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}',file=sys.stderr);"
               "sys.exit(r.returncode)"] + [str(c) for c in cmd]
    p = subprocess.run(wrapper, capture_output=True, text=True, env=env, input=stdin)
    m = re.search(r"@@([\d.]+) (\d+)", p.stderr)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({p.returncode}):\n{p.stderr[-3000:]}")
    return p.stdout, p.stderr, float(m.group(1)), int(m.group(2)) / 1024


def rnn_train(corpus, model, hidden, steps=0, wall=0, eval_every=10, cell="lstm"):
    budget = ["--max-time", f"{wall}s"] if wall else ["--max-steps", str(steps)]
    out, err, secs, rss = timed([RNN, "train", corpus, "--model", model, "--cell", cell, "--hidden", hidden, "--layers", 2,
                                 "--seq-length", 100, "--batch", 64, "--dropout", 0, "--lr", "2e-3",
                                 "--lr-schedule", "constant", "--no-streams", "--clip", 5, "--eval-every", eval_every, "--sample-every", 0,
                                 "--checkpoint-every", 0, "--force", "-q", "--json"] + budget)
    summary = json.loads(out)
    rows = [l.split(",") for l in (Path(model) / "metrics.csv").read_text().splitlines()[1:]]
    cps = [float(r[6]) for r in rows[1:]] or [float(rows[0][6])]
    return {"chars_per_s": statistics.median(cps), "val_loss": summary["lastValLoss"], "steps": summary["steps"],
            "peak_rss_mb": rss, "wall_s": secs}


def peer_train(corpus, hidden, steps=0, wall=0, sample_chars=0, cell="lstm"):
    args = [PY, BENCH / "peer_torch.py", corpus, "--cell", cell, "--hidden", hidden, "--layers", 2, "--seq-length", 100,
            "--batch", 64, "--lr", "2e-3", "--clip", 5, "--dropout", 0]
    args += ["--max-time", wall] if wall else ["--steps", steps]
    if sample_chars:
        args += ["--sample-chars", sample_chars]
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    out, err, secs, rss = timed(args, env=env)
    r = json.loads(out)
    r["peak_rss_mb"] = rss
    r["wall_s"] = secs
    return r


def rnn_sample_speed(model, n, samples, repeats=3):
    """Characters per second of generation alone: a long run minus a short one (start-up, model
    loading), median of `repeats` pairs."""
    base = [RNN, "sample", "--model", model, "--random-seed", 1, "-q", "--num-samples", samples]
    speeds = []
    for _ in range(repeats):
        _, _, t_short, _ = timed(base + ["--length", 50])
        _, _, t_long, _ = timed(base + ["--length", n + 50])
        speeds.append(n * samples / max(t_long - t_short, 1e-6))
    return statistics.median(speeds)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer and shorter runs, to check the harness")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--wall", type=int, default=600, help="seconds for the same-wall-time (time to quality) comparison")
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpora" / "tinyshakespeare.txt"))
    ap.add_argument("--cells", default="lstm,gru", help="the cells whose speed rows are measured, comma-separated")
    ap.add_argument("--sizes", default="256,512", help="the layer sizes of the training speed rows, comma-separated (256, 512)")
    ap.add_argument("--speed-only", action="store_true",
                    help="only the training and sampling speed rows (no wall-time, prepare or memory rows)")
    a = ap.parse_args()
    cells = [c for c in a.cells.split(",") if c]
    sizes = {int(x) for x in a.sizes.split(",") if x}
    if 256 not in sizes or not sizes <= {256, 512}:
        ap.error("--sizes: 256 (the sampling rows use its models), optionally 512")
    if a.quick:
        a.repeats, a.wall = 1, 30
    steps256, steps512 = (20, 8) if a.quick else (150, 40)

    ensure_peer()
    OUT.mkdir(exist_ok=True)
    log("building rnn")
    subprocess.run([RNN, "--version"], check=True, capture_output=True)
    corpus = a.corpus
    res = {"machine": machine(), "settings": vars(a), "runs": []}

    def record(kind, who, r):
        r.update(kind=kind, who=who)
        res["runs"].append(r)
        log(f"{kind} {who}: {json.dumps({k: v for k, v in r.items() if k not in ('kind', 'who')})}")

    # the rows of an LSTM are named train256, train512; a GRU's train256-gru, ...
    suffix = {c: "" if c == "lstm" else f"-{c}" for c in cells}
    for rep in range(a.repeats):
        for c in cells:
            x = suffix[c]
            if 256 in sizes:  # the sampling rows below use the 2 x 256 models
                record("train256" + x, "rnn", rnn_train(corpus, OUT / f"m256{x}", 256, steps=steps256,
                                                        eval_every=steps256 // 5, cell=c))
                record("train256" + x, "peer", peer_train(corpus, 256, steps=steps256,
                                                          sample_chars=2000 if rep == 0 else 0, cell=c))
            if 512 in sizes:
                record("train512" + x, "rnn", rnn_train(corpus, OUT / f"m512{x}", 512, steps=steps512,
                                                        eval_every=max(steps512 // 4, 2), cell=c))
                record("train512" + x, "peer", peer_train(corpus, 512, steps=steps512, cell=c))

    # sampling from the 2 x 256 models trained above
    n1 = 2000 if a.quick else 50000
    res["sample"] = {}
    for c in cells:
        res["sample"]["rnn_1" + suffix[c]] = rnn_sample_speed(OUT / f"m256{suffix[c]}", n1, 1)
        res["sample"]["rnn_16" + suffix[c]] = rnn_sample_speed(OUT / f"m256{suffix[c]}", n1 // 5, 16)
    if a.speed_only:  # a partial run never overwrites the committed results
        (OUT / "results.json").write_text(json.dumps(res, indent=2))
        write_table(res, OUT)
        log("wrote bench/out/RESULTS.md and bench/out/results.json (speed rows only)")
        return
    # scored once, after the time is up, as the peer: an eval-every beyond the run
    record("wall", "rnn", rnn_train(corpus, OUT / "mwall", 256, wall=a.wall, eval_every=1_000_000))
    record("wall", "peer", peer_train(corpus, 256, wall=a.wall))
    colds = [timed([RNN, "sample", "--model", OUT / "m256", "--length", 200, "--random-seed", 1, "-q"])[2]
             for _ in range(3)]
    res["cold_start_s"] = statistics.median(colds)

    # prepare throughput on a warm cache: 100 MB of War and Peace
    big = OUT / "wp100.txt"
    wp = ROOT.parent / "shared" / "corpora" / "war_and_peace.txt"
    if not big.exists():
        data = wp.read_bytes()
        with open(big, "wb") as f:
            for _ in range(30):
                f.write(data)
    timed([RNN, "prepare", big, "-o", OUT / "wp100", "--force", "-q"])  # warms the page cache
    preps = [timed([RNN, "prepare", big, "-o", OUT / "wp100", "--force", "-q"]) for _ in range(5)]
    t = statistics.median(p[2] for p in preps)
    res["prepare"] = {"mb": big.stat().st_size / 1e6, "seconds": t, "mb_per_s": big.stat().st_size / 1e6 / t,
                      "runs_s": [round(p[2], 3) for p in preps], "peak_rss_mb": max(p[3] for p in preps)}

    # memory against corpus size: the 2 x 256 training run on a corpus of about 1 GB (War and Peace
    # concatenated), prepared first (also a prepare figure at that size)
    copies = 3 if a.quick else 298
    huge = OUT / f"wp{copies}.txt"
    if not huge.exists() or huge.stat().st_size != copies * wp.stat().st_size:
        data = wp.read_bytes()
        with open(huge, "wb") as f:
            for _ in range(copies):
                f.write(data)
    _, _, t, rss = timed([RNN, "prepare", huge, "-o", OUT / "wphuge", "--force", "-q"])
    res["prepare_huge"] = {"mb": huge.stat().st_size / 1e6, "seconds": t, "mb_per_s": huge.stat().st_size / 1e6 / t,
                           "peak_rss_mb": rss}
    record("train256_huge", "rnn", rnn_train(OUT / "wphuge", OUT / "mhuge", 256, steps=steps256,
                                             eval_every=steps256 // 5))
    huge.unlink()
    shutil.rmtree(OUT / "wphuge", ignore_errors=True)

    (BENCH / "results.json").write_text(json.dumps(res, indent=2))
    write_table(res)
    log("wrote bench/RESULTS.md and bench/results.json")


def machine():
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    flags = Path("/proc/cpuinfo").read_text()
    return {"cpu": cpu, "cores": os.cpu_count(), "avx512": "avx512f" in flags, "kernel": platform.release(),
            "java": subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0],
            "date": datetime.date.today().isoformat()}


def write_table(res, where=BENCH):
    runs = res["runs"]

    def med(kind, who, key):
        vals = [r[key] for r in runs if r["kind"] == kind and r["who"] == who and r.get(key) is not None]
        return statistics.median(vals) if vals else float("nan")

    rows = []

    def row(name, rnn_v, peer_v, fmt, better="higher"):
        if math.isnan(rnn_v) and math.isnan(peer_v):
            return  # a size this run left out (--sizes)
        ratio = rnn_v / peer_v if peer_v else float("nan")
        if better == "lower":
            ratio = peer_v / rnn_v if rnn_v else float("nan")
        rows.append(f"| {name} | {fmt.format(rnn_v)} | {fmt.format(peer_v)} | {ratio:.2f}x |")

    cells = [c for c in ("lstm", "gru") if any(r["kind"] == "train256" + ("" if c == "lstm" else f"-{c}") for r in runs)]
    for c in cells:
        x = "" if c == "lstm" else f"-{c}"
        name = c.upper()
        peer = next(r for r in runs if r["who"] == "peer" and r["kind"] == "train256" + x)
        row(f"{name} training chars/s, 2 x 256", med("train256" + x, "rnn", "chars_per_s"),
            med("train256" + x, "peer", "chars_per_s"), "{:,.0f}")
        row(f"{name} training chars/s, 2 x 512", med("train512" + x, "rnn", "chars_per_s"),
            med("train512" + x, "peer", "chars_per_s"), "{:,.0f}")
        row(f"{name} val loss after {peer['steps']} steps (2 x 256), nats", med("train256" + x, "rnn", "val_loss"),
            med("train256" + x, "peer", "val_loss"), "{:.4f}", "lower")
        if c == "lstm" and any(r["kind"] == "wall" for r in runs):
            row(f"LSTM val loss after {res['settings']['wall']} s (2 x 256), nats", med("wall", "rnn", "val_loss"),
                med("wall", "peer", "val_loss"), "{:.4f}", "lower")
        row(f"{name} sampling chars/s, 1 sample", res["sample"]["rnn_1" + x], peer.get("sample1_chars_per_s", float("nan")),
            "{:,.0f}")
        row(f"{name} sampling chars/s, 16 samples (total)", res["sample"]["rnn_16" + x],
            peer.get("sample16_chars_per_s", float("nan")), "{:,.0f}")
        row(f"{name} peak RSS of training 2 x 256, MB", med("train256" + x, "rnn", "peak_rss_mb"),
            med("train256" + x, "peer", "peak_rss_mb"), "{:,.0f}", "lower")
    peer = next(r for r in runs if r["who"] == "peer")
    m = res["machine"]
    text = f"""# Benchmark results

Produced by `bench/run.py` on {m['date']}: {m['cpu']}, {m['cores']} cores, AVX-512 {'yes' if m['avx512'] else 'no'},
{m['java']}. Corpus: tiny-shakespeare. Model on both sides: one-hot input, 2 LSTM or GRU layers, sequence
100, batch 64, Adam 2e-3, element-wise clipping at 5, no dropout, weights uniform +-0.08, one bias per gate
(0, an LSTM's forget gate 1; a GRU's b_r, b_z, b_n, b_hn: nn.GRU in the formulation of rnn's `--cell gru`).
Figures are medians of {res['settings']['repeats']} alternating runs (training speed: median over the steady-state
evaluation intervals of each run). Ratio: rnn / peer, so above 1 is rnn ahead (for losses and memory: peer / rnn).

- rnn: {RNN.relative_to(ROOT)} with `--engine fast`, DL4J/ND4J 1.0.0-M2.1, bundled OpenBLAS 0.3.19, `OMP_NUM_THREADS=1`,
  `OPENBLAS_NUM_THREADS={m['cores']}`.
- peer: bench/peer_torch.py, PyTorch {peer.get('torch')} (Debian), {peer.get('threads')} threads, BLAS `{peer.get('blas')}`.

| measure | rnn | peer | ratio |
| --- | ---: | ---: | ---: |
""" + "\n".join(rows) + f"""

"""
    if "prepare" in res:
        text += f"""
Memory against corpus size (rnn, same 2 x 256 run of {runs[0]['steps']} steps): peak RSS {med('train256', 'rnn', 'peak_rss_mb'):,.0f} MB on
tiny-shakespeare (1.1 MB), {med('train256_huge', 'rnn', 'peak_rss_mb'):,.0f} MB on War and Peace concatenated to
{res['prepare_huge']['mb']:,.0f} MB (prepared beforehand: {res['prepare_huge']['mb_per_s']:.0f} MB/s, peak RSS {res['prepare_huge']['peak_rss_mb']:.0f} MB).

Other rnn figures: cold start of `rnn sample --length 200` {res['cold_start_s']:.2f} s (median of 3, whole command);
`rnn prepare` of a {res['prepare']['mb']:.0f} MB file (War and Peace x 30, warm cache) {res['prepare']['mb_per_s']:.0f} MB/s
(median of 5 runs, whole command: {', '.join(f'{x:.2f}' for x in res['prepare']['runs_s'])} s), peak RSS {res['prepare']['peak_rss_mb']:.0f} MB.
"""
    (where / "RESULTS.md").write_text(text)


if __name__ == "__main__":
    main()
