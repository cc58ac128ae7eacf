"""How far labelled micro-expressions stand out of their video's motion (`app.analysis.stand_out_check`): ratios,
the one-threshold ceiling and the found counts, worked out by hand on made-up scores."""

import numpy as np
import pytest

from app.analysis.stand_out_check import ceiling, peaks, stand_out_check, stand_out_lines, stand_out_ratios
from app.core.events import Event

FPS = 10.0  # 0.1 s a frame: labelled expressions keep 1 frame around them out of the rest, peaks 3 frames apart


def ev(video, onset, offset, kind="micro", **kw):
    return Event(video, "s", f"e{onset}", onset, onset + 1, offset, FPS, kind, "happiness", **kw)


def score(n, bumps):
    """A score of 1 everywhere (the rest of the video: its 99.5th percentile is 1) with `bumps` {frame: value}."""
    out = np.ones(n)
    for frame, value in bumps.items():
        out[frame] = value
    return out


def test_a_micro_expression_is_read_against_the_rest_of_its_video_not_against_other_expressions():
    labelled = [ev("a", 20, 22), ev("a", 50, 52), ev("a", 70, 90, kind="macro")]
    relative = score(100, {21: 3.0, 51: 0.5, 80: 40.0})  # a macro-expression far larger than anything else
    assert stand_out_ratios(relative, labelled, FPS) == pytest.approx([3.0, 1.0])
    # a blink or speech in the rest of the video raises the bar: now the first stands out 1.5 times only
    assert stand_out_ratios(score(100, {21: 3.0, 51: 0.5, 80: 40.0, 5: 2.0, 6: 2.0}), labelled, FPS)[0] == \
        pytest.approx(3.0 / np.percentile(score(100, {5: 2.0, 6: 2.0})[_rest(100, labelled)], 99.5))
    assert stand_out_ratios(score(12, {5: 3.0}), [ev("a", 0, 11)], FPS) is None  # nothing left to stand out of


def _rest(n, labelled):
    rest = np.ones(n, bool)
    for e in labelled:
        rest[max(0, e.onset_frame - 1):e.offset_frame + 2] = False
    return rest


def test_peaks_are_local_and_the_highest_first():
    assert peaks(np.array([0, 1, 5, 4, 0, 0, 0, 3, 0, 2.0]), gap=2) == [2, 7, 9]
    assert peaks(np.array([0, 1, 5, 4, 0, 0, 0, 3, 0, 2.0]), gap=3) == [2, 7]  # 9 is 2 frames from a higher one
    assert peaks(np.arange(1.0, 10.0), gap=3) == [8]  # a rising stretch (speech swelling) is one peak, its top
    assert peaks(np.array([np.nan, 2.0, np.nan]), gap=1) == [1]
    assert peaks(np.zeros(5), gap=1) == []


def test_the_ceiling_is_the_best_f1_over_thresholds():
    # three micro-expressions; peaks (score, right): 9 right, 8 false, 7 right, then three false before the last right
    scored = [(9, True), (8, False), (7, True), (3, False), (2, False), (1.5, False), (1, True)]
    best = ceiling(scored, 3)
    assert (best["tp"], best["fp"], best["fn"], best["threshold"]) == (2, 1, 1, 7)
    assert best["f1"] == pytest.approx(4 / 6, abs=1e-4)
    assert ceiling([(5, False)], 2) == {"f1": 0.0, "threshold": None, "tp": 0, "fp": 0, "fn": 2}


def test_a_threshold_cannot_split_tied_peaks():
    # a threshold of 5 takes both: F1 2/3, not the 1.0 of taking the right one alone
    best = ceiling([(5, True), (5, False)], 1)
    assert (best["tp"], best["fp"], best["f1"]) == (1, 1, pytest.approx(2 / 3, abs=1e-4))


def test_the_check_splits_found_by_whether_it_stood_out_and_by_group():
    truth = [ev("still", 20, 22), ev("still", 50, 52), ev("talk", 20, 22), ev("talk", 60, 62)]
    pred = [ev("still", 20, 22, source="model"), ev("still", 50, 52, source="model"),
            ev("talk", 30, 32, source="model")]
    scores = {"still": (score(100, {21: 6.0, 51: 0.8}), FPS),          # one stands out, one not; both found
              "talk": (score(100, {21: 2.0, 61: 0.9, 40: 5.0}), FPS),  # a louder movement elsewhere
              "real": (score(100, {40: 4.0}), FPS)}                    # nothing labelled: its peaks are all false
    kinds = {"face_kind": {"still": "still", "talk": "talking", "real": "talking"}}
    check = stand_out_check(truth, pred, lambda e: e.video, scores, kinds)
    all_ = check["all"]
    assert (all_["videos"], all_["micro"], all_["stand_out"]) == (3, 4, 1)
    assert (all_["found_of_standing"], all_["found_of_rest"]) == (1, 1)
    still, talking = check["face_kind"]["still"], check["face_kind"]["talking"]
    assert (still["micro"], still["stand_out"], still["found_of_standing"], still["found_of_rest"]) == (2, 1, 1, 1)
    assert still["ceiling"]["tp"] == 1  # the faint one peaks under the rest of its video (taken only with all of it)
    assert (talking["micro"], talking["stand_out"], talking["found_of_rest"]) == (2, 0, 0)
    assert talking["ceiling"]["fp"] >= 1  # the louder movement and the real clip's peak come first
    lines = stand_out_lines(check)
    assert lines[0].startswith("How far the labelled micro-expressions stand out")
    assert any(line.strip().startswith("talking") for line in lines)
    assert stand_out_check(truth, pred, lambda e: e.video, {}) is None


def test_in_a_long_recording_a_micro_expression_is_read_against_the_stretch_around_it():
    """A quiet minute, then a loud one: a quiet-stretch micro-expression that the loud stretch's peaks would hide
    stands out of the frames within 10 s of it."""
    n = 1200  # 2 minutes at 10 fps
    relative = np.full(n, 0.5)
    relative[600:] = 1.0
    relative[600::20] = 6.0  # the loud stretch's own peaks
    relative[300] = 3.0      # a micro-expression in the quiet stretch
    ratio, = stand_out_ratios(relative, [ev("long", 299, 301)], FPS)
    assert ratio == pytest.approx(6.0)  # against the quiet frames around it, not against the loud minute (0.5)


def test_frames_without_a_face_are_not_part_of_the_rest_and_a_short_window_falls_back_to_the_whole_video():
    relative = score(100, {21: 3.0})
    relative[60:] = np.nan  # no face: neither a quiet nor a loud frame
    assert stand_out_ratios(relative, [ev("a", 20, 22)], FPS) == pytest.approx([3.0])
    relative = score(500, {496: 6.0})  # 50 s at 10 fps
    relative[:50] = 2.0  # the first 5 s, louder; then a labelled macro-expression until 1 s before the micro one
    labelled = [ev("a", 50, 489, kind="macro"), ev("a", 495, 497)]
    # within 10 s of it less than a second of rest is left: read against the whole rest (mostly the loud 5 s)
    assert stand_out_ratios(relative, labelled, FPS) == pytest.approx([3.0])
    labelled = [ev("a", 50, 380, kind="macro"), ev("a", 495, 497)]  # 10 s of quiet rest around it: read there
    assert stand_out_ratios(relative, labelled, FPS) == pytest.approx([6.0])
