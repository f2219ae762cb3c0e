"""What the two PyTorch peers (peer_torch.py, peer_gpt.py) share: the corpus, the schedule, the curve.

Corpus: a directory written by `rnn prepare` (ids.bin, manifest.json: rnn's own normalisation,
Gutenberg boilerplate stripped, 90/10 split by code points) is read as it is, so a peer trains and
scores on exactly rnn's ids; a text file is split the same way with line endings normalised only
(right for tiny-shakespeare, which has no boilerplate; bench/run.py's use).
"""
import json
import math
import os
import time
from pathlib import Path

import numpy as np


def load(path, val_fraction=0.1):
    """(train ids, validation ids, vocabulary size)."""
    p = Path(path)
    if p.is_dir():
        m = json.loads((p / "manifest.json").read_text(encoding="utf-8"))
        dtype = {1: np.uint8, 2: "<u2", 4: "<u4"}[m["idWidth"]]
        ids = np.fromfile(p / "ids.bin", dtype=dtype).astype(np.int64)
        s = m["split"]
        if len(ids) != m["codePoints"]:
            raise SystemExit(f"{p}/ids.bin: {len(ids)} ids, the manifest says {m['codePoints']}; prepare it again")
        train = ids[s["trainStart"]: s["trainStart"] + s["trainLength"]]
        val = ids[s["valStart"]: s["valStart"] + s["valLength"]]
        return train, val, m["vocabSize"]
    # The same normalisation as `rnn prepare` for a corpus without BOM or boilerplate (CRLF -> LF).
    text = open(p, encoding="utf-8", newline="").read().replace("\r\n", "\n").replace("\r", "\n")
    chars = sorted(set(text))
    stoi = {c: i for i, c in enumerate(chars)}
    ids = np.array([stoi[c] for c in text], dtype=np.int64)
    n_val = round(len(ids) * val_fraction)
    return ids[: len(ids) - n_val], ids[len(ids) - n_val:], len(chars)


def eval_slice(val, eval_chars):
    """The first eval_chars transitions of the validation split (ids: one more), as rnn's --eval-chars; 0 = all."""
    return val[: eval_chars + 1] if eval_chars > 0 else val


class Schedule:
    """The learning rate at a step: linear warm-up over `warmup` steps, then

    constant  lr throughout;
    cosine    from lr to min_lr over the progress left after the warm-up;
    wsd       lr held, then linear to min_lr over the final `decay_fraction` of the progress;
    char-rnn  lr * decay^(epochs beyond `decay_after`), rnn's and char-rnn's per-epoch decay.

    Progress is training wall time / the time budget when there is one (the run reaches min_lr when
    its time is up), else step / steps.
    """

    def __init__(self, kind, lr, min_lr=0.0, warmup=0, decay_fraction=0.2, max_time=0.0, steps=0,
                 lr_decay=0.97, decay_after=30):
        if kind not in ("constant", "cosine", "wsd", "char-rnn"):
            raise SystemExit(f"--schedule: constant, cosine, wsd or char-rnn, not {kind}")
        self.kind, self.lr, self.min_lr, self.warmup = kind, lr, min_lr, warmup
        self.decay_fraction, self.max_time, self.steps = decay_fraction, max_time, steps
        self.lr_decay, self.decay_after = lr_decay, decay_after
        self.warmup_end = None  # progress when the warm-up ended

    def progress(self, step, elapsed):
        p = elapsed / self.max_time if self.max_time > 0 else step / max(self.steps, 1)
        return min(max(p, 0.0), 1.0)

    def at(self, step, elapsed, epoch=0):
        """Rate for the update that makes step `step` + 1 (0-based), `elapsed` seconds into the run."""
        if step < self.warmup:
            return self.lr * (step + 1) / (self.warmup + 1)
        p = self.progress(step, elapsed)
        if self.warmup_end is None:
            self.warmup_end = p if self.warmup > 0 else 0.0
        if self.kind == "constant":
            return self.lr
        if self.kind == "char-rnn":
            return self.lr * self.lr_decay ** max(0, epoch - self.decay_after + 1)
        if self.kind == "cosine":
            q = (p - self.warmup_end) / max(1.0 - self.warmup_end, 1e-9)
            return self.min_lr + 0.5 * (self.lr - self.min_lr) * (1 + math.cos(math.pi * min(max(q, 0.0), 1.0)))
        start = 1.0 - self.decay_fraction  # wsd
        if p <= start:
            return self.lr
        return self.lr + (self.min_lr - self.lr) * min((p - start) / max(self.decay_fraction, 1e-9), 1.0)


def check_schedule():
    """Schedule values at chosen steps and times (peer_torch.py --self-check)."""
    close = lambda x, y: abs(x - y) < 1e-12
    wsd = Schedule("wsd", 1.0, 0.0, warmup=10, decay_fraction=0.2, steps=100)
    assert close(wsd.at(4, 0), 5 / 11) and close(wsd.at(10, 0), 1) and close(wsd.at(80, 0), 1)
    assert close(wsd.at(90, 0), 0.5) and close(wsd.at(100, 0), 0)
    cos = Schedule("cosine", 1.0, 0.1, warmup=10, steps=110)  # the warm-up ends at progress 1/11
    assert close(cos.at(10, 0), 1) and close(cos.at(60, 0), 0.55) and close(cos.at(110, 0), 0.1)
    timed = Schedule("wsd", 2.0, 0.0, decay_fraction=0.5, max_time=10, steps=5)  # time, not steps
    assert close(timed.at(1000, 4.0), 2) and close(timed.at(1, 7.5), 1) and close(timed.at(1, 12), 0)
    char_rnn = Schedule("char-rnn", 1.0, lr_decay=0.5, decay_after=2)  # rnn's TrainConfig.learningRate
    assert [char_rnn.at(0, 0, e) for e in range(4)] == [1, 1, 0.5, 0.25]


def add_schedule_args(ap, schedule, lr, min_lr, warmup):
    ap.add_argument("--schedule", default=schedule, help="constant, cosine, wsd or char-rnn (see Schedule)")
    ap.add_argument("--lr", type=float, default=lr)
    ap.add_argument("--min-lr", type=float, default=min_lr, help="where cosine and wsd end")
    ap.add_argument("--warmup", type=int, default=warmup, help="steps of linear warm-up")
    ap.add_argument("--decay-fraction", type=float, default=0.2, help="wsd: the final fraction of the budget that decays")
    ap.add_argument("--lr-decay", type=float, default=0.97, help="char-rnn: factor per epoch")
    ap.add_argument("--lr-decay-after", type=int, default=30, help="char-rnn: epochs at the initial rate")


def schedule_of(a):
    return Schedule(a.schedule, a.lr, a.min_lr, a.warmup, a.decay_fraction, a.max_time, a.steps,
                    a.lr_decay, a.lr_decay_after)


def set_threads(torch, threads):
    # the peers' best setting on this machine: one thread per core (PyTorch defaults to physical cores)
    torch.set_num_threads(threads or os.cpu_count())


class Curve:
    """The `--curve` file: one JSON object per evaluation, then a summary line with the best one.

    elapsed_s is wall time since the start at the end of the evaluated step, earlier evaluations
    included, as rnn's metrics.csv counts it.
    """

    def __init__(self, path, protocol):
        self.f = open(path, "w", encoding="utf-8") if path else None
        self.protocol = protocol
        self.best = None
        self.rows = 0

    def add(self, step, elapsed, train_loss, val_loss, lr, **extra):
        row = {"step": step, "elapsed_s": round(elapsed, 2), "train_loss": train_loss, "val_loss": val_loss,
               "protocol": self.protocol, "lr": lr, **extra}
        self.rows += 1
        if self.best is None or val_loss < self.best["val_loss"]:
            self.best = row
        if self.f:
            self.f.write(json.dumps(row) + "\n")
            self.f.flush()

    def summary(self, **extra):
        b = self.best or {}
        s = {"summary": True, "best_val_loss": b.get("val_loss"), "best_step": b.get("step"),
             "best_elapsed_s": b.get("elapsed_s"), "protocol": self.protocol, "evaluations": self.rows, **extra}
        if self.f:
            self.f.write(json.dumps(s) + "\n")
            self.f.close()
        return s


class Clock:
    """Wall time of the run, one perf_counter() reading per call."""

    def __init__(self):
        self.t0 = time.perf_counter()

    def __call__(self):
        return time.perf_counter() - self.t0
