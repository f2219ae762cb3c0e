#!/usr/bin/python3
"""What one synchronised step of `rnn train --spark` costs on a standalone cluster on this machine.

    bench/spark_step.py [--steps N] [--sizes 256,512] [--per-worker 64,256] [--workers 2]

Starts app/spark-cluster (a master and --workers one-core workers on 127.0.0.1), then for each
layer size and batch per worker trains `--steps` steps of a 2-layer LSTM on tiny-shakespeare with
`--spark spark://127.0.0.1:PORT --batch (per worker x workers)`, and reads the run's closing line:
the median step, split into the slowest share's computing, its fetching of the broadcast
parameters and the rest (scheduling, sending results, aggregation), and the bytes moved per step.
Writes bench/out/spark_step.json and prints a Markdown table. The cluster is stopped at the end.
Runs nothing else at the same time: the machine has 2 cores.
"""
import argparse
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RNN = ROOT / "app" / "rnn"
CLUSTER = ROOT / "app" / "spark-cluster"
OUT = BENCH / "out"
LINE = re.compile(r"Spark: ([\d,]+) steps computed by executor (.*?); a step \(median\) (\d+) ms, of which the slowest"
                  r" share computed (\d+) ms and fetched the parameters (\d+) ms; the rest \(scheduling, results,"
                  r" aggregation\) (-?\d+) ms; ([\d.]+) MB moved per step")


def log(msg):
    print(f"[spark-bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--sizes", default="256,512")
    ap.add_argument("--per-worker", default="64,256")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--memory", default="3g", help="each worker's (and executor's) memory")
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpora" / "tinyshakespeare.txt"))
    a = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    cluster_dir = OUT / "spark-cluster"
    port = free_port()
    log(f"starting {a.workers} workers")
    url = subprocess.run([CLUSTER, "start", "--workers", str(a.workers), "--cores", "1", "--memory", a.memory,
                          "--port", str(port), "--dir", cluster_dir], check=True, capture_output=True,
                         text=True).stdout.strip()
    rows = []
    try:
        for hidden in [int(x) for x in a.sizes.split(",")]:
            for per in [int(x) for x in a.per_worker.split(",")]:
                batch = per * a.workers
                model = OUT / f"spark-{hidden}-{per}"
                cmd = [RNN, "train", a.corpus, "--model", model, "--force", "--spark", url, "--cell", "lstm",
                       "--hidden", str(hidden), "--batch", str(batch), "--max-steps", str(a.steps),
                       "--eval-every", "1000000", "--eval-chars", "20000", "--sample-every", "0", "--checkpoint-every", "0"]
                # Spark settings reach the driver as system properties; the executors' heap holds the
                # fast step's activations of every time step
                env = dict(os.environ, RNN_JAVA_OPTS=f"-Xmx4g -XX:+UseSerialGC -Dspark.executor.memory={a.memory}")
                log(f"2 x {hidden}, batch {per} per worker ({batch} in all), {a.steps} steps")
                t0 = time.time()
                p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, env=env)
                if p.returncode != 0:
                    log(p.stderr)
                    raise SystemExit(f"training failed: {p.returncode}")
                m = LINE.search(p.stderr)
                if not m:
                    log(p.stderr)
                    raise SystemExit("no Spark summary line")
                step, compute, fetch, rest, mb = (int(m.group(3)), int(m.group(4)), int(m.group(5)), int(m.group(6)),
                                                  float(m.group(7)))
                sync = step - compute
                rows.append({"hidden": hidden, "per_worker": per, "batch": batch, "steps": a.steps, "step_ms": step,
                             "compute_ms": compute, "fetch_ms": fetch, "rest_ms": rest, "sync_ms": sync,
                             "sync_fraction": sync / step, "mb_per_step": mb, "executors": m.group(2),
                             "wall_s": time.time() - t0})
                log(json.dumps(rows[-1]))
    finally:
        subprocess.run([CLUSTER, "stop", "--dir", cluster_dir], check=False)
    (OUT / "spark_step.json").write_text(json.dumps(rows, indent=2))
    print("| model | batch per worker | step (ms) | computing (ms) | fetching parameters (ms) | rest (ms) |"
          " synchronisation share | MB per step |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(f"| 2 x {r['hidden']} | {r['per_worker']} | {r['step_ms']:,} | {r['compute_ms']:,} | {r['fetch_ms']:,} |"
              f" {r['rest_ms']:,} | {100 * r['sync_fraction']:.1f} % | {r['mb_per_step']:.1f} |")


if __name__ == "__main__":
    main()
