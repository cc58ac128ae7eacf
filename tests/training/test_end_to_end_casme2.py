"""End to end as a user runs it: a CASME II-shaped data set (frame folders `sub01/EP01_01/reg_img46.jpg`, coding
sheet in the 2019 layout) → `tsfmicro import casme2` → `tsfmicro train` (tiny model, LOSO) → `tsfmicro evaluate`."""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core"))  # tests/core/sheet_kit.py
from sheet_kit import CASME2_2019_HEADER, write_sheet  # noqa: E402

from app.synth.moving_portrait import load_portrait, moving_portrait_frames  # noqa: E402
from model import load_checkpoint  # noqa: E402
from train_kit import SIZE, tsfmicro  # noqa: E402

pytestmark = pytest.mark.slow

FIRST = 46  # CASME II file numbers do not start at 0 (reg_img46.jpg is position 0)
N = 20


def _clip(folder: Path, seed: int) -> None:
    folder.mkdir(parents=True)
    frames = moving_portrait_frames(load_portrait(), N, size=SIZE, fps=200.0, seed=seed, drift_px=2.0)
    for i, frame in enumerate(frames):
        cv2.imwrite(str(folder / f"reg_img{FIRST + i}.jpg"), cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))


def test_import_train_evaluate(tmp_path):
    root = tmp_path / "CASME2" / "Cropped"
    rows = [CASME2_2019_HEADER]
    emotions = ("happiness", "disgust", "repression", "surprise", "others", "disgust")
    for s, subject in enumerate(("01", "02", "03")):
        for c, clip in enumerate(("EP01_01", "EP02_03f")):
            _clip(root / f"sub{subject}" / clip, seed=10 * s + c)
            rows.append([subject, clip, None, FIRST + 2, FIRST + 8, FIRST + 15, None, "4+L10", emotions[2 * s + c]])
    sheet = write_sheet(tmp_path / "CASME2-coding-20190701.xlsx", rows)
    csv = tmp_path / "train.csv"
    imported = tsfmicro("import", "casme2", sheet, "--frames-root", root, "--out", csv)
    assert imported.returncode == 0, imported.stderr
    assert "6 events accepted, 0 rejected" in imported.stdout

    model = tmp_path / "model.pt"
    predictions = tmp_path / "loso_predictions.csv"
    trained = tsfmicro("train", csv, "--out", model, "--model", "tsfmicro_tiny", "--epochs", "2", "--head-epochs", "2",
                       "--batch", "4", "--threads", "1", "--cache", tmp_path / "cache", "--predictions", predictions,
                       "--classes", "positive=happiness;negative=disgust,repression;surprise;others")
    assert trained.returncode == 0, trained.stderr
    assert "pooled LOSO, honest: N 6" in trained.stdout and "UAR" in trained.stdout
    assert "fold 3/3 sub03" in trained.stderr and ("ETA" in trained.stderr)
    truth = predictions.with_name("loso_predictions.truth.csv")
    assert predictions.exists() and truth.exists()  # mapped classes: the truth is written with class names
    card = load_checkpoint(model).model_card
    assert card["subjects"] == 3 and card["folds"] == 3 and "loso_uf1" in card

    evaluated = tsfmicro("evaluate", "--truth", truth, "--pred", predictions)
    assert evaluated.returncode == 0, evaluated.stderr
    assert "N 6" in evaluated.stdout and "accuracy" in evaluated.stdout and "UF1" in evaluated.stdout
