"""The MEGC spotting metric on hand-made interval lists, including the pitfalls of public
scripts: one prediction counted twice, and the copied IoU that gives disjoint intervals 1."""

import pytest

from app.analysis.evaluate import (SpottingCounts, evaluate_spotting, interval_iou, match_events, match_intervals,
                                   spotting_counts)
from app.core.events import Event


def ev(video, onset, offset, apex=None, kind="micro", event_id=None, emotion="others"):
    apex = (onset + offset) // 2 if apex is None else apex
    return Event(video, "s", event_id or f"{video}-{onset}", onset, apex, offset, 30.0, kind, emotion)


def test_iou_counts_frames_inclusively():
    assert interval_iou((0, 9), (0, 9)) == 1.0
    assert interval_iou((0, 9), (0, 4)) == 0.5                      # 5 / 10
    assert interval_iou((0, 4), (4, 8)) == pytest.approx(1 / 9)     # one shared frame
    assert interval_iou((3, 3), (3, 3)) == 1.0                      # single-frame intervals
    with pytest.raises(ValueError):
        interval_iou((5, 4), (0, 9))


def test_disjoint_intervals_have_iou_zero_not_the_copied_off_by_one():
    assert interval_iou((0, 4), (5, 9)) == 0.0    # adjacent: the buggy max(0, ...) + 1 gives 1 shared frame
    assert interval_iou((0, 4), (50, 59)) == 0.0
    assert match_intervals([(0, 0)], [(1, 1)], threshold=0.0) == [(0, 0, 0.0)]  # only a threshold of 0 accepts it


def test_threshold_is_inclusive():
    assert match_intervals([(0, 9)], [(0, 4)]) == [(0, 0, 0.5)]
    assert match_intervals([(0, 9)], [(0, 3)]) == []               # 4 / 10


def test_one_prediction_is_never_counted_twice():
    truth = [(0, 9), (1, 10)]                      # two overlapping truths
    pred = [(0, 10)]                               # IoU 10/11 with both
    assert len(match_intervals(truth, pred)) == 1
    assert spotting_counts({"v": truth}, {"v": pred}) == SpottingCounts(tp=1, fp=0, fn=1)


def test_two_predictions_on_one_truth_give_one_hit_and_one_false_alarm():
    assert spotting_counts({"v": [(0, 9)]}, {"v": [(0, 9), (1, 9)]}) == SpottingCounts(tp=1, fp=1, fn=0)


def test_highest_iou_pairs_are_assigned_first():
    truth = [(0, 9), (2, 11)]
    pred = [(2, 11), (0, 11)]
    # (0,11) vs (0,9): 10/12; vs (2,11): 10/12. (2,11) vs (2,11): 1.0 is assigned first, so (0,11) gets (0,9).
    matches = match_intervals(truth, pred)
    assert sorted((t, p) for t, p, _ in matches) == [(0, 1), (1, 0)]
    # Order-of-truth greedy would give truth 0 to prediction 0 (IoU 8/12) and could lose a hit:
    assert match_intervals([(0, 9), (2, 11)], [(2, 11)]) == [(1, 0, 1.0)]


def test_counts_are_pooled_over_videos_before_f1():
    counts = spotting_counts({"a": [(0, 9)], "b": [(0, 9)]}, {"a": [(0, 9)], "b": [(20, 29), (40, 49), (60, 69)]})
    assert counts == SpottingCounts(tp=1, fp=3, fn=1)
    assert counts.precision == 0.25 and counts.recall == 0.5
    assert counts.f1 == pytest.approx(2 / 6)       # pooled; the mean of per-video F1s would be 0.5


def test_videos_on_one_side_only_and_empty_inputs():
    assert spotting_counts({"a": [(0, 9)]}, {"b": [(0, 9)]}) == SpottingCounts(tp=0, fp=1, fn=1)
    empty = spotting_counts({}, {})
    assert (empty.precision, empty.recall, empty.f1) == (0.0, 0.0, 0.0)


def test_events_match_only_within_their_type_and_video_and_report_apex_error():
    truth = [ev("v1", 10, 19, apex=14), ev("v1", 100, 160, kind="macro"), ev("v2", 10, 19)]
    pred = [ev("v1", 11, 20, apex=17),                       # micro hit, apex error 3
            ev("v1", 100, 160, kind="micro"),                # right place, wrong type: FP (micro) + FN (macro)
            ev("v3", 10, 19)]                                # another video: FP; v2's truth: FN
    results = evaluate_spotting(truth, pred)
    assert results["micro"].counts == SpottingCounts(tp=1, fp=2, fn=1)
    assert results["macro"].counts == SpottingCounts(tp=0, fp=0, fn=1)
    assert results["overall"].counts == SpottingCounts(tp=1, fp=2, fn=2)
    assert results["micro"].apex_errors_frames == [3]
    assert results["micro"].apex_errors_s == [pytest.approx(0.1)]
    assert [e.video for e in results["overall"].misses] == ["v2", "v1"]


def test_recognition_pairs_by_event_id_first_then_by_interval():
    truth = [ev("v", 10, 19, event_id="EP01"), ev("v", 40, 49, event_id="EP02"), ev("v", 80, 89, event_id="EP03")]
    pred = [ev("v", 0, 5, event_id="EP01", emotion="happiness"),   # same id, far away: still paired by id
            ev("v", 41, 50, event_id="model-41"),                  # paired by IoU with EP02
            ev("v", 200, 209, event_id="model-200")]               # unpaired
    pairs = match_events(truth, pred)
    assert [(t.event_id, p.event_id, rule) for t, p, rule in pairs] == [("EP01", "EP01", "event_id"),
                                                                       ("EP02", "model-41", "iou")]
