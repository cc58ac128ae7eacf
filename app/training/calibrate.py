"""Choosing how a model's curves become intervals (`ProposalConfig`) on a validation set: the thresholds, the
smoothing, the end trim and the activity baseline that give the best micro-expression spotting F1 (then overall F1)
there. The choice is stored in the checkpoint (its contract's `decoding`, `app.analysis.contract`) and used wherever
the model suggests events.

Why it is needed: a (t − k, t) pair stays active for a while after the face has settled, and how long depends on the
model; with the fixed defaults a trained head's runs overshoot the offset and short events come out as macro.
The validation set must not be the test set: `tsfmicro train --val` and `--test` take different CSVs.
"""

from __future__ import annotations

import itertools
import os
from typing import Callable, Optional

import numpy as np

from app.analysis.config import AnalysisConfig
from app.analysis.evaluate import evaluate_spotting
from app.analysis.predictor import Predictor
from app.analysis.proposals import ProposalConfig, propose_events
from app.core.events import Event
from app.face import FaceConfig
from app.media import open_video
from app.training.heldout import labelled_truth, model_curves
from app.media.hashing import file_sha256

GRID = {"theta_hi": (0.5, 0.7, 0.85, 0.95), "theta_lo": (0.3, 0.5, 0.7, 0.85),
        "smooth_s": (0.05, 0.1, 0.15, 0.2, 0.25, 0.3), "trim_end_s": (0.0, 0.1, 0.2, 0.3, 0.4),
        "baseline": ("none", "median")}


def calibrate_decoding(csv_path: str | os.PathLike, predictor: Predictor, *, face_config: FaceConfig = FaceConfig(),
                       log: Callable[[str], None] = lambda message: None) -> tuple[ProposalConfig, dict]:
    """The grid point of `GRID` with the best (micro F1, overall F1) on the accepted events of `csv_path`, and how it
    was chosen (the model card's `decoding_*` entries, without the prefix). Raises ValueError when no grid point
    finds any event."""
    log(f"validation set {csv_path}: choosing how the curves become intervals (app/training/calibrate.py)")
    _, truth = labelled_truth(csv_path)
    fps = {e.video: e.fps for e in truth}
    config = AnalysisConfig.for_mode("full")
    curves = {}
    for n, video in enumerate(sorted(fps), start=1):
        with open_video(video, fps=fps[video]) as source:
            curves[video] = model_curves(predictor, source, config, face_config)
        log(f"  validation video {n}/{len(fps)}")
    chosen, micro, overall = best_decoding(curves, fps, truth)
    if micro == overall == 0.0:
        raise ValueError(f"{csv_path}: no decoding finds any of its {len(truth)} labelled event(s) in this model's "
                         f"curves ({len(curves)} video(s)); the decoding was left as it was")
    log(f"decoding {chosen.to_json()}: micro F1 {micro:.4f} on the validation set")
    return chosen, {"csv": str(csv_path), "videos": len(curves), "micro_f1": round(micro, 4),
                    "overall_f1": round(overall, 4), "csv_sha256": file_sha256(csv_path),
                    "settings": chosen.to_json()}


def best_decoding(curves: dict[str, np.ndarray], fps: dict[str, float],
                  truth: list[Event]) -> tuple[ProposalConfig, float, float]:
    """(the grid point with the best (micro F1, overall F1) of `truth` over the videos' curves, its micro F1, its
    overall F1). `curves` and `fps` are keyed by the events' `video`; the first best point in grid order wins."""
    best: Optional[tuple] = None
    for values in itertools.product(*GRID.values()):
        settings = dict(zip(GRID, values))
        if settings["theta_lo"] > settings["theta_hi"]:
            continue
        candidate = ProposalConfig(**settings)
        pred = [e for video, c in curves.items()
                for e in propose_events(c, fps[video], video=video, subject="", config=candidate)]
        result = evaluate_spotting(truth, pred)
        key = (result["micro"].counts.f1, result["overall"].counts.f1)
        if best is None or key > best[0]:
            best = (key, candidate)
    (micro, overall), chosen = best
    return chosen, micro, overall
