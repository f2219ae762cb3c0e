#!/usr/bin/python3
"""Two builds of `rnn serve` side by side: alternated rounds of streaming clients against each.

    bench/serve_ab.py OLD_CHECKOUT NEW_CHECKOUT [--model MODEL] [--rounds 3] [--clients 1 16 64]

Each checkout's app/rnn serves MODEL (default bench/out/serve-model, see serve.py) with --parallel
64; every round runs the client counts against one server, then the other (the clients of
serve.py, 2,000 characters each). Prints the medians of aggregate characters per second and their
ratio new / old (bench/NOTES.md 68, 69).
"""
import argparse
import statistics
from pathlib import Path

import serve
from run import OUT


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument("--model", type=Path, default=OUT / "serve-model")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--clients", type=int, nargs="+", default=[1, 16, 64])
    a = ap.parse_args()
    servers = {}
    for name, root in (("old", a.old), ("new", a.new)):
        serve.RNN = root.resolve() / "app" / "rnn"
        p, host, port = serve.start_server(a.model, 64)
        serve.whole(host, port, "warm", 2000, 0)  # the JIT's first compilations
        servers[name] = (p, host, port, serve.MODEL["id"])
    res = {name: {c: [] for c in a.clients} for name in servers}
    try:
        for r in range(a.rounds):
            for name, (p, host, port, model_id) in servers.items():
                serve.MODEL["id"] = model_id
                for c in a.clients:
                    res[name][c].append(serve.clients(host, port, c, serve.CHARS)[0])
                    serve.log(f"round {r}: {name}, {c} clients: {res[name][c][-1]:,.0f} chars/s")
    finally:
        for p, *_ in servers.values():
            p.terminate()
    for c in a.clients:
        old, new = statistics.median(res["old"][c]), statistics.median(res["new"][c])
        print(f"{c} clients: old {old:,.0f}, new {new:,.0f} chars/s, ratio {new / old:.2f}")


if __name__ == "__main__":
    main()
