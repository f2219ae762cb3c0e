#!/usr/bin/python3
"""PyTorch peer for bench/run.py: the same char-LSTM as `rnn train`, measured the same way.

Model: one-hot input, LSTM layers of H units, dropout between layers and before the output,
a linear softmax output. Loss: cross-entropy summed over the window and averaged over the batch
(DL4J's and char-rnn's scale), gradients clipped element-wise to [-clip, clip], Adam.
Initialisation: weights uniform +-0.08; one bias per gate, 0 except the forget gate's 1, and an
output bias of 0, as rnn (DL4J) has (`--two-biases`: PyTorch's default input- and hidden-side
biases, uniform +-0.08 with the forget gates' summing to 1, as char-rnn's two linear maps have).
Windows: non-overlapping windows of the training split in a shuffled order, `batch` per step.
Validation: every transition of the validation split, windows of seq_length, state reset per window.

Prints one JSON object on stdout.
"""
import argparse
import json
import math
import os
import statistics
import time

import numpy as np
import torch
import torch.nn as nn


def load(path, val_fraction=0.1):
    # The same normalisation as `rnn prepare` for the corpora used here (no BOM, CRLF -> LF).
    text = open(path, encoding="utf-8", newline="").read().replace("\r\n", "\n").replace("\r", "\n")
    chars = sorted(set(text))
    stoi = {c: i for i, c in enumerate(chars)}
    ids = np.array([stoi[c] for c in text], dtype=np.int64)
    n_val = round(len(ids) * val_fraction)
    return ids[: len(ids) - n_val], ids[len(ids) - n_val:], chars


class CharLstm(nn.Module):
    def __init__(self, vocab, hidden, layers, dropout, one_bias=False):
        super().__init__()
        self.vocab = vocab
        self.lstm = nn.LSTM(vocab, hidden, layers, dropout=dropout if layers > 1 else 0.0)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(hidden, vocab)
        for p in self.parameters():
            nn.init.uniform_(p, -0.08, 0.08)
        for l in range(layers):
            for name in (f"bias_ih_l{l}", f"bias_hh_l{l}"):
                b = getattr(self.lstm, name)
                with torch.no_grad():
                    b[hidden: 2 * hidden] = 0.5  # forget gate (PyTorch order i, f, g, o): 0.5 + 0.5 = 1
        if one_bias:
            # DL4J's LSTM has one bias per gate (0, forget gate 1) and its output layer's bias starts
            # at 0; PyTorch's two (input and hidden) biases get the same gradient, so Adam moves
            # their sum twice as fast. Freeze the hidden-side one at 0 to train the identical model.
            with torch.no_grad():
                for l in range(layers):
                    getattr(self.lstm, f"bias_hh_l{l}").zero_()
                    getattr(self.lstm, f"bias_hh_l{l}").requires_grad_(False)
                    bi = getattr(self.lstm, f"bias_ih_l{l}")
                    bi.zero_()
                    bi[hidden: 2 * hidden] = 1.0
                self.out.bias.zero_()

    def forward(self, x_ids, state=None):
        x = nn.functional.one_hot(x_ids, self.vocab).float()   # [T, B, V]
        h, state = self.lstm(x, state)
        return self.out(self.drop(h)), state


def windows(ids, seq):
    n = (len(ids) - 1) // seq
    return n


def batch_of(ids, starts, seq):
    x = np.stack([ids[s: s + seq] for s in starts], axis=1)
    y = np.stack([ids[s + 1: s + seq + 1] for s in starts], axis=1)
    return torch.from_numpy(x), torch.from_numpy(y)


def evaluate(model, val, seq, batch):
    model.eval()
    total, count = 0.0, 0
    n = len(val) - 1
    starts = list(range(0, n, seq))
    with torch.no_grad():
        for k in range(0, len(starts), batch):
            for s in starts[k: k + batch]:
                pass
            group = starts[k: k + batch]
            # the last window may be shorter: score windows of equal length together
            full = [s for s in group if s + seq <= n]
            part = [s for s in group if s + seq > n]
            for grp, length in ((full, seq), (part, None)):
                if not grp:
                    continue
                L = length or (n - grp[0])
                x, y = batch_of(val, grp, L)
                logits, _ = model(x)
                loss = nn.functional.cross_entropy(logits.reshape(-1, model.vocab), y.reshape(-1), reduction="sum")
                total += loss.item()
                count += y.numel()
    model.train()
    return total / count


def sample_speed(model, vocab, n_chars, n_samples, seed=1):
    model.eval()
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        x = torch.zeros(1, n_samples, dtype=torch.long)
        state = None
        t0 = time.perf_counter()
        for _ in range(n_chars):
            logits, state = model(x, state)
            p = torch.softmax(logits[0], dim=-1)
            x = torch.multinomial(p, 1, generator=g).reshape(1, n_samples)
        dt = time.perf_counter() - t0
    model.train()
    return n_chars * n_samples / dt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--seq-length", type=int, default=100)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--clip", type=float, default=5.0)
    ap.add_argument("--dropout", type=float, default=0.0)
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--max-time", type=float, default=0, help="train for this many seconds instead of --steps")
    ap.add_argument("--sample-chars", type=int, default=0)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--threads", type=int, default=0, help="0 = one per core")
    ap.add_argument("--two-biases", action="store_true",
                    help="PyTorch's default LSTM biases (input and hidden side, both trained) instead of rnn's one per gate")
    a = ap.parse_args()

    # the peer's best setting on this machine: one thread per core (PyTorch defaults to physical cores)
    torch.set_num_threads(a.threads or os.cpu_count())
    torch.manual_seed(a.seed)
    train, val, chars = load(a.corpus)
    model = CharLstm(len(chars), a.hidden, a.layers, a.dropout, one_bias=not a.two_biases)
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=a.lr)
    rng = np.random.default_rng(a.seed)
    n_win = windows(train, a.seq_length)
    order = rng.permutation(n_win)
    pos = 0
    step_times = []
    t_start = time.perf_counter()
    step = 0
    while True:
        if a.max_time > 0:
            if time.perf_counter() - t_start >= a.max_time:
                break
        elif step >= a.steps:
            break
        if pos + a.batch > n_win:
            order = rng.permutation(n_win)
            pos = 0
        starts = order[pos: pos + a.batch] * a.seq_length
        pos += a.batch
        x, y = batch_of(train, starts, a.seq_length)
        t0 = time.perf_counter()
        logits, _ = model(x)
        loss = nn.functional.cross_entropy(logits.reshape(-1, len(chars)), y.reshape(-1)) * a.seq_length
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if a.clip > 0:
            for p in model.parameters():
                if p.grad is not None:
                    p.grad.clamp_(-a.clip, a.clip)
        opt.step()
        step_times.append(time.perf_counter() - t0)
        step += 1
    steady = step_times[3:] or step_times
    cps = a.batch * a.seq_length / statistics.median(steady)
    result = {
        "steps": step,
        "train_seconds": time.perf_counter() - t_start,
        "chars_per_s": cps,
        "val_loss": evaluate(model, val, a.seq_length, a.batch),
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "blas": blas_name(),
    }
    if a.sample_chars:
        result["sample1_chars_per_s"] = sample_speed(model, len(chars), a.sample_chars, 1)
        result["sample16_chars_per_s"] = sample_speed(model, len(chars), max(a.sample_chars // 4, 100), 16)
    print(json.dumps(result))


def blas_name():
    try:
        cfg = torch.__config__.show()
    except Exception:
        cfg = ""
    for line in open("/proc/self/maps"):
        if "libblas" in line or "openblas" in line:
            return os.path.realpath(line.split()[-1])
    return "unknown"


if __name__ == "__main__":
    main()
