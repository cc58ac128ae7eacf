"""Choosing the curve decoding on validation curves (`app.training.calibrate.best_decoding`)."""

import numpy as np
import pytest

from app.core.events import Event
from app.training import calibrate
from app.training.calibrate import best_decoding


def video_curves(events, floor, rng, n=300):
    """(n, 4) curves: activity `floor` ± 0.05 between events (a face the model reads as slightly active), 1.0 inside
    each (onset, apex, offset), p_apex peaking at the apex."""
    probs = np.zeros((n, 4))
    probs[:, 0] = np.clip(1.0 - floor + rng.uniform(-0.05, 0.05, n), 0.0, 1.0)
    probs[:, 1] = 1.0 - probs[:, 0]
    for onset, apex, offset in events:
        probs[onset:offset + 1] = (0.0, 0.6, 0.0, 0.4)
        probs[apex] = (0.0, 0.1, 0.9, 0.0)
    return probs


def test_a_high_floor_on_some_videos_makes_calibration_choose_the_median_baseline(monkeypatch):
    """Two videos the model reads at activity 0.93 ± 0.05 between events: no absolute threshold of the grid separates
    that floor from the events (1.0) there and the quiet videos' events at once; above each video's median, all do."""
    rng = np.random.default_rng(1)
    layout = {"quiet_a": [(40, 44, 50), (200, 203, 210)], "quiet_b": [(90, 95, 101)],
              "noisy_a": [(60, 63, 70), (150, 155, 162)], "noisy_b": [(120, 124, 131)]}
    truth = [Event(video=v, subject=v, event_id=f"{v}-{k}", onset_frame=on, apex_frame=ap, offset_frame=off,
                   fps=30.0) for v, spans in layout.items() for k, (on, ap, off) in enumerate(spans)]
    curves = {v: video_curves(spans, 0.93 if v.startswith("noisy") else 0.02, rng) for v, spans in layout.items()}
    fps = {v: 30.0 for v in layout}
    chosen, micro_f1, overall_f1 = best_decoding(curves, fps, truth)
    assert chosen.baseline == "median"
    assert micro_f1 == overall_f1 == 1.0
    monkeypatch.setitem(calibrate.GRID, "baseline", ("none",))
    _, absolute_f1, _ = best_decoding(curves, fps, truth)
    assert absolute_f1 < 0.9
    # the quiet videos alone are decoded perfectly without a baseline: the grid's first best point is kept
    quiet = {v: c for v, c in curves.items() if v.startswith("quiet")}
    chosen, micro_f1, _ = best_decoding(quiet, {v: 30.0 for v in quiet}, [e for e in truth if e.video in quiet])
    assert micro_f1 == 1.0 and chosen.baseline == "none"


def test_nothing_found_anywhere_is_refused_rather_than_stored(tmp_path):
    """A model whose curves find no labelled event at any grid point: `calibrate_decoding` raises (naming the CSV)
    instead of returning an arbitrary grid point; all-NaN curves (no face found) score zero without failing."""
    truth = [Event(video="v", subject="s", event_id="e", onset_frame=50, apex_frame=53, offset_frame=60, fps=30.0)]
    flat = np.zeros((200, 4))
    flat[:, 0] = 1.0
    assert best_decoding({"v": flat}, {"v": 30.0}, truth)[1:] == (0.0, 0.0)
    assert best_decoding({"v": np.full((200, 4), np.nan)}, {"v": 30.0}, truth)[1:] == (0.0, 0.0)


def test_calibrate_decoding_raises_when_no_decoding_finds_an_event(monkeypatch, tmp_path):
    truth = [Event(video="v.mp4", subject="s", event_id="e", onset_frame=50, apex_frame=53, offset_frame=60, fps=30.0)]
    flat = np.zeros((200, 4))
    flat[:, 0] = 1.0
    monkeypatch.setattr(calibrate, "labelled_truth", lambda path: (None, truth))
    monkeypatch.setattr(calibrate, "open_video", lambda video, fps: _Nothing())
    monkeypatch.setattr(calibrate, "model_curves", lambda predictor, source, config, face_config: flat)
    with pytest.raises(ValueError, match="val.csv: no decoding finds any of its 1 labelled event"):
        calibrate.calibrate_decoding(tmp_path / "val.csv", predictor=None)


class _Nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
