#!/usr/bin/env bash
# Training speed of two checkouts, alternated: bench/train_pairs.sh BEFORE_DIR AFTER_DIR [PAIRS] [STEPS]
# Prints each run's median characters/s over the 5-step intervals of metrics.csv after the first.
set -euo pipefail
before=$1 after=$2 pairs=${3:-3} steps=${4:-40}
corpus=${RNN_CORPORA:-$(dirname "$0")/../../shared/corpora}/tinyshakespeare.txt
out=$(mktemp -d)
run() {
  "$1/app/rnn" train "$corpus" --model "$out/m" --hidden 256 --layers 2 --seq-length 100 --batch 64 --dropout 0 \
    --lr 2e-3 --lr-decay 1 --clip 5 --eval-every 5 --eval-chars 10000 --sample-every 0 --checkpoint-every 0 \
    --force -q --max-steps "$steps" >/dev/null
  python3 - "$out/m/metrics.csv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print(round(statistics.median(float(r["chars_per_s"]) for r in rows[1:])))
PY
}
for i in $(seq "$pairs"); do
  echo "before $(run "$before")  after $(run "$after")"
done
rm -rf "$out"
