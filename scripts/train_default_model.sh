#!/usr/bin/env bash
# Reproduce the bundled default model, resources/models/default.pt, with one command:
#   bash scripts/train_default_model.sh
# 1. a synthetic training set, seed 1001 (tsfmicro synth), on twelve faces: the astronaut, Grace Hopper, four morphs
#    of the two, and the mirror images of these six, each video filmed at a camera resolution drawn from 0.25-1
#    (--camera-scale: soft, low-resolution footage as well as sharp), and half of the videos with a look of their own
#    (--looks 0.5: skin tone, skin detail, stubble, moles painted on the portrait);
# 2. a validation set: the same faces and cameras, another seed (3003), on which the curve decoding is chosen (--val);
# 3. a held-out synthetic set: another face ("carphone_still") and another seed (2002), never trained on and never
#    used for the decoding (it has been used to compare recipe variants, to pick the training seed, 3 over 2, and
#    to keep --looks: README.md lists them); a second held-out set of the same face, seed 4004, was made after the
#    recipe was fixed and used for nothing else (README.md: "The default model");
# 4. tsfmicro train on (1) with --val (2) and --test (3): the held-out figures (model vs the motion spotter,
#    recognition UF1, apex error) are measured after training by the app's own analysis and written into the card.
#    Training pairs are registered (--register-pairs flow) and the embedding also learns the phase of (t - k, t)
#    pairs of the training videos (--motion-pairs 12): docs/training.md, "Registered pairs and motion pairs".
# About 90 minutes on a 2-core CPU (synthesis, face tracking and the second held-out set included).
# WORK (default artifacts/default_model) keeps the data sets; OUT (default resources/models/default.pt) the model.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
WORK=${WORK:-artifacts/default_model}
FACES=astronaut,grace_hopper,astronaut_hopper_30,astronaut_hopper_50,astronaut_hopper_70,hopper_astronaut_50
FACES=$FACES,astronaut_mirrored,grace_hopper_mirrored,astronaut_hopper_30_mirrored,astronaut_hopper_50_mirrored
FACES=$FACES,astronaut_hopper_70_mirrored,hopper_astronaut_50_mirrored
OUT=${OUT:-resources/models/default.pt}
T=.venv/bin/tsfmicro
mkdir -p "$WORK" "$(dirname "$OUT")"
[ -f "$WORK/train_looks/events.csv" ] || $T synth --out "$WORK/train_looks" --n-videos 240 --seed 1001 --duration 10 \
    --faces "$FACES" --camera-scale 0.25,1 --looks 0.5
[ -f "$WORK/val_cam/events.csv" ] || $T synth --out "$WORK/val_cam" --n-videos 36 --seed 3003 --duration 10 \
    --faces "$FACES" --camera-scale 0.25,1
[ -f "$WORK/heldout/events.csv" ] || $T synth --out "$WORK/heldout" --n-videos 40 --seed 2002 --duration 10 --faces carphone_still
$T train "$WORK/train_looks/events.csv" --val "$WORK/val_cam/events.csv" --test "$WORK/heldout/events.csv" --out "$OUT" --cache "$WORK/face_tracks" \
    --model tsfmicro_tiny --protocol none --epochs 100 --weight-decay 0.05 --input-norm local_contrast \
    --appearance-aug 0.5 --head-epochs 40 --seed 3 --threads 2 --register-pairs flow --motion-pairs 12
[ -f "$WORK/heldout_4004/events.csv" ] || $T synth --out "$WORK/heldout_4004" --n-videos 40 --seed 4004 --duration 10 \
    --faces carphone_still
$T evaluate --checkpoint "$OUT" --truth "$WORK/heldout_4004/events.csv" --cache "$WORK/face_tracks"
$T card "$OUT"
