#!/usr/bin/env python3
"""Documents (issue 31): prepare's speed on a folder of many small files and on one large file, labels
that steer, and novel documents from a word list.

    bench/documents.py prepare [--reference OTHER_CHECKOUT] [--runs 5]
    bench/documents.py labels [--minutes 10] [--corpus data/authors --model models/authors]
    bench/documents.py novel [--minutes 3] [--words /usr/share/dict/words] [--model MODEL]

Corpora come from ../shared/corpora (or RNN_CORPORA); everything is written under bench/out/documents.
Times are whole commands (JVM start included), medians of alternated runs.
"""
import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RNN = str(ROOT / "app" / "rnn")
OUT = ROOT / "bench" / "out" / "documents"
CORPORA = Path(os.environ.get("RNN_CORPORA", ROOT.parent / "shared" / "corpora"))


def run(cmd, **kw):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit(f"{' '.join(map(str, cmd))}: exit {r.returncode}\n{r.stderr}")
    return r


def timed(cmd):
    t = time.perf_counter()
    run(cmd)
    return time.perf_counter() - t


def small_files(n=10_000, size=5_000):
    """n files of `size` characters cut from War and Peace, in 50 folders."""
    d = OUT / "many"
    if not (d / "d49").exists():
        text = (CORPORA / "war_and_peace.txt").read_text(encoding="utf-8")
        for i in range(n):
            f = d / f"d{i % 50:02d}" / f"f{i:05d}.txt"
            f.parent.mkdir(parents=True, exist_ok=True)
            s = (i * size) % (len(text) - size - 1)
            f.write_text(text[s:s + size], encoding="utf-8")
    return d, sum(f.stat().st_size for f in d.rglob("*.txt"))


def big_file():
    f = OUT / "wp100.txt"
    if not f.exists():
        text = (CORPORA / "war_and_peace.txt").read_bytes()
        f.write_bytes(text * 30)
    return f, f.stat().st_size


def prepare(args):
    builds = [("this", RNN)] + ([("reference", str(Path(args.reference) / "app" / "rnn"))] if args.reference else [])
    for name, path, size in [("10,000 files", *small_files()), ("one file", *big_file())]:
        times = {b: [] for b, _ in builds}
        for _ in range(args.runs):
            for b, rnn in builds:
                if b == "reference" and name == "10,000 files":
                    continue  # the reference reads one file only
                times[b].append(timed([rnn, "prepare", path, "-o", OUT / f"prepared-{b}", "--force", "-q"]))
        for b, ts in times.items():
            if ts:
                m = statistics.median(ts)
                print(f"{name} ({size / 1e6:.1f} MB), {b}: median {m:.2f} s = {size / 1e6 / m:.0f} MB/s "
                      f"({', '.join(f'{t:.2f}' for t in ts)})")


def chunks(text, lines):
    rows = text.splitlines(keepends=True)
    return ["".join(rows[i:i + lines]) for i in range(0, len(rows), lines)]


def labels(args):
    corpus = Path(args.corpus) if args.corpus else OUT / "authors"
    if not corpus.exists():
        wp = (CORPORA / "war_and_peace.txt").read_text(encoding="utf-8")
        wp = wp[wp.index("*** START OF"):wp.index("*** END OF")].split("\n", 1)[1]
        for label, text in [("shakespeare", (CORPORA / "tinyshakespeare.txt").read_text(encoding="utf-8")),
                            ("tolstoy", wp)]:
            (corpus / label).mkdir(parents=True)
            for i, part in enumerate(chunks(text, 20)):
                (corpus / label / f"part-{i:04d}.txt").write_text(part, encoding="utf-8")
    model = Path(args.model) if args.model else OUT / "authors-model"
    if not (model / "best.zip").exists():
        run([RNN, "train", corpus, "--label-from", "parent", "--model", model, "--force",
             "--max-time", f"{args.minutes}m", "-q"])
    better, total = 0, 0
    for label in ["shakespeare", "tolstoy"]:
        r = run([RNN, "sample", "-m", model, "--document", "--label", label, "--num-samples", "20",
                 "--random-seed", "1", "-n", "300", "--json"])
        scores = {}
        for i, line in enumerate(r.stdout.splitlines()):
            doc = OUT / f"generated-{label}-{i:02d}.txt"
            doc.write_text(json.loads(line)["text"], encoding="utf-8")
            for under in ["shakespeare", "tolstoy"]:
                s = json.loads(run([RNN, "score", "-m", model, doc, "--label", under, "-q"]).stdout)
                scores.setdefault(i, {})[under] = s["natsPerChar"]
        other = "tolstoy" if label == "shakespeare" else "shakespeare"
        own = sum(1 for s in scores.values() if s[label] < s[other])
        print(f"{label}: {own} of {len(scores)} score better under their own label; mean nats/char own "
              f"{statistics.mean(s[label] for s in scores.values()):.3f}, other "
              f"{statistics.mean(s[other] for s in scores.values()):.3f}")
        better, total = better + own, total + len(scores)
    print(f"labels: {better} of {total} = {100 * better / total:.0f} % better under their own label")


def novel(args):
    words = Path(args.words) if args.words else None
    if words is None or not words.exists():
        text = (CORPORA / "alice.txt").read_text(encoding="utf-8").lower()
        words = OUT / "alice-words.txt"
        words.write_text("\n".join(sorted(set(re.findall(r"[a-z]+", text)))) + "\n", encoding="utf-8")
    known = set(w.strip() for w in words.read_text(encoding="utf-8").splitlines() if w.strip())
    model = Path(args.model) if args.model else OUT / "words-model"
    if not (model / "best.zip").exists():
        run([RNN, "train", words, "--documents", "lines", "--model", model, "--force",
             "--max-time", f"{args.minutes}m", "-q"])
    for flag in [[], ["--novel"]]:
        r = run([RNN, "sample", "-m", model, "--document", "--num-samples", "1000", "--random-seed", "1", "-n", "40"]
                + flag)
        out = r.stdout.splitlines()
        copies = sum(1 for w in out if w in known)
        print(f"{len(known):,} words, 1000 samples{' --novel' if flag else ''}: {len(out)} printed, "
              f"{copies} copies of training words, {len(out) - copies} new "
              f"({len(set(out))} distinct); {r.stderr.strip().splitlines()[0] if flag else ''}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="what", required=True)
    a = sub.add_parser("prepare")
    a.add_argument("--reference", help="another checkout of rnn to compare (one file only)")
    a.add_argument("--runs", type=int, default=5)
    b = sub.add_parser("labels")
    b.add_argument("--minutes", type=int, default=10)
    b.add_argument("--corpus", help="a folder of one folder per label (default: made from the corpora)")
    b.add_argument("--model", help="a model trained on it (default: trained here)")
    c = sub.add_parser("novel")
    c.add_argument("--minutes", type=int, default=3)
    c.add_argument("--words", help="a word list, one per line (default: the words of Alice)")
    c.add_argument("--model", help="a model trained on it (default: trained here)")
    args = p.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    {"prepare": prepare, "labels": labels, "novel": novel}[args.what](args)


if __name__ == "__main__":
    main()
