#!/usr/bin/python3
"""Time to quality: validation loss against wall time for rnn, the PyTorch peer and the GPT peer.

    bench/quality.py [--time SECONDS] [--corpora A.txt B.txt ...] [--systems rnn,peer,gpt]
                     [--rnn-args "..."] [--peer-args "..."] [--gpt-args "..."] [--quick] [--plot-only]

For each corpus, one run at a time (never two at once; each holds /tmp/rnn-build.lock unless
--no-lock): `app/rnn train CORPUS --max-time T` with rnn's defaults, bench/peer_torch.py with the
settings rnn's run trained with, read from its checkpoint (so --rnn-args that change the model or the
optimisation change the peer's too), bench/peer_gpt.py (nanoGPT's CPU recipe). The peers read the corpus as `rnn prepare` writes it, so all three see the same ids and
split. Writes bench/out/quality.json (every curve), bench/QUALITY.md (the table) and
bench/quality.png (one panel per corpus); --quick writes the last two into bench/out/.
"""
import argparse
import contextlib
import csv
import fcntl
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

from run import BENCH, OUT, PY, RNN, ROOT, apt_install, ensure_peer, log, machine

CORPORA = ROOT.parent / "shared" / "corpora"
DEFAULT_CORPORA = [CORPORA / "alice.txt", CORPORA / "tinyshakespeare.txt", CORPORA / "war_and_peace.txt"]

# rnn's --eval-chars default: every system scores the first EVAL_CHARS characters of the validation split
# (QUICK_EVAL_CHARS with --quick)
EVAL_CHARS = 50000
QUICK_EVAL_CHARS = 5000
# The PyTorch peer with rnn's defaults (`rnn train --help`): nn.GRU 2 x 296, sequence 100, batch 32, Adam 3e-3,
# dropout 0.1, element-wise clipping at 5, wsd (held, then down to 3e-4 over the last fifth of the
# time), evaluation of the first EVAL_CHARS validation characters every 100 steps, shuffled windows
# from a zero state (a value of None: a flag without a value, e.g. "--streams": None). Change this
# block when rnn's defaults change; --peer-args adds to it (a later option wins).
# nanoGPT's CPU recipe is peer_gpt.py's own defaults, evaluated on the same text as rnn every 250 steps
# (nanoGPT's eval_interval; at 250,000 characters that cost it many steps' time, bench/NOTES.md 40).
GPT_DEFAULTS = {"--eval-every": 250, "--eval-chars": EVAL_CHARS}
# --quick: tiny models and evaluations, to check the harness, figures not meaningful
QUICK = {
    "rnn": ["--hidden", "64", "--eval-every", "10", "--eval-chars", str(QUICK_EVAL_CHARS), "--sample-every", "0",
            "--checkpoint-every", "0"],
    "gpt": {"--eval-every": 20, "--eval-chars": QUICK_EVAL_CHARS},
}
LABELS = {"rnn": "rnn (defaults)", "peer": "PyTorch peer (rnn's settings)", "gpt": "GPT peer (nanoGPT recipe)"}
COLORS = {"rnn": "C0", "peer": "C1", "gpt": "C2"}  # the same system, the same colour in every panel
LOCK = "/tmp/rnn-build.lock"


def eval_chars(quick):
    """The validation characters every system's evaluations score."""
    return QUICK_EVAL_CHARS if quick else EVAL_CHARS


def options(defaults, extra):
    """A defaults dict as arguments, then the extra ones (argparse keeps the last of a repeated option)."""
    return [str(x) for k, v in defaults.items() for x in ((k,) if v is None else (k, v))] + shlex.split(extra)


def peer_settings(model_dir):
    """The PyTorch peer's options: rnn's model and settings as its run's checkpoint holds them, and its
    evaluation cadence (the first evaluated step of metrics.csv)."""
    if not (Path(model_dir) / "last.zip").exists():
        raise SystemExit(f"{model_dir}: no rnn run to take the peer's settings from; include rnn in --systems")
    p = subprocess.run([str(RNN), "info", "-m", str(Path(model_dir) / "last.zip"), "--json"], stdout=subprocess.PIPE,
                       text=True, check=True)
    info = json.loads(p.stdout)
    spec, c = info["spec"], info["config"]
    return {"--cell": spec["cell"], "--hidden": spec["hidden"], "--layers": spec["layers"],
            "--dropout": spec["dropout"], "--seq-length": c["seqLength"], "--batch": c["batch"], "--lr": c["lr"],
            "--clip": c["clip"], "--clip-norm": c["clipNorm"], "--schedule": c["schedule"], "--min-lr": c["minLr"],
            "--decay-fraction": c["decayFraction"], "--eval-every": rnn_curve(model_dir)[0]["step"],
            "--eval-chars": info["state"]["evalChars"]}


@contextlib.contextmanager
def machine_lock(path):
    """Nothing else that takes the project's lock runs while a measurement does."""
    if not path:
        yield
        return
    with open(path, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def run(cmd, log_file, lock, env=None):
    log(" ".join(map(str, cmd)))
    with machine_lock(lock), open(log_file, "w") as err:
        p = subprocess.run([str(c) for c in cmd], stdout=subprocess.PIPE, stderr=err, text=True, env=env)
    if p.returncode != 0:
        tail = Path(log_file).read_text()[-2000:]
        raise SystemExit(f"{cmd[0]} failed (exit {p.returncode}); its stderr is in {log_file}:\n{tail}")
    return json.loads(p.stdout.strip().splitlines()[-1]) if p.stdout.strip() else {}


def rnn_curve(model_dir):
    """metrics.csv read by column name (the lead may add columns, e.g. the validation protocol)."""
    with open(Path(model_dir) / "metrics.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    proto = next((c for c in (rows[0].keys() if rows else []) if "protocol" in c), None)
    return [{"step": int(float(r["step"])), "elapsed_s": float(r["elapsed_s"]), "train_loss": float(r["train_loss"]),
             "val_loss": float(r["val_loss"]), "protocol": r[proto] if proto else "windows"} for r in rows]


def peer_curve(path):
    lines = [json.loads(l) for l in Path(path).read_text().splitlines() if l.strip()]
    return [l for l in lines if not l.get("summary")]


def val_text(corpus_dir, chars):
    """The first `chars` characters (0: all) of a prepared corpus's validation split, as text: what
    rnn's validation scores (ids.bin: one id per code point, little-endian, README "File formats")."""
    m = json.loads((Path(corpus_dir) / "manifest.json").read_text())
    symbols = json.loads((Path(corpus_dir) / "vocab.json").read_text())["symbols"]
    code_points = [x["codePoint"] for x in sorted(symbols, key=lambda x: x["id"])]
    width, split = m["idWidth"], m["split"]
    n = min(split["valLength"], chars) if chars else split["valLength"]
    with open(Path(corpus_dir) / "ids.bin", "rb") as f:
        f.seek(split["valStart"] * width)
        raw = f.read(n * width)
    ids = [int.from_bytes(raw[i:i + width], "little", signed=width == 4) for i in range(0, len(raw), width)]
    return "".join(chr(code_points[i]) for i in ids)


def both_protocols(model_dir, chars, lock):
    """rnn's best checkpoint scored by `rnn eval` under both protocols on the validation text its
    training scored: the figure to set beside char-rnn's (streams) and beside rnn's own (windows)."""
    text = OUT / f"{Path(model_dir).name}-val.txt"
    text.write_text(val_text(Path(model_dir) / "corpus", chars), encoding="utf-8")
    scores = {}
    for protocol in ("windows", "streams"):
        cmd = [RNN, "eval", "-m", Path(model_dir) / "best.zip", text, "--json", "--protocol", protocol]
        scores[protocol] = run(cmd, OUT / f"{Path(model_dir).name}-eval.log", lock)["nats"]
    return scores


def best_of(curve):
    b = min(curve, key=lambda r: r["val_loss"]) if curve else {}
    last = curve[-1] if curve else {}
    return {"best_val_loss": b.get("val_loss"), "best_step": b.get("step"), "best_elapsed_s": b.get("elapsed_s"),
            "protocol": b.get("protocol"), "last_val_loss": last.get("val_loss"), "steps": last.get("step"),
            "elapsed_s": last.get("elapsed_s")}


def run_corpus(corpus, a, lock):
    name = Path(corpus).stem
    prepared = OUT / f"quality-{name}-corpus"
    peer_env = dict(os.environ)
    peer_env.pop("OPENBLAS_CORETYPE", None)
    peer_env.pop("OPENBLAS_L2_SIZE", None)
    results = {}
    if {"peer", "gpt"} & set(a.systems):
        run([RNN, "prepare", corpus, "-o", prepared, "-q"], OUT / f"quality-{name}-prepare.log", lock)
    for system in a.systems:
        log_file = OUT / f"quality-{name}-{system}.log"
        if system == "rnn":
            model = OUT / f"quality-{name}-rnn"
            extra = (QUICK["rnn"] if a.quick else []) + shlex.split(a.rnn_args)
            cmd = [RNN, "train", corpus, "--max-time", f"{a.time}s", "-m", model, "--force", "--json"] + extra
            summary = run(cmd, log_file, lock)
            curve = rnn_curve(model)
            summary["bestByProtocol"] = both_protocols(model, eval_chars(a.quick), lock)
        else:
            if system == "peer":
                script, defaults, extra = "peer_torch.py", peer_settings(OUT / f"quality-{name}-rnn"), a.peer_args
            else:
                script, extra = "peer_gpt.py", a.gpt_args
                defaults = {**GPT_DEFAULTS, **QUICK["gpt"]} if a.quick else GPT_DEFAULTS
            curve_file = OUT / f"quality-{name}-{system}.jsonl"
            cmd = [PY, BENCH / script, prepared, "--max-time", a.time, "--curve", curve_file] + options(defaults, extra)
            summary = run(cmd, log_file, lock, env=peer_env)
            curve = peer_curve(curve_file)
        results[system] = {"command": " ".join(shlex.quote(str(c)) for c in cmd), "summary": summary,
                           "curve": curve, **best_of(curve)}
        r = results[system]
        log(f"{name} {system}: best {r['best_val_loss']:.4f} at step {r['best_step']} ({r['best_elapsed_s']:.0f} s)")
    return name, results


def write_table(res, where):
    rows = []
    for name, systems in res["corpora"].items():
        for system, r in systems.items():
            both = (r.get("summary") or {}).get("bestByProtocol") or {}
            streams = f"{both['streams']:.4f}" if "streams" in both else ""
            rows.append(f"| {name} | {LABELS[system]} | {r['best_val_loss']:.4f} | {r['best_step']:,} | "
                        f"{r['best_elapsed_s'] / 60:.1f} | {r['protocol']} | {streams} | {r['last_val_loss']:.4f} | "
                        f"{r['steps']:,} |")
    m = res["machine"]
    def relative(cmd):  # paths from the repository's root, as a reader runs them
        return cmd.replace(str(ROOT) + "/", "").replace(str(ROOT.parent) + "/", "../")

    cmds = "\n".join(f"- {name} {LABELS[s]}: `{relative(r['command'])}`" for name, systems in res["corpora"].items()
                     for s, r in systems.items())
    text = f"""# Time to quality

Produced by `bench/quality.py` on {m['date']}: {m['cpu']}, {m['cores']} cores, {m['java']}.
Budget {res['settings']['time']} s of wall time per run{' (--quick: tiny settings, figures not meaningful)' if res['settings']['quick'] else ''};
one run at a time. Validation loss in nats per character on the validation split's first characters
(each system's --eval-chars), every transition scored once; protocol: `windows` = windows of the
sequence length from zero state (rnn's), `streams` = contiguous streams with carried state
(char-rnn's), `blocks` = the GPT's non-overlapping blocks of its context (1..64 characters seen).
Time is the run's own clock (evaluations included, start-up and corpus preparation not). "Best,
streams": rnn's best checkpoint scored again by `rnn eval --protocol streams` on the same validation
text (the protocol of char-rnn's and torch-rnn's figures).

| corpus | system | best val loss | at step | at minute | protocol | best, streams | last val loss | steps |
| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |
""" + "\n".join(rows) + f"""

![validation loss against wall time](quality.png)

Commands:
{cmds}
"""
    (where / "QUALITY.md").write_text(text)


def plot(res, where):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    corpora = res["corpora"]
    fig, axes = plt.subplots(1, len(corpora), figsize=(5.5 * len(corpora), 4.2), squeeze=False)
    for ax, (name, systems) in zip(axes[0], corpora.items()):
        lows = []
        for system, r in systems.items():
            c = r["curve"]
            ax.plot([p["elapsed_s"] / 60 for p in c], [p["val_loss"] for p in c], marker=".", color=COLORS[system],
                    label=f"{LABELS[system]} ({r['protocol']})")
            lows.append(r["best_val_loss"])
        if lows:  # the first evaluations sit far above the rest: show the part that decides
            ax.set_ylim(min(lows) - 0.05, min(lows) + 1.2)
        ax.set_title(name)
        ax.set_xlabel("wall time, minutes")
        ax.set_ylabel("validation loss, nats/char")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(f"validation loss against wall time, {res['machine']['cores']} cores, "
                 f"{res['settings']['time']} s budget")
    fig.tight_layout()
    fig.savefig(where / "quality.png", dpi=110)


def ensure_matplotlib():
    if subprocess.run([PY, "-c", "import matplotlib"], capture_output=True).returncode != 0:
        apt_install("python3-matplotlib")


def main():
    if os.path.realpath(sys.executable) != os.path.realpath(PY):
        # the plot needs the matplotlib that ensure_matplotlib installs for PY: a run started under another
        # Python lost its plot after 100 minutes (NOTES 64)
        os.execv(PY, [PY, *sys.argv])
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--time", type=int, default=600, help="wall-time budget of each run, seconds")
    ap.add_argument("--corpora", nargs="+", help="text files (default: Alice, tiny-shakespeare, War and Peace)")
    ap.add_argument("--systems", default="rnn,peer,gpt", help="which to run, comma-separated")
    ap.add_argument("--rnn-args", default="", help="extra `rnn train` options, e.g. \"--streams\"")
    ap.add_argument("--peer-args", default="", help="extra peer_torch.py options, after rnn's settings")
    ap.add_argument("--gpt-args", default="", help="extra peer_gpt.py options, after GPT_DEFAULTS")
    ap.add_argument("--quick", action="store_true", help="20-second runs of tiny models on Alice: checks the harness")
    ap.add_argument("--plot-only", action="store_true", help="redraw the table and plot from bench/out/quality.json")
    ap.add_argument("--rescore", action="store_true",
                    help="score rnn's best checkpoints of quality.json again under both protocols, then redraw")
    ap.add_argument("--no-lock", action="store_true", help=f"do not take {LOCK} per run (when already under it)")
    a = ap.parse_args()
    a.systems = [s for s in a.systems.split(",") if s]
    if set(a.systems) - set(LABELS):
        raise SystemExit(f"--systems: rnn, peer, gpt, not {','.join(set(a.systems) - set(LABELS))}")
    if a.quick:
        a.time = min(a.time, 20)
    corpora = [Path(c) for c in (a.corpora or (DEFAULT_CORPORA[:1] if a.quick else DEFAULT_CORPORA))]
    for c in corpora:
        if not c.is_file():
            raise SystemExit(f"{c}: no such corpus file; give text files with --corpora")
    ensure_peer()
    ensure_matplotlib()
    OUT.mkdir(exist_ok=True)
    store = OUT / "quality.json"
    lock = None if a.no_lock else LOCK
    if a.plot_only or a.rescore:
        if not store.exists():
            raise SystemExit(f"{store.relative_to(ROOT)}: no stored run to redraw; run bench/quality.py first")
        res = json.loads(store.read_text())
        if a.rescore:
            for name, systems in res["corpora"].items():
                if "rnn" in systems:
                    # the stored runs' own evaluation text (stores from before it was recorded: 250,000, the
                    # default then, or --quick's)
                    chars = res["settings"].get("evalChars", QUICK_EVAL_CHARS if res["settings"]["quick"] else 250000)
                    systems["rnn"]["summary"]["bestByProtocol"] = both_protocols(OUT / f"quality-{name}-rnn", chars, lock)
            store.write_text(json.dumps(res, indent=1))
    else:
        log("building rnn")
        with machine_lock(lock):
            subprocess.run([RNN, "--version"], check=True, capture_output=True)
        # a run of some systems or corpora keeps the others' curves from the last run at the same budget and
        # evaluation
        res = json.loads(store.read_text()) if store.exists() else {}
        settings = {"time": a.time, "quick": a.quick, "evalChars": eval_chars(a.quick)}
        if any(res.get("settings", {}).get(k) != v for k, v in settings.items()):
            res = {}
        res.update(machine=machine(), settings=settings)
        res.setdefault("corpora", {})
        for c in corpora:
            name, results = run_corpus(c, a, lock)
            res["corpora"].setdefault(name, {}).update(results)
            store.write_text(json.dumps(res, indent=1))
    # a --quick check never overwrites the committed table and plot
    where = OUT if res["settings"]["quick"] else BENCH
    write_table(res, where)
    plot(res, where)
    log(f"wrote {store.relative_to(ROOT)}, {(where / 'QUALITY.md').relative_to(ROOT)} and {(where / 'quality.png').relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
