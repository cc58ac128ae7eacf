"""Timing limits, intensity profiles and the layout of events and nuisance in a video's plan."""

import dataclasses
import math

import numpy as np
import pytest

from app.synth import timing
from app.synth.plan import plan_video


@pytest.mark.parametrize("fps", [10, 25, 29.97, 30, 60, 200])
def test_micro_timing_limits(fps):
    rng = np.random.default_rng(0)
    for _ in range(500):
        rise, total = timing.draw_micro(rng, fps)
        assert 0.05 - 1e-9 <= rise / fps <= 0.25 + 1e-9  # onset -> apex
        assert total / fps <= 0.5 + 1e-9  # onset..offset inclusive
        assert total - 1 - rise >= rise  # the fall is at least as long as the rise


@pytest.mark.parametrize("fps", [30, 200])
def test_macro_timing_limits(fps):
    rng = np.random.default_rng(1)
    for _ in range(200):
        rise, total = timing.draw_macro(rng, fps)
        assert 0.6 - 1e-9 <= total / fps <= 3.0 + 1e-9 and 1 <= rise < total - 1


@pytest.mark.parametrize("rise,total", [(1, 3), (2, 6), (4, 13), (30, 90)])
def test_rise_fall_is_smooth_with_one_peak_and_moves_at_both_ends(rise, total):
    p = timing.rise_fall(rise, total)
    assert len(p) == total and p[rise] == 1.0 and int(np.argmax(p)) == rise
    assert (p[:rise] < 1).all() and (p[rise + 1:] < 1).all() and (p > 0).all()
    assert (np.diff(p[:rise + 1]) > 0).all() and (np.diff(p[rise:]) < 0).all()
    assert p[0] >= timing.PEDESTAL and p[-1] >= timing.PEDESTAL


def test_blink_lasts_0_1_to_0_3_s():
    rng = np.random.default_rng(2)
    for fps in (30, 200):
        for _ in range(50):
            p = timing.blink_profile(rng, fps)
            assert 0.1 - 1e-9 <= len(p) / fps <= 0.3 + 1e-9 or len(p) == 3
            assert p.max() > 0.8


@pytest.mark.parametrize("face", ["astronaut", "carphone"])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_plan_layout(seed, face):
    spec = plan_video(seed, 0, face, fps=30.0)
    assert 10 * 30 <= spec.n_frames <= 20 * 30
    events = spec.expressions
    assert len(events) >= 3 and any(e.kind == "macro" for e in events) and any(e.kind == "micro" for e in events)
    for e in events:
        assert e.onset < e.apex < e.offset < spec.n_frames
        assert len(e.intensity) == e.offset - e.onset + 1 and e.intensity[e.apex - e.onset] == 1.0
        duration = (e.offset - e.onset + 1) / spec.fps
        if e.kind == "micro":
            assert 0.05 <= (e.apex - e.onset) / spec.fps <= 0.25 and duration <= 0.5
            assert 0.03 <= e.amplitude <= 0.06
        else:
            assert 0.6 <= duration <= 3.0 and e.amplitude >= 0.1
    for a, b in zip(events, events[1:]):
        assert (b.onset - a.offset - 1) / spec.fps >= 1.0  # neutral gap
    kinds = {n.kind for n in spec.nuisances}
    assert kinds == ({"blink", "talk", "flicker"} if face == "astronaut" else {"blink", "flicker"})
    margin = 3
    for n in spec.nuisances:
        assert len(n.values) == n.end - n.start + 1
        for e in events:  # nuisance stays clear of every labelled event
            assert n.end <= e.onset - margin - 1 or n.start >= e.offset + margin + 1, (n, e)


def test_plan_is_reproducible_and_seed_dependent():
    assert plan_video(5, 2, "astronaut") == plan_video(5, 2, "astronaut")
    assert plan_video(5, 2, "astronaut") != plan_video(6, 2, "astronaut")
    assert plan_video(5, 2, "astronaut") != plan_video(5, 3, "astronaut")


def test_plan_200_fps_and_fixed_duration():
    spec = plan_video(3, 0, "astronaut", fps=200.0, duration_s=6.0)
    assert spec.n_frames == 1200 and spec.fps == 200.0
    micro = [e for e in spec.expressions if e.kind == "micro"]
    assert micro and all((e.offset - e.onset + 1) <= 100 and 10 <= e.apex - e.onset <= 50 for e in micro)


def test_plan_rejects_bad_arguments():
    with pytest.raises(ValueError):
        plan_video(0, 0, "mona-lisa")
    with pytest.raises(ValueError):
        plan_video(0, 0, "astronaut", fps=5.0)
    with pytest.raises(ValueError):
        plan_video(0, 0, "astronaut", duration_s=0.5)


@pytest.mark.parametrize("fps", [30.0, 200.0])
def test_micro_durations_down_to_a_twitch(fps):
    """--micro-s 0.04,0.5: totals cover 3 frames (or 1/25 s) to 0.5 s, short ones as often as long ones (log-uniform),
    the apex in the first half; the default draw is untouched."""
    rng = np.random.default_rng(0)
    drawn = [timing.draw_micro(rng, fps, (0.04, 0.5)) for _ in range(2000)]
    totals = np.array([t for _, t in drawn])
    assert all(1 <= r and 2 * r + 1 <= t for r, t in drawn)
    assert totals.min() == max(3, math.ceil(0.04 * fps)) and totals.max() <= 0.5 * fps + 1e-9
    assert (totals <= 0.15 * fps).mean() > 0.2  # brief twitches are common (a quarter at 30 fps, log-uniform)
    default = np.random.default_rng(1)
    assert timing.draw_micro(default, fps) == timing.draw_micro(np.random.default_rng(1), fps, None)


def test_plan_with_short_micro_expressions_labels_them_exactly():
    spec = plan_video(5, 0, "astronaut", duration_s=20.0, micro_s=(0.04, 0.2))
    micro = [e for e in spec.expressions if e.kind == "micro"]
    assert micro and all(3 <= e.offset - e.onset + 1 <= 6 for e in micro)
    assert all(max(e.intensity) == 1.0 and e.intensity[e.apex - e.onset] == 1.0 for e in micro)


def test_gap_s_spaces_the_expressions_out_and_the_default_is_unchanged():
    """--gap-s 3,8: sparse expressions, as in an interview (the relative-evidence intervals are calibrated on such
    videos); without it, the plan is the one it always was."""
    sparse = plan_video(9, 0, "astronaut", duration_s=60.0, gap_s=(3.0, 8.0))
    gaps = [(b.onset - a.offset - 1) / 30.0 for a, b in zip(sparse.expressions, sparse.expressions[1:])]
    assert len(gaps) >= 3 and all(3.0 - 1 / 30 <= g <= 8.0 + 1 / 30 for g in gaps)
    dense = plan_video(9, 0, "astronaut", duration_s=60.0)
    assert len(dense.expressions) > 2 * len(sparse.expressions)
    assert plan_video(9, 0, "astronaut", duration_s=60.0, gap_s=None) == dense


def test_gap_s_out_of_range_is_refused(capsys):
    from app.cli import main

    with pytest.raises(ValueError, match="gap_s"):
        plan_video(1, 0, "astronaut", duration_s=10.0, gap_s=(5.0, 2.0))
    with pytest.raises(SystemExit):
        main(["synth", "--out", "unused", "--gap-s", "0,3"])
    assert "--gap-s" in capsys.readouterr().err


def test_talk_iod_sets_only_the_bursts_of_talk_and_bad_spans_are_refused(capsys):
    """--talk-iod 0.035,0.065: talk about as large as a real talking face's (validation videos of the bundled
    spotter); everything else in the video is the same, and the default is the plan it always was."""
    from app.cli import main

    default = plan_video(3, 0, "astronaut", duration_s=30.0, busy=0.8)
    soft = plan_video(3, 0, "astronaut", duration_s=30.0, busy=0.8, talk_iod=(0.035, 0.065))
    talk = [n for n in soft.nuisances if n.kind == "talk"]
    assert talk and all(0.035 <= n.amplitude <= 0.065 for n in talk)
    assert all(0.10 <= n.amplitude <= 0.18 for n in default.nuisances if n.kind == "talk")
    same = [dataclasses.replace(n, amplitude=0.0) if n.kind == "talk" else n for n in soft.nuisances]
    assert same == [dataclasses.replace(n, amplitude=0.0) if n.kind == "talk" else n for n in default.nuisances]
    assert soft.expressions == default.expressions
    with pytest.raises(ValueError, match="talk_iod"):
        plan_video(1, 0, "astronaut", duration_s=10.0, talk_iod=(0.2, 0.1))
    with pytest.raises(SystemExit):
        main(["synth", "--out", "unused", "--talk-iod", "0.1,0.05"])
    assert "--talk-iod" in capsys.readouterr().err
