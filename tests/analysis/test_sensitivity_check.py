"""Does the spotter's warning hold (`app.analysis.sensitivity_check`)? Micro spotting split into the videos where the
spotter said it cannot see faint micro-expressions and the rest — counts worked out by hand."""

from app.analysis.relative_evidence import Sensitivity
from app.analysis.sensitivity_check import sensitivity_check, sensitivity_lines
from app.core.events import Event


def ev(video, onset, offset, **kw):
    return Event(video, "s", f"e{onset}", onset, onset + 1, offset, 30.0, "micro", "happiness", **kw)


TRUTH = [ev("still.mp4", 10, 19), ev("still.mp4", 100, 109), ev("talking.mp4", 50, 59), ev("talking.mp4", 150, 159)]
PRED = [ev(v, s, e, source="model", status="suggested") for v, s, e in [
    ("still.mp4", 11, 20),     # hit
    ("still.mp4", 200, 205),   # false
    ("talking.mp4", 52, 60),   # hit: the warning does not forbid a find
    ("real.mp4", 10, 15),      # false, on a video with nothing labelled
]]
SEEN = {"still.mp4": Sensitivity(0.5, "brow_l", 5.0), "talking.mp4": Sensitivity(8.1, "nose_l", 5.0),
        "real.mp4": Sensitivity(7.2, "brow_r", 5.0), "flow.mp4": None}


def test_micro_spotting_is_split_by_the_warning():
    check = sensitivity_check(TRUTH, PRED, lambda e: e.video, SEEN)
    warned, quiet = check["warned"], check["not_warned"]
    assert (warned["videos"], warned["floor_min"], warned["floor_max"]) == (2, 7.2, 8.1)
    assert (warned["micro"]["tp"], warned["micro"]["fp"], warned["micro"]["fn"]) == (1, 1, 1)
    assert (quiet["videos"], quiet["floor_min"], quiet["floor_max"]) == (1, 0.5, 0.5)
    assert (quiet["micro"]["tp"], quiet["micro"]["fp"], quiet["micro"]["fn"]) == (1, 1, 1)
    assert set(check["per_video"]) == {"still.mp4", "talking.mp4", "real.mp4"}  # flow.mp4 had no sensitivity
    assert check["per_video"]["talking.mp4"]["blind"] is True
    lines = sensitivity_lines(check)
    assert "warned: 2 videos, floor 7.20–8.10 % eye span; micro-expressions found 1 / 2, false micro suggestions 1" \
        in lines[1]
    assert lines[2].startswith("  not warned: 1 videos, floor 0.50–0.50")


def test_no_sensitivity_anywhere_gives_no_check():
    assert sensitivity_check(TRUTH, PRED, lambda e: e.video, {"still.mp4": None}) is None
