#!/usr/bin/env bash
# Reproduce the bundled default model, resources/models/default.pt, with one command:
#   bash scripts/train_default_model.sh
# 1. two synthetic training sets, seed 1001 (tsfmicro synth), on twelve faces: the astronaut, Grace Hopper, four
#    morphs of the two, and the mirror images of these six, each video filmed at a camera resolution drawn from
#    0.25-1 (--camera-scale: soft, low-resolution footage as well as sharp); the same videos twice, once as they are
#    and once with a look of their own in half of them (--looks 0.5: skin tone, skin detail, stubble, moles painted
#    on the portrait; same labels byte for byte);
# 2. a validation set: the same faces and cameras, another seed (3003), on which the curve decoding is chosen (--val);
# 3. a held-out synthetic set: another face ("carphone_still") and another seed (2002), never trained on and never
#    used for the decoding (it has been used to compare recipe variants, to pick the training seed, 3 over 2, to keep
#    --looks and to choose the ensemble: README.md lists them);
# 4. two models, tsfmicro train on each training set of (1), seed 3, registered pairs (--register-pairs flow) and
#    motion pairs (--motion-pairs 12): docs/training.md, "Registered pairs and motion pairs";
# 5. tsfmicro ensemble of the two, its decoding chosen on (2), measured on (3) (the model vs the motion spotter,
#    recognition UF1, apex error, written into the card);
# 6. the untouched checks: two more held-out sets of the same face, seeds 4004 (40 videos) and 5005 (60 videos),
#    made after the single-model recipe and the ensemble were fixed (README.md: "The default model").
# About 3 hours on a 2-core CPU (synthesis, face tracking and the held-out sets included).
# WORK (default artifacts/default_model) keeps the data sets and the members; OUT (default
# resources/models/default.pt) the model.
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
COMMON=(--faces "$FACES" --camera-scale 0.25,1 --duration 10)
[ -f "$WORK/train_cam/events.csv" ] || $T synth --out "$WORK/train_cam" --n-videos 240 --seed 1001 "${COMMON[@]}"
[ -f "$WORK/train_looks/events.csv" ] || $T synth --out "$WORK/train_looks" --n-videos 240 --seed 1001 "${COMMON[@]}" \
    --looks 0.5
[ -f "$WORK/val_cam/events.csv" ] || $T synth --out "$WORK/val_cam" --n-videos 36 --seed 3003 "${COMMON[@]}"
[ -f "$WORK/heldout/events.csv" ] || $T synth --out "$WORK/heldout" --n-videos 40 --seed 2002 --duration 10 --faces carphone_still
RECIPE=(--val "$WORK/val_cam/events.csv" --test "$WORK/heldout/events.csv" --cache "$WORK/face_tracks"
    --model tsfmicro_tiny --protocol none --epochs 100 --weight-decay 0.05 --input-norm local_contrast
    --appearance-aug 0.5 --head-epochs 40 --seed 3 --threads 2 --register-pairs flow --motion-pairs 12)
for SET in train_looks train_cam; do
    [ -f "$WORK/member_$SET.pt" ] || $T train "$WORK/$SET/events.csv" --out "$WORK/member_$SET.pt" "${RECIPE[@]}"
done
$T ensemble "$WORK/member_train_looks.pt" "$WORK/member_train_cam.pt" --val "$WORK/val_cam/events.csv" \
    --test "$WORK/heldout/events.csv" --out "$OUT" --cache "$WORK/face_tracks" --threads 2
for SEED_N in 4004:40 5005:60; do
    SEED=${SEED_N%%:*}
    [ -f "$WORK/heldout_$SEED/events.csv" ] || $T synth --out "$WORK/heldout_$SEED" --n-videos "${SEED_N##*:}" \
        --seed "$SEED" --duration 10 --faces carphone_still
    $T evaluate --checkpoint "$OUT" --truth "$WORK/heldout_$SEED/events.csv" --cache "$WORK/face_tracks" \
        --out "$WORK/eval_$SEED"
done
$T card "$OUT"
