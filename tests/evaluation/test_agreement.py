"""Agreement between raters, checked against values worked out by hand."""

import json
import subprocess
import sys

import pytest

from app.analysis.agreement import agreement, cohen_kappa, frame_codes, krippendorff_alpha_nominal
from app.core.events import Event
from app.core.events_csv import write_events_csv


def ev(eid, onset, apex, offset, kind="micro", emotion="happiness", video="v.mp4"):
    return Event(video, "s1", eid, onset, apex, offset, 30.0, kind, emotion)


def test_cohen_kappa_by_hand():
    # observed 3/4; chance 0.5*0.25 + 0.5*0.75 = 0.5; kappa = (0.75 - 0.5) / (1 - 0.5)
    assert cohen_kappa(list("hhss"), list("hsss")) == pytest.approx(0.5)
    assert cohen_kappa(list("hh"), list("hh")) == 1.0 and cohen_kappa([], []) is None


def test_krippendorff_alpha_by_hand():
    # coincidences: o00 = 2, o01 = o10 = 1, o11 = 4; n0 = 3, n1 = 5, n = 8
    # alpha = 1 - (n - 1) * D_o / sum_{c!=k} n_c n_k = 1 - 7 * 2 / 30
    assert krippendorff_alpha_nominal([[0, 0, 1, 1], [0, 1, 1, 1]]) == pytest.approx(1 - 14 / 30)
    # Krippendorff's own nominal example: 4 observers, 12 units, missing values; alpha = 0.743
    n = None
    data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n], [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
            [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n], [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n]]
    assert krippendorff_alpha_nominal(data) == pytest.approx(0.743, abs=5e-4)
    assert krippendorff_alpha_nominal([[1, 1], [1, 1]]) is None  # one category only: undefined


def test_frame_codes_put_micro_over_macro():
    assert frame_codes([ev("a", 1, 1, 3, "macro"), ev("b", 2, 2, 2)], 5) == ["none", "macro", "micro", "macro", "none"]


def test_pair_and_alpha_on_a_small_case():
    a = [ev("a1", 0, 5, 9), ev("a2", 20, 25, 29, emotion="fear"), ev("a3", 50, 55, 59, "macro")]
    b = [ev("b1", 0, 4, 9), ev("b2", 22, 26, 31, emotion="surprise"), ev("b3", 80, 85, 89, "macro")]
    result = agreement({"A": a, "B": b})
    (pair,) = result.pairs
    # a1-b1 IoU 1, a2-b2 IoU 8/12; a3 and b3 unmatched: TP 2, FP 1, FN 1, F1 = 4 / 6
    assert pair.matched == 2 and pair.interval_f1 == pytest.approx(4 / 6) and result.interval_f1 == pytest.approx(4 / 6)
    assert pair.median_abs_diff_frames == {"onset": 1.0, "apex": 1.0, "offset": 1.0}  # medians of (0, 2) (1, 1) (0, 2)
    assert pair.emotion_kappa == pytest.approx(1 / 3)  # observed 1/2, chance 1/2 * 1/2: (1/2 - 1/4) / (3/4)
    # per frame over 0..89 (90 units): micro/micro on 0-9 and 22-29 (18), A micro / B none on 20-21 (2), A none /
    # B micro on 30-31 (2), A macro / B none on 50-59 (10), A none / B macro on 80-89 (10), none/none 48.
    # coincidences (both orders): none-none 96, micro-micro 36, none-micro 4 + 4, none-macro 20 + 20
    # n_none = 120, n_micro = 40, n_macro = 20, n = 180; sum_{c!=k} n_c n_k = 2 (4800 + 2400 + 800) = 16000
    expected = 1 - 179 * 48 / 16000  # = 0.463
    assert result.frames == 90 and result.krippendorff_alpha == pytest.approx(expected)


def test_agree_command_json_and_out(tmp_path):
    a = [ev("a1", 0, 5, 9), ev("a2", 20, 25, 29)]
    b = [ev("b1", 0, 4, 9), ev("b2", 40, 45, 49)]
    c = [ev("c1", 1, 5, 9), ev("c2", 20, 25, 29)]
    for name, events in (("ann", a), ("bob", b), ("cem", c)):
        write_events_csv(tmp_path / f"{name}.csv", events)
    args = [sys.executable, "-m", "app.cli", "agree", "ann.csv", "bob.csv", "cem.csv"]
    out = subprocess.run(args + ["--json", "--out", "agree"], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    facts = json.loads(out.stdout)
    assert facts["raters"] == ["ann", "bob", "cem"] and len(facts["pairs"]) == 3
    # ann-bob 1 of 2 each: F1 1/2; ann-cem 2 of 2: F1 1; bob-cem: F1 1/2
    assert facts["interval_f1"] == pytest.approx((0.5 + 1 + 0.5) / 3)
    assert -1 <= facts["krippendorff_alpha"] <= 1
    assert json.loads((tmp_path / "agree" / "agreement.json").read_text())["interval_f1"] == facts["interval_f1"]
    rows = (tmp_path / "agree" / "disagreements.csv").read_text().splitlines()
    assert "ann,bob,v.mp4,only ann,a2,20-25-29,happiness,,," in rows
    text = subprocess.run(args[:-1], capture_output=True, text=True, cwd=tmp_path)
    assert text.returncode == 0 and "ann vs bob: F1 0.500" in text.stdout
    bad = subprocess.run(args[:5] + ["missing.csv"], capture_output=True, text=True, cwd=tmp_path)
    assert bad.returncode == 2 and "missing.csv" in bad.stderr
