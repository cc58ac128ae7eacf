"""The confidence check: mean confidence against the share of suggestions right, per kind and per band, worked out
by hand; also through `tsfmicro evaluate`."""

import json

import pytest

from app.analysis.evaluate import evaluate_spotting
from app.analysis.reliability import confidence_check, confidence_lines
from app.cli import main
from app.core.events import Event
from app.core.events_csv import write_events_csv


def ev(onset, offset, kind="micro", confidence=None, **kw):
    return Event("a.mp4", "s", f"e{onset}", onset, onset, offset, 30.0, kind, "happiness", confidence=confidence, **kw)


TRUTH = [ev(10, 19), ev(50, 59), ev(100, 160, kind="macro")]
PRED = [ev(s, e, k, c, source="model", status="suggested") for s, e, k, c in [
    (10, 19, "micro", 0.2),    # right, low band
    (50, 58, "micro", 0.1),    # right, low band
    (200, 205, "micro", 0.9),  # wrong, top band
    (300, 305, "micro", 1.0),  # wrong, top band (its upper edge)
    (400, 405, "micro", None),  # no confidence: not counted
    (100, 160, "macro", 0.6),  # right
]]


def test_mean_confidence_against_the_share_right_per_kind_and_band():
    check = confidence_check(evaluate_spotting(TRUTH, PRED))
    micro = check["micro"]
    assert micro["n"] == 4 and micro["mean_confidence"] == pytest.approx(0.55) and micro["right"] == 0.5
    assert [(b["from"], b["to"], b["n"], b["right"]) for b in micro["bands"]] == [(0.0, 0.25, 2, 1.0),
                                                                                (0.75, 1.0, 2, 0.0)]
    assert micro["bands"][1]["mean_confidence"] == pytest.approx(0.95)
    assert check["macro"] == {"n": 1, "mean_confidence": 0.6, "right": 1.0,
                              "bands": [{"from": 0.5, "to": 0.75, "n": 1, "mean_confidence": 0.6, "right": 1.0}]}
    lines = confidence_lines(check)
    assert "  micro: 4 suggestions, mean confidence 0.55, 50 % right" in lines
    assert confidence_check(evaluate_spotting(TRUTH, [ev(10, 19, source="model")])) == {}  # none carries one


def test_evaluate_prints_and_stores_the_check(tmp_path, capsys):
    write_events_csv(tmp_path / "truth.csv", TRUTH)
    write_events_csv(tmp_path / "pred.csv", PRED)
    assert main(["evaluate", "--truth", str(tmp_path / "truth.csv"), "--pred", str(tmp_path / "pred.csv"),
                 "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "Confidence against the share right" in out and "0.75–1.00: 2 (mean 0.95), 0 % right" in out
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert metrics["spotting"]["confidence"]["micro"]["right"] == 0.5
