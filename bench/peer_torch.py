#!/usr/bin/python3
"""PyTorch peer: the same char-LSTM or char-GRU (`--cell`) as `rnn train`, trained and measured the same
way or char-rnn's way.

Model: one-hot input, LSTM layers of H units, dropout between layers and before the output,
a linear softmax output. Loss: cross-entropy summed over the window and averaged over the batch
(DL4J's and char-rnn's scale), Adam; gradients clipped element-wise to [-clip, clip] (rnn's) and/or
by their global norm (`--clip-norm`, char-rnn's and torch-rnn's); 0 turns either off.
Initialisation: weights uniform +-0.08; one bias per gate, 0 except the forget gate's 1, and an
output bias of 0, as rnn (DL4J) has (`--two-biases`: PyTorch's default input- and hidden-side
biases, uniform +-0.08 with the forget gates' summing to 1, as char-rnn's two linear maps have).

Training, two ways:
  windows   (default, rnn's) non-overlapping windows of the training split in a shuffled order,
            `batch` per step, each from zero state;
  --streams (char-rnn's) the split cut into `batch` contiguous streams; each step trains the next
            window of every stream from the state the previous window left, detached (truncated
            backpropagation through time); the state is reset at each epoch's start.
Validation, on the first --eval-chars transitions of the validation split, every transition once:
  windows   windows of seq_length, state reset per window (rnn's protocol);
  streams   the slice cut into `batch` contiguous streams, state carried from window to window.

Prints one JSON object on stdout; `--curve FILE` writes one JSON line per evaluation and a summary.
"""
import argparse
import json
import os
import statistics
import sys

import numpy as np
import torch
import torch.nn as nn

from peer_common import Clock, Curve, add_schedule_args, check_schedule, eval_slice, load, schedule_of, set_threads


class CharLstm(nn.Module):
    def __init__(self, vocab, hidden, layers, dropout, one_bias=False, cell="lstm"):
        super().__init__()
        self.vocab = vocab
        rnn = {"lstm": nn.LSTM, "gru": nn.GRU}[cell]
        self.lstm = rnn(vocab, hidden, layers, dropout=dropout if layers > 1 else 0.0)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(hidden, vocab)
        for p in self.parameters():
            nn.init.uniform_(p, -0.08, 0.08)
        if cell == "gru":
            if one_bias:
                self.one_gru_bias(hidden, layers)
            return
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

    def one_gru_bias(self, hidden, layers):
        """rnn's GRU (charrnn.model.Gru): biases b_r, b_z, b_n and b_hn, all 0 at the start. In nn.GRU's
        terms: bias_ih trained, bias_hh's reset and update parts held at 0 (a hook zeroes their
        gradient, so Adam leaves them there), its candidate part (b_hn) trained."""
        with torch.no_grad():
            for l in range(layers):
                getattr(self.lstm, f"bias_ih_l{l}").zero_()
                bh = getattr(self.lstm, f"bias_hh_l{l}")
                bh.zero_()
                keep = torch.zeros(3 * hidden)
                keep[2 * hidden:] = 1.0
                bh.register_hook(lambda g, keep=keep: g * keep)
            self.out.bias.zero_()

    def forward(self, x_ids, state=None):
        x = nn.functional.one_hot(x_ids, self.vocab).float()   # [T, B, V]
        h, state = self.lstm(x, state)
        return self.out(self.drop(h)), state


def batch_of(ids, starts, seq):
    idx = np.asarray(starts)[None, :] + np.arange(seq)[:, None]   # [T, B]
    return torch.from_numpy(ids[idx]), torch.from_numpy(ids[idx + 1])


def train_streams(n_ids, batch, seq):
    """Training streams: the start of each and the windows per epoch. Stream b holds transitions
    [b*L, (b+1)*L); an epoch's windows cover each of them at most once (the tail shorter than a
    window is not trained, as in char-rnn)."""
    length = (n_ids - 1) // batch
    per_epoch = length // seq
    if per_epoch < 1:
        raise SystemExit(f"--streams: the training split is too short for {batch} streams of {seq}")
    return np.arange(batch) * length, per_epoch


def val_streams(n, batch):
    """Validation streams over n transitions: (starts, lengths), lengths differing by at most one,
    covering every transition exactly once (asserted)."""
    b = min(batch, n)
    lengths = np.full(b, n // b)
    lengths[: n % b] += 1
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    covered = np.zeros(n, dtype=np.int64)
    for s, l in zip(starts, lengths):
        covered[s: s + l] += 1
    assert (covered == 1).all(), "validation streams must cover every transition once"
    return starts, lengths


def evaluate_windows(model, val, seq, batch):
    """rnn's protocol: windows of seq from zero state (the last one shorter); mean nats per transition."""
    n = len(val) - 1
    starts = list(range(0, n, seq))
    total, count = 0.0, 0
    with torch.no_grad():
        for k in range(0, len(starts), batch):
            group = starts[k: k + batch]
            full = [s for s in group if s + seq <= n]
            part = [s for s in group if s + seq > n]   # at most one: the last window
            for grp, length in ((full, seq), (part, n - part[0] if part else 0)):
                if grp:
                    x, y = batch_of(val, grp, length)
                    logits, _ = model(x)
                    total += nn.functional.cross_entropy(logits.reshape(-1, model.vocab), y.reshape(-1),
                                                         reduction="sum").item()
                    count += y.numel()
    assert count == n, (count, n)
    return total / count


def evaluate_streams(model, val, seq, batch):
    """char-rnn's protocol: `batch` contiguous streams, state carried from window to window."""
    n = len(val) - 1
    starts, lengths = val_streams(n, batch)
    longest = int(lengths.max())
    x = np.zeros((longest, len(starts)), dtype=np.int64)
    y = np.zeros_like(x)
    mask = np.zeros(x.shape, dtype=np.float32)
    for b, (s, l) in enumerate(zip(starts, lengths)):
        # a shorter stream is padded at its end: causal, so the padding changes none of its scores
        x[:l, b], y[:l, b], mask[:l, b] = val[s: s + l], val[s + 1: s + l + 1], 1
    x, y, mask = torch.from_numpy(x), torch.from_numpy(y), torch.from_numpy(mask)
    total, count, state = 0.0, 0.0, None
    with torch.no_grad():
        for t in range(0, longest, seq):
            logits, state = model(x[t: t + seq], state)
            nll = nn.functional.cross_entropy(logits.reshape(-1, model.vocab), y[t: t + seq].reshape(-1),
                                              reduction="none")
            m = mask[t: t + seq].reshape(-1)
            total += (nll * m).sum().item()
            count += m.sum().item()
    assert int(count) == n, (count, n)
    return total / count


def evaluate(model, val, a, protocols):
    model.eval()
    out = {p: (evaluate_streams if p == "streams" else evaluate_windows)(model, val, a.seq_length, a.batch)
           for p in protocols}
    model.train()
    return out


def sample_speed(model, vocab, n_chars, n_samples, seed=1):
    model.eval()
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        x = torch.zeros(1, n_samples, dtype=torch.long)
        state = None
        clock = Clock()
        for _ in range(n_chars):
            logits, state = model(x, state)
            p = torch.softmax(logits[0], dim=-1)
            x = torch.multinomial(p, 1, generator=g).reshape(1, n_samples)
        dt = clock()
    model.train()
    return n_chars * n_samples / dt


def self_check(a, vocab, val):
    """The stream and window protocols against references: carrying state window to window equals
    one forward pass per stream; one stream of the whole slice equals that slice in one pass;
    windows of the whole slice equal windows scored one by one; the schedules' values."""
    torch.manual_seed(a.seed)
    model = CharLstm(vocab, 32, 2, 0.0).eval()
    v = val[: 5 * 64 * 7 + 13]
    n = len(v) - 1

    def one_pass(x_ids, y_ids):
        logits, _ = model(torch.from_numpy(x_ids)[:, None])
        return nn.functional.cross_entropy(logits[:, 0], torch.from_numpy(y_ids), reduction="sum").item()

    with torch.no_grad():
        starts, lengths = val_streams(n, 7)
        ref = sum(one_pass(v[s: s + l], v[s + 1: s + l + 1]) for s, l in zip(starts, lengths)) / n
        got = evaluate_streams(model, v, 64, 7)
        assert abs(got - ref) < 1e-5, ("streams, carried state", got, ref)
        whole = one_pass(v[:-1], v[1:]) / n
        assert abs(evaluate_streams(model, v, 50, 1) - whole) < 1e-5, "one stream of the whole slice"
        wins = sum(one_pass(v[s: min(s + 64, n)], v[s + 1: min(s + 64, n) + 1]) for s in range(0, n, 64)) / n
        assert abs(evaluate_windows(model, v, 64, 5) - wins) < 1e-5, "windows"
        starts, per_epoch = train_streams(len(v), 7, 64)
        seen = np.zeros(n, dtype=np.int64)
        for t in range(per_epoch):
            for s in starts + t * 64:
                seen[s: s + 64] += 1
        assert seen.max() == 1 and seen.sum() == 7 * per_epoch * 64, "training streams overlap"
    check_schedule()
    print(f"self-check ok: streams {got:.6f} = per-stream passes {ref:.6f}; whole slice {whole:.6f}; "
          f"windows {wins:.6f}", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", help="a text file, or a directory written by `rnn prepare` (its ids and split)")
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--seq-length", type=int, default=100)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--clip", type=float, default=5.0, help="clip each gradient element to [-C, C]; 0 = off")
    ap.add_argument("--clip-norm", type=float, default=0.0, help="clip the gradients' global norm to C; 0 = off")
    ap.add_argument("--dropout", type=float, default=0.0)
    ap.add_argument("--streams", action="store_true", help="char-rnn's contiguous streams with carried state")
    add_schedule_args(ap, "constant", 2e-3, 0.0, 0)
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--max-time", type=float, default=0, help="train for this many seconds instead of --steps")
    ap.add_argument("--eval-every", type=int, default=0, help="evaluate every N steps; 0 = only at the end")
    ap.add_argument("--eval-chars", type=int, default=250000, help="transitions of the validation split scored; 0 = all")
    ap.add_argument("--val-protocol", choices=("windows", "streams", "both"),
                    help="default: streams with --streams, else windows; both: the curve has both")
    ap.add_argument("--curve", help="write one JSON line per evaluation here, then a summary line")
    ap.add_argument("--sample-chars", type=int, default=0)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--threads", type=int, default=0, help="0 = one per core")
    ap.add_argument("--cell", choices=("lstm", "gru"), default="lstm",
                    help="nn.LSTM, or nn.GRU (the formulation of rnn's --cell gru)")
    ap.add_argument("--two-biases", action="store_true",
                    help="PyTorch's default LSTM biases (input and hidden side, both trained) instead of rnn's one per gate")
    ap.add_argument("--self-check", action="store_true", help="check the protocols against references and exit")
    a = ap.parse_args()

    set_threads(torch, a.threads)
    train, val, vocab = load(a.corpus)
    if a.self_check:
        self_check(a, vocab, val)
        return
    torch.manual_seed(a.seed)
    primary = "streams" if a.streams else "windows"
    protocols = [primary] + ([{"streams": "windows", "windows": "streams"}[primary]] if a.val_protocol == "both" else [])
    if a.val_protocol in ("windows", "streams"):
        primary, protocols = a.val_protocol, [a.val_protocol]
    val = eval_slice(val, a.eval_chars)
    model = CharLstm(vocab, a.hidden, a.layers, a.dropout, one_bias=not a.two_biases, cell=a.cell)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=a.lr)
    schedule = schedule_of(a)
    curve = Curve(a.curve, primary)
    rng = np.random.default_rng(a.seed)
    if a.streams:
        stream_starts, per_epoch = train_streams(len(train), a.batch, a.seq_length)
    else:
        n_win = (len(train) - 1) // a.seq_length
        order = rng.permutation(n_win)
    pos, epoch, state = 0, 0, None
    step_times, loss_sum, loss_count, last_eval = [], 0.0, 0, 0
    results = {}
    clock = Clock()
    step = 0

    def record(elapsed, lr):
        nonlocal loss_sum, loss_count, last_eval, results
        results = evaluate(model, val, a, protocols)
        extra = {f"val_{p}": v for p, v in results.items()} if len(protocols) > 1 else {}
        curve.add(step, elapsed, loss_sum / max(loss_count, 1), results[primary], lr, epoch=epoch, **extra)
        loss_sum, loss_count, last_eval = 0.0, 0, step

    lr, elapsed = a.lr, 0.0
    while True:
        if a.max_time > 0:
            if clock() >= a.max_time:
                break
        elif step >= a.steps:
            break
        if a.streams:
            if pos >= per_epoch:
                pos, epoch, state = 0, epoch + 1, None
            starts = stream_starts + pos * a.seq_length
            pos += 1
        else:
            if pos + a.batch > n_win:
                order = rng.permutation(n_win)
                pos, epoch = 0, epoch + 1
            starts = order[pos: pos + a.batch] * a.seq_length
            pos += a.batch
        x, y = batch_of(train, starts, a.seq_length)
        lr = schedule.at(step, clock(), epoch)
        for g in opt.param_groups:
            g["lr"] = lr
        t0 = clock()
        logits, new_state = model(x, state)
        if a.streams:
            state = tuple(s.detach() for s in new_state) if isinstance(new_state, tuple) else new_state.detach()
        loss = nn.functional.cross_entropy(logits.reshape(-1, vocab), y.reshape(-1)) * a.seq_length
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if a.clip > 0:
            for p in params:
                p.grad.clamp_(-a.clip, a.clip)
        if a.clip_norm > 0:
            torch.nn.utils.clip_grad_norm_(params, a.clip_norm)
        opt.step()
        elapsed = clock()
        step_times.append(elapsed - t0)
        loss_sum += loss.item() / a.seq_length
        loss_count += 1
        step += 1
        if a.eval_every > 0 and step % a.eval_every == 0:
            record(elapsed, lr)
    if step > 0 and last_eval != step:
        record(elapsed, lr)
    steady = step_times[3:] or step_times
    result = {
        "steps": step,
        "epochs": epoch,
        "train_seconds": elapsed,
        "wall_seconds": clock(),
        "chars_per_s": a.batch * a.seq_length / statistics.median(steady),
        "val_loss": results[primary],
        "protocol": primary,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "blas": blas_name(),
    }
    result["curve"] = curve.summary(steps=step, elapsed_s=round(result["train_seconds"], 2))
    if a.sample_chars:
        result["sample1_chars_per_s"] = sample_speed(model, vocab, a.sample_chars, 1)
        result["sample16_chars_per_s"] = sample_speed(model, vocab, max(a.sample_chars // 4, 100), 16)
    print(json.dumps(result))


def blas_name():
    for line in open("/proc/self/maps"):
        if "libblas" in line or "openblas" in line:
            return os.path.realpath(line.split()[-1])
    return "unknown"


if __name__ == "__main__":
    main()
