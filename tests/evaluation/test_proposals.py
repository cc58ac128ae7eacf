"""Curves -> proposals on synthetic curves at 30 and 200 fps."""

import dataclasses

import numpy as np
import pytest

from app.analysis.proposals import ProposalConfig, hysteresis_runs, propose_events, propose_intervals, smooth
from app.core.events_csv import read_events_csv, write_events_csv

EXACT = ProposalConfig(smooth_s=0.0)


def curves(n, events, background=0.02):
    """(n, 4) probabilities over {none, onset, apex, offset}; each event (onset, apex, offset) has
    p_none = 0.1 inside, and p_apex peaking at the apex."""
    probs = np.zeros((n, 4))
    probs[:, 0] = 1.0 - background
    probs[:, 1] = background
    for onset, apex, offset in events:
        t = np.arange(onset, offset + 1)
        p_apex = 0.6 * np.exp(-0.5 * ((t - apex) / max(1.0, (offset - onset) / 8)) ** 2)
        probs[t, 0] = 0.1
        probs[t, 2] = p_apex
        probs[t, 1] = np.where(t < apex, 0.9 - p_apex, 0.0)
        probs[t, 3] = np.where(t >= apex, 0.9 - p_apex, 0.0)
    return probs


def test_30fps_exact_intervals_kinds_and_scores():
    probs = curves(300, [(30, 33, 38), (100, 120, 135), (200, 200, 200)])  # 0.3 s, 1.2 s, 1 frame (0.033 s)
    proposals = propose_intervals(probs, 30.0, EXACT)
    assert [(p.onset, p.apex, p.offset, p.kind) for p in proposals] == [(30, 33, 38, "micro"), (100, 120, 135, "macro")]
    assert proposals[0].score == pytest.approx(0.9)
    assert proposals[0].duration_frames == 9


def test_30fps_with_default_smoothing_stays_within_the_window():
    probs = curves(300, [(30, 33, 38)])
    (p,) = propose_intervals(probs, 30.0)          # 0.05 s at 30 fps: a 3-frame window
    assert abs(p.onset - 30) <= 1 and abs(p.offset - 38) <= 1 and p.apex == 33
    assert 0.7 < p.score <= 0.9


def test_200fps_duration_priors_are_in_seconds():
    probs = curves(3000, [(400, 430, 449),          # 0.25 s: micro
                          (800, 803, 805),          # 6 frames = 0.03 s: shorter than 1/25 s, dropped
                          (1000, 1100, 1199),       # 1.0 s: macro
                          (1500, 2000, 2499)])      # 5.0 s: longer than macro_max_s, dropped
    got = [(p.onset, p.apex, p.offset, p.kind) for p in propose_intervals(probs, 200.0, EXACT)]
    assert got == [(400, 430, 449, "micro"), (1000, 1100, 1199, "macro")]
    # 0.05 s: an 11-frame window (it widens the 6-frame blip past the minimum, so that one is left out here)
    smoothed = propose_intervals(curves(3000, [(400, 430, 449), (1000, 1100, 1199)]), 200.0)
    assert [p.kind for p in smoothed] == ["micro", "macro"]
    assert abs(smoothed[0].onset - 400) <= 5 and abs(smoothed[0].offset - 449) <= 5
    assert abs(smoothed[0].apex - 430) <= 1
    micro_only = propose_intervals(probs, 200.0, ProposalConfig(smooth_s=0.0, long_runs="drop"))
    assert [p.kind for p in micro_only] == ["micro"]


def test_the_same_event_in_seconds_gives_the_same_kind_at_both_rates():
    for fps in (30.0, 200.0):
        on, off = int(1.0 * fps), int(1.0 * fps + 0.4 * fps)        # 0.4 s
        (p,) = propose_intervals(curves(int(3 * fps), [(on, (on + off) // 2, off)]), fps, EXACT)
        assert p.kind == "micro" and (p.onset, p.offset) == (on, off)
        on2, off2 = on, int(1.0 * fps + 0.7 * fps)                   # 0.7 s
        (q,) = propose_intervals(curves(int(3 * fps), [(on2, on2 + 2, off2)]), fps, EXACT)
        assert q.kind == "macro"


def test_hysteresis_opens_at_theta_hi_and_closes_at_theta_lo():
    a = np.array([0, .4, .4, .4, 0,  0, .35, .8, .35, .8, .35, 0,  .8, .2, .8, 0], dtype=float)
    #             never reaches hi   one run despite dips to .35      dip to .2 splits
    assert hysteresis_runs(a, 0.5, 0.3) == [(6, 10), (12, 12), (14, 14)]


def test_uncomputed_frames_split_runs_and_never_become_proposals():
    probs = curves(120, [(20, 30, 50)])
    probs[35:38] = np.nan                                      # a gap in the analysis inside the event
    probs[80:] = np.nan
    got = [(p.onset, p.offset) for p in propose_intervals(probs, 30.0, EXACT)]
    assert got == [(20, 34), (38, 50)]
    assert propose_intervals(np.full((50, 4), np.nan), 30.0) == []
    assert propose_intervals(np.zeros((0, 4)), 30.0) == []
    smoothed = smooth(np.array([1.0, np.nan, 3.0, 5.0]), 3)
    assert np.isnan(smoothed[1]) and smoothed[0] == 1.0 and smoothed[2] == 4.0


def test_macro_pieces_close_together_are_joined_into_one_expression():
    # one 2 s expression whose activity dips for 0.5 s at its apex (the face holds still), and a face missed in two
    # frames inside the dip; a second expression 1.5 s after it; a micro-expression between two macro pieces
    probs = curves(300, [(20, 40, 49), (65, 75, 84), (130, 140, 159), (180, 190, 199), (203, 205, 207),
                         (211, 220, 240)])
    probs[56:58] = np.nan
    pieces = [(p.onset, p.offset, p.kind) for p in propose_intervals(probs, 30.0, EXACT)]
    assert pieces[:2] == [(20, 49, "macro"), (65, 84, "macro")]
    joined = propose_intervals(probs, 30.0, dataclasses.replace(EXACT, merge_gap_s=0.5))
    assert [(p.onset, p.offset, p.kind) for p in joined] == [
        (20, 84, "macro"),    # across the dip and the uncomputed frames: one expression
        (130, 159, "macro"),  # 45 frames (1.5 s) later: another one
        (180, 199, "macro"), (203, 207, "micro"), (211, 240, "macro")]  # a suggestion in between keeps them apart
    first = joined[0]
    assert first.apex in (40, 75) and first.score == pytest.approx(np.nanmean(1.0 - probs[20:85, 0]))
    longer = propose_intervals(probs, 30.0, dataclasses.replace(EXACT, merge_gap_s=2.0, macro_max_s=2.5))
    assert [(p.onset, p.offset) for p in longer][:2] == [(20, 84), (130, 199)]  # 20..159 would last 4.7 s
    with pytest.raises(ValueError, match="merge_gap_s"):
        ProposalConfig(merge_gap_s=-1.0)


def test_events_are_model_suggestions_that_the_training_csv_accepts(tmp_path):
    (tmp_path / "talk.mp4").write_bytes(b"x")
    events = propose_events(curves(300, [(30, 33, 38)]), 30.0, video="talk.mp4", subject="p07", config=EXACT)
    (e,) = events
    assert (e.source, e.status, e.emotion, e.event_id, e.kind) == ("model", "suggested", "none", "model-30", "micro")
    assert e.confidence == pytest.approx(0.9) and e.fps == 30.0
    write_events_csv(tmp_path / "pred.csv", events)
    assert read_events_csv(tmp_path / "pred.csv", strict=True).accepted == events


def test_bad_input_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match=r"shape \(n, 4\)"):
        propose_intervals(np.zeros((10, 3)), 30.0)
    with pytest.raises(ValueError, match="fps must be positive"):
        propose_intervals(np.zeros((10, 4)), 0.0)
    with pytest.raises(ValueError, match="theta_lo <= theta_hi"):
        ProposalConfig(theta_hi=0.2, theta_lo=0.4)
    with pytest.raises(ValueError, match="long_runs"):
        ProposalConfig(long_runs="keep")


def test_end_trim_pulls_the_offset_in_but_never_before_the_apex():
    from app.analysis.proposals import ProposalConfig, propose_intervals

    probs = np.zeros((60, 4))
    probs[:, 0] = 1.0
    probs[10:31, 0], probs[10:31, 2] = 0.0, 0.1  # a run over frames 10..30
    probs[14, 2] = 0.9  # its apex
    plain = propose_intervals(probs, 30.0, ProposalConfig(smooth_s=0.0))
    trimmed = propose_intervals(probs, 30.0, ProposalConfig(smooth_s=0.0, trim_end_s=0.2))
    assert [(p.onset, p.apex, p.offset) for p in plain] == [(10, 14, 30)]
    assert [(p.onset, p.apex, p.offset) for p in trimmed] == [(10, 14, 24)]  # 0.2 s = 6 frames at 30 fps
    assert propose_intervals(probs, 30.0, ProposalConfig(smooth_s=0.0, trim_end_s=2.0))[0].offset == 14


def test_median_baseline_finds_an_event_above_a_face_s_high_floor():
    """A model reading a new face at activity 0.55 between events (its floor) and 1.0 in an event: with absolute
    thresholds the floor itself is one long run and the event is lost in it; measured above the video's median,
    only the event stands out. The floor's flicker and the unsmoothed NaN gap are handled."""
    rng = np.random.default_rng(0)
    probs = curves(300, [(100, 104, 110)], background=0.0)
    probs[:, 0] = np.where(probs[:, 0] > 0.5, 0.45 + rng.uniform(-0.05, 0.05, 300), 0.0)
    probs[200:210] = np.nan
    absolute = ProposalConfig(smooth_s=0.0, theta_hi=0.85, theta_lo=0.5)
    assert propose_intervals(probs, 30.0, absolute) == []  # one run 0..199: longer than macro_max_s, dropped
    unlimited = dataclasses.replace(absolute, macro_max_s=None)
    assert [(p.onset, p.offset) for p in propose_intervals(probs, 30.0, unlimited)] == [(0, 199)]
    relative = ProposalConfig(smooth_s=0.0, theta_hi=0.85, theta_lo=0.5, baseline="median")
    (event,) = propose_intervals(probs, 30.0, relative)
    assert (event.onset, event.apex, event.offset, event.kind) == (100, 104, 110, "micro")
    assert event.score == pytest.approx(1.0)
    # the same curves on a face with a floor near 0 are decoded as before
    quiet = curves(300, [(100, 104, 110), (200, 203, 209)])
    spans = lambda config: [(p.onset, p.apex, p.offset, p.kind) for p in propose_intervals(quiet, 30.0, config)]
    assert spans(relative) == spans(absolute) == [(100, 104, 110, "micro"), (200, 203, 209, "micro")]


def test_above_median_edges():
    from app.analysis.proposals import above_median

    assert np.allclose(above_median(np.array([0.2, 0.2, 0.2, 0.6, 1.0])), [0.0, 0.0, 0.0, 0.5, 1.0])
    assert np.isnan(above_median(np.array([np.nan, np.nan]))).all()
    assert np.array_equal(above_median(np.array([1.0, 1.0, np.nan])), np.array([0.0, 0.0, np.nan]), equal_nan=True)
    # a face read as almost always active: its wobble is not blown up into activity
    assert above_median(np.array([0.999, 0.999, 0.9995, 0.9992, 0.999])).max() < 0.02
    with pytest.raises(ValueError, match="baseline"):
        ProposalConfig(baseline="mean")
