#!/usr/bin/python3
"""Second peer for time to quality: a small GPT after nanoGPT's CPU recipe for shakespeare_char.

nanoGPT's README trains on a CPU with `config/train_shakespeare_char.py --device=cpu --compile=False
--eval_iters=20 --block_size=64 --batch_size=12 --n_layer=4 --n_head=4 --n_embd=128 --max_iters=2000
--lr_decay_iters=2000 --dropout=0.0`; the defaults below are that recipe: 4 layers, 4 heads, width 128,
context 64, batch 12, AdamW 1e-3 (betas 0.9/0.99, weight decay 0.1 on matrices only), 100 steps of
linear warm-up, cosine decay to 1e-4, gradient norm clipped at 1, no biases, no dropout, tied input
and output embeddings, GPT-2's initialisation. One change: with --max-time the cosine runs over the
time budget (it reaches 1e-4 when the time is up) instead of over max_iters.

Tokens: characters (code points) over the same vocabulary and 90/10 split as rnn (peer_common.load).
Validation, on the first --eval-chars transitions of the validation split: non-overlapping blocks
of 64, every transition scored once with 1..64 characters of context; the curve also has nanoGPT's
own estimate (mean loss of --eval-iters random batches of the whole validation split).

Prints one JSON object on stdout; `--curve FILE` writes one JSON line per evaluation and a summary.
"""
import argparse
import json
import math
import sys

import numpy as np
import torch
import torch.nn as nn
from torch.nn import functional as F

from peer_common import Clock, Curve, add_schedule_args, eval_slice, load, schedule_of, set_threads


class LayerNorm(nn.Module):
    """LayerNorm without a bias (nanoGPT's bias=False; torch 1.13's nn.LayerNorm always has one)."""

    def __init__(self, n):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(n))

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, None, 1e-5)


class Block(nn.Module):
    def __init__(self, width, heads, context):
        super().__init__()
        self.heads = heads
        self.ln_1, self.ln_2 = LayerNorm(width), LayerNorm(width)
        self.c_attn = nn.Linear(width, 3 * width, bias=False)
        self.attn_proj = nn.Linear(width, width, bias=False)
        self.c_fc = nn.Linear(width, 4 * width, bias=False)
        self.mlp_proj = nn.Linear(4 * width, width, bias=False)
        self.register_buffer("causal", torch.tril(torch.ones(context, context, dtype=torch.bool)))

    def attention(self, x):
        b, t, c = x.shape
        q, k, v = (z.view(b, t, self.heads, c // self.heads).transpose(1, 2) for z in self.c_attn(x).split(c, dim=2))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(c // self.heads)
        att = att.masked_fill(~self.causal[:t, :t], float("-inf")).softmax(dim=-1)
        return self.attn_proj((att @ v).transpose(1, 2).reshape(b, t, c))

    def forward(self, x):
        x = x + self.attention(self.ln_1(x))
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x))))


class Gpt(nn.Module):
    def __init__(self, vocab, layers, heads, width, context):
        super().__init__()
        self.vocab, self.context = vocab, context
        self.wte = nn.Embedding(vocab, width)
        self.wpe = nn.Embedding(context, width)
        self.blocks = nn.ModuleList(Block(width, heads, context) for _ in range(layers))
        self.ln_f = LayerNorm(width)
        self.lm_head = nn.Linear(width, vocab, bias=False)
        self.wte.weight = self.lm_head.weight  # tied, as GPT-2 and nanoGPT
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, 0.0, 0.02)
        for blk in self.blocks:  # GPT-2's scaled initialisation of the projections into the residual stream
            for p in (blk.attn_proj.weight, blk.mlp_proj.weight):
                nn.init.normal_(p, 0.0, 0.02 / math.sqrt(2 * layers))

    def forward(self, idx):
        t = idx.shape[1]
        x = self.wte(idx) + self.wpe(torch.arange(t))
        for blk in self.blocks:
            x = blk(x)
        return self.lm_head(self.ln_f(x))

    def optimizer(self, lr, betas, weight_decay):
        # nanoGPT's configure_optimizers: weight decay on matrices and embeddings, none on gains
        params = [p for p in self.parameters() if p.requires_grad]
        decay = [p for p in params if p.dim() >= 2]
        keep = [p for p in params if p.dim() < 2]
        return torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay},
                                  {"params": keep, "weight_decay": 0.0}], lr=lr, betas=betas)


def random_batch(ids, batch, context, gen):
    ix = torch.randint(len(ids) - context, (batch,), generator=gen).numpy()
    idx = ix[:, None] + np.arange(context)[None, :]
    return torch.from_numpy(ids[idx]), torch.from_numpy(ids[idx + 1])


def evaluate_blocks(model, val, batch=64):
    """Non-overlapping blocks of the model's context: every transition once; mean nats per transition."""
    n, c = len(val) - 1, model.context
    starts = np.arange(0, n, c)
    full, last = starts[starts + c <= n], starts[starts + c > n]
    total, count = 0.0, 0
    with torch.no_grad():
        groups = [(full[k: k + batch], c) for k in range(0, len(full), batch)]
        groups += [(last, n - last[0])] if len(last) else []
        for grp, length in groups:
            idx = grp[:, None] + np.arange(length)[None, :]
            x, y = torch.from_numpy(val[idx]), torch.from_numpy(val[idx + 1])
            total += F.cross_entropy(model(x).reshape(-1, model.vocab), y.reshape(-1), reduction="sum").item()
            count += y.numel()
    assert count == n, (count, n)
    return total / count


def estimate_nanogpt(model, val, batch, iters, gen):
    """nanoGPT's estimate_loss on the validation split: the mean over `iters` random batches."""
    with torch.no_grad():
        losses = [F.cross_entropy(model(x).reshape(-1, model.vocab), y.reshape(-1)).item()
                  for x, y in (random_batch(val, batch, model.context, gen) for _ in range(iters))]
    return sum(losses) / len(losses)


def self_check(vocab, val):
    """The model is causal (a later character changes no earlier prediction) and the block scores
    equal each block scored alone, every transition once."""
    torch.manual_seed(0)
    model = Gpt(vocab, 2, 2, 32, 16).eval()
    with torch.no_grad():
        x = torch.from_numpy(val[:16])[None]
        y = x.clone()
        y[0, 9] = (y[0, 9] + 1) % vocab
        a, b = model(x), model(y)
        assert torch.allclose(a[0, :9], b[0, :9], atol=1e-6) and not torch.allclose(a[0, 9:], b[0, 9:]), "causal"
        v = val[: 16 * 9 + 6]
        n = len(v) - 1
        ref = sum(F.cross_entropy(model(torch.from_numpy(v[s: min(s + 16, n)])[None])[0],
                                  torch.from_numpy(v[s + 1: min(s + 16, n) + 1]), reduction="sum").item()
                  for s in range(0, n, 16)) / n
        got = evaluate_blocks(model, v, batch=4)
        assert abs(got - ref) < 1e-5, ("blocks", got, ref)
    print(f"self-check ok: causal; blocks {got:.6f} = one by one {ref:.6f}", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", help="a text file, or a directory written by `rnn prepare` (its ids and split)")
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--width", type=int, default=128)
    ap.add_argument("--context", type=int, default=64, help="block size: characters the model sees")
    ap.add_argument("--batch", type=int, default=12)
    add_schedule_args(ap, "cosine", 1e-3, 1e-4, 100)
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--beta2", type=float, default=0.99)
    ap.add_argument("--clip-norm", type=float, default=1.0, help="nanoGPT's grad_clip; 0 = off")
    ap.add_argument("--steps", type=int, default=2000, help="nanoGPT's max_iters, when no --max-time is given")
    ap.add_argument("--max-time", type=float, default=0, help="train for this many seconds instead of --steps")
    ap.add_argument("--eval-every", type=int, default=250, help="evaluate every N steps (nanoGPT's eval_interval)")
    ap.add_argument("--eval-chars", type=int, default=250000, help="transitions of the validation split scored; 0 = all")
    ap.add_argument("--eval-iters", type=int, default=20, help="random batches of nanoGPT's own estimate; 0 = none")
    ap.add_argument("--curve", help="write one JSON line per evaluation here, then a summary line")
    ap.add_argument("--seed", type=int, default=1337)
    ap.add_argument("--threads", type=int, default=0, help="0 = one per core")
    ap.add_argument("--self-check", action="store_true", help="check causality and the block scores, then exit")
    a = ap.parse_args()

    set_threads(torch, a.threads)
    train, val_all, vocab = load(a.corpus)
    if a.self_check:
        self_check(vocab, val_all)
        return
    torch.manual_seed(a.seed)
    val = eval_slice(val_all, a.eval_chars)
    model = Gpt(vocab, a.layers, a.heads, a.width, a.context)
    opt = model.optimizer(a.lr, (0.9, a.beta2), a.weight_decay)
    schedule = schedule_of(a)
    curve = Curve(a.curve, "blocks")
    # separate generators: how often the run evaluates does not change its training batches
    train_gen = torch.Generator().manual_seed(a.seed)
    eval_gen = torch.Generator().manual_seed(a.seed + 1)
    loss_sum, loss_count, last_eval, step, lr, elapsed, val_loss = 0.0, 0, 0, 0, a.lr, 0.0, None
    clock = Clock()

    def record():
        nonlocal loss_sum, loss_count, last_eval, val_loss
        model.eval()
        val_loss = evaluate_blocks(model, val)
        extra = {"val_loss_nanogpt": estimate_nanogpt(model, val_all, a.batch, a.eval_iters, eval_gen)} \
            if a.eval_iters > 0 else {}
        model.train()
        curve.add(step, elapsed, loss_sum / max(loss_count, 1), val_loss, lr, **extra)
        loss_sum, loss_count, last_eval = 0.0, 0, step

    while (clock() < a.max_time) if a.max_time > 0 else (step < a.steps):
        x, y = random_batch(train, a.batch, a.context, train_gen)
        lr = schedule.at(step, clock())
        for g in opt.param_groups:
            g["lr"] = lr
        loss = F.cross_entropy(model(x).reshape(-1, vocab), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if a.clip_norm > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), a.clip_norm)
        opt.step()
        elapsed = clock()
        loss_sum += loss.item()
        loss_count += 1
        step += 1
        if step % a.eval_every == 0:
            record()
    if step > 0 and last_eval != step:
        record()
    result = {"steps": step, "train_seconds": elapsed, "wall_seconds": clock(), "val_loss": val_loss,
              "protocol": "blocks", "parameters": sum(p.numel() for p in model.parameters()),
              "threads": torch.get_num_threads(), "torch": torch.__version__}
    result["curve"] = curve.summary(steps=step, elapsed_s=round(elapsed, 2))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
