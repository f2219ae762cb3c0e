#!/usr/bin/python3
"""What starting a `rnn train --spark` run costs before it trains: the executors' start and their
fetching of rnn-spark.jar (160 MB) and the corpus, against an embedded master that fetches nothing.

    bench/spark_start.py [--repeats 3] [--workers 2]

Starts app/spark-cluster (--workers one-core workers on 127.0.0.1), then alternates, --repeats
times: one training step of a tiny LSTM on Alice with `--spark 'local[2]'`, the same through
`--spark spark://127.0.0.1:PORT` (app/rnn), and the same through app/spark-submit. For each it
records the whole command's wall time and the step's time from rnn's closing line (on the cluster
the first step includes the executors' fetching of the jar and the corpus). Prints medians and
writes bench/out/spark_start.json. The cluster is stopped at the end. Runs nothing else at the
same time: the machine has 2 cores.
"""
import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from spark_step import free_port, log

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
STEP = re.compile(r"a step \(median\) (\d+) ms")
TINY = ["--cell", "lstm", "--layers", "1", "--hidden", "32", "--seq-length", "50", "--batch", "16", "--max-steps", "1",
        "--eval-every", "1", "--eval-chars", "1000", "--sample-every", "0", "--checkpoint-every", "0", "--force"]


def timed(cmd):
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.monotonic() - t0
    if p.returncode != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed ({p.returncode}):\n{p.stderr}")
    m = STEP.search(p.stderr)
    return wall, int(m.group(1)) / 1000 if m else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpora" / "alice.txt"))
    a = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    cluster_dir = OUT / "spark-start-cluster"
    jar = ROOT / "app" / "target-spark" / "rnn-spark.jar"
    url = subprocess.run([ROOT / "app" / "spark-cluster", "start", "--workers", str(a.workers), "--cores", "1",
                          "--port", str(free_port()), "--dir", cluster_dir], check=True, capture_output=True,
                         text=True).stdout.strip()
    ways = {
        "local[2] (app/rnn)": lambda m: [ROOT / "app" / "rnn", "train", a.corpus, "-m", m, "--spark", "local[2]"] + TINY,
        "cluster (app/rnn)": lambda m: [ROOT / "app" / "rnn", "train", a.corpus, "-m", m, "--spark", url] + TINY,
        "cluster (app/spark-submit)": lambda m: [ROOT / "app" / "spark-submit", "--master", url, "--class",
                                                 "charrnn.cli.Main", jar, "train", a.corpus, "-m", m, "--spark"] + TINY,
    }
    runs = {k: [] for k in ways}
    try:
        for r in range(a.repeats):
            for k, cmd in ways.items():
                wall, step = timed(cmd(str(OUT / "spark-start-model")))
                runs[k].append({"wall_s": round(wall, 2), "step_s": step})
                log(f"{k}, run {r + 1}: {wall:.1f} s in all, the step {step} s")
    finally:
        subprocess.run([ROOT / "app" / "spark-cluster", "stop", "--dir", cluster_dir], check=False)
    (OUT / "spark_start.json").write_text(json.dumps(runs, indent=1))
    print("| run | whole command (median) | its step (median) | runs |")
    print("| --- | ---: | ---: | ---: |")
    for k, v in runs.items():
        print(f"| {k} | {statistics.median(x['wall_s'] for x in v):.1f} s | "
              f"{statistics.median(x['step_s'] for x in v):.2f} s | {len(v)} |")


if __name__ == "__main__":
    main()
