"""Busy synthetic videos: restless activity, glances, head sweeps and nuisance over expressions, from their own
random stream, rendered where the plan says; and varied action units, likewise from their own stream."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from app.synth import timing
from app.synth.nuisance import gaze_field, swept
from app.synth.action_units import AU_TABLE, EMOTION_AUS, LEFT_EYE, RIGHT_EYE, parse_aus
from app.synth.plan import Nuisance, plan_video
from app.synth.render import iter_render


def test_busy_keeps_the_expressions_and_gap_nuisance_of_the_quiet_video():
    quiet = plan_video(seed=21, index=3, face="astronaut", fps=30.0, duration_s=10.0)
    busy = plan_video(seed=21, index=3, face="astronaut", fps=30.0, duration_s=10.0, busy=0.9)
    assert busy.expressions == quiet.expressions
    assert set(quiet.nuisances) < set(busy.nuisances)
    added = [n for n in busy.nuisances if n not in quiet.nuisances]
    kinds = {n.kind for n in added}
    assert "fidget" in kinds and kinds <= {"fidget", "gaze", "sweep", "blink", "talk"}
    for n in added:
        assert 0 <= n.start <= n.end < busy.n_frames and len(n.values) == n.end - n.start + 1


def test_busy_puts_nuisance_over_expressions():
    over = 0
    for index in range(6):
        spec = plan_video(seed=5, index=index, face="grace_hopper", fps=30.0, duration_s=10.0, busy=1.0)
        for e in spec.expressions:
            over += any(n.kind != "fidget" and n.start <= e.offset and e.onset <= n.end for n in spec.nuisances)
    assert over >= 6  # with chance 1 every expression gets one, where it fits in the video


def test_quiet_clip_videos_never_talk_on_top_of_the_clip():
    spec = plan_video(seed=4, index=0, face="carphone", fps=30.0, duration_s=10.0, busy=1.0)
    assert all(n.kind != "talk" for n in spec.nuisances)


def test_busy_out_of_range_is_refused():
    with pytest.raises(ValueError, match="busy"):
        plan_video(seed=1, face="astronaut", duration_s=10.0, busy=1.5)


def test_profiles_stay_in_range_and_rest_at_their_ends():
    rng = np.random.default_rng(0)
    for _ in range(20):
        gaze = timing.gaze_profile(rng, 30.0)
        sweep = timing.sweep_profile(rng, 30.0)
        assert 0 < gaze.min() and gaze.max() == pytest.approx(1.0) and gaze[0] < 0.6 and gaze[-1] < 0.6
        assert 0 < sweep.min() and sweep.max() <= 1.0 and sweep[0] < 0.1 and sweep[-1] < 0.1
        fidget = timing.fidget_profile(rng, 30.0, 300)
        assert fidget.shape == (300,) and fidget.min() == 0.0 and fidget.max() == pytest.approx(1.0)
        assert np.median(fidget) < 0.5  # mostly low


def _landmarks():
    spec = plan_video(seed=2, face="astronaut", fps=30.0, duration_s=10.0)
    return next(iter_render(spec)).landmarks


def test_a_glance_moves_the_inside_of_the_eyes_only():
    lm = _landmarks()
    item = Nuisance("gaze", 0, 9, tuple([1.0] * 10), 0.1)
    field = gaze_field(lm, item, 1.0, (640, 480))
    iod = float(np.hypot(*(lm[LEFT_EYE].mean(0) - lm[RIGHT_EYE].mean(0))))
    length = np.hypot(field.dx, field.dy)
    assert length.max() == pytest.approx(0.1 * iod, rel=0.05)
    # nothing moves outside the eyes' outlines
    ys, xs = np.nonzero(length > 1e-3)
    points = np.stack([xs + field.x0, ys + field.y0], 1)
    lo, hi = np.minimum(lm[RIGHT_EYE].min(0), lm[LEFT_EYE].min(0)), np.maximum(lm[RIGHT_EYE].max(0), lm[LEFT_EYE].max(0))
    assert (points >= lo - 1).all() and (points <= hi + 1).all()
    assert gaze_field(lm, item, 0.0, (640, 480)) is None


def test_a_head_sweep_moves_face_and_landmarks_together_and_returns():
    lm = _landmarks()
    affine = np.array([[1.0, 0.0, 5.0], [0.0, 1.0, 7.0]])
    sweep = Nuisance("sweep", 10, 19, tuple(timing.sweep_profile(np.random.default_rng(1), 30.0)[:10]), 1.0,
                     (0.0, 0.2, 0.0, 0.0))
    sweep = dataclasses.replace(sweep, end=10 + len(sweep.values) - 1)
    peak = 10 + int(np.argmax(sweep.values))
    a, moved = swept(affine, lm, [sweep], peak)
    iod = float(np.hypot(*(lm[LEFT_EYE].mean(0) - lm[RIGHT_EYE].mean(0))))
    shift = moved - lm
    assert np.allclose(shift[:, 0], 0, atol=1e-6) and np.allclose(shift[:, 1], 0.2 * iod * max(sweep.values))
    # the affine moves source points exactly as the landmarks moved
    source = (lm - affine[:, 2]) @ np.linalg.inv(affine[:, :2]).T
    assert np.allclose(source @ a[:, :2].T + a[:, 2], moved)
    before, same = swept(affine, lm, [sweep], 9)
    assert np.array_equal(before, affine) and np.array_equal(same, lm)


def test_busy_video_renders_more_motion_than_the_quiet_one_between_expressions():
    quiet = plan_video(seed=8, index=0, face="astronaut", fps=30.0, duration_s=4.0)
    busy = plan_video(seed=8, index=0, face="astronaut", fps=30.0, duration_s=4.0, busy=1.0)
    calm = np.ones(quiet.n_frames, bool)
    for e in quiet.expressions:
        calm[e.onset:e.offset + 1] = False
    moved_quiet = np.array([f.displacement_px for f in iter_render(quiet)])
    moved_busy = np.array([f.displacement_px for f in iter_render(busy)])
    assert (moved_busy[calm] > 0).mean() > 0.9  # restless activity: the face is never quite still
    assert moved_busy[calm].mean() > moved_quiet[calm].mean()


def test_varied_action_units_change_only_the_codes_and_reach_beyond_the_emotion_table():
    typical = {code for codes in EMOTION_AUS.values() for code in codes}
    quiet = [plan_video(seed=31, index=k, face="astronaut", fps=30.0, duration_s=10.0, busy=0.5) for k in range(8)]
    varied = [plan_video(seed=31, index=k, face="astronaut", fps=30.0, duration_s=10.0, busy=0.5, any_aus=1.0)
              for k in range(8)]
    codes = set()
    for a, b in zip(quiet, varied):
        assert a.nuisances == b.nuisances and len(a.expressions) == len(b.expressions)
        for e, f in zip(a.expressions, b.expressions):
            assert (e.onset, e.apex, e.offset, e.amplitude, e.intensity) == (f.onset, f.apex, f.offset, f.amplitude,
                                                                              f.intensity)
            assert f.emotion == "others" and 1 <= len(parse_aus(f.action_units)) <= 3
            assert len(f.au_weights) == len(parse_aus(f.action_units)) and max(f.au_weights) == 1.0
            codes.add(f.action_units)
    numbers = {n for c in codes for _, n in parse_aus(c)}
    assert codes - typical and numbers - {n for c in typical for _, n in parse_aus(c)}  # codes real data shows too
    assert numbers <= set(AU_TABLE)
    same = [plan_video(seed=31, index=k, face="astronaut", fps=30.0, duration_s=10.0, busy=0.5, any_aus=0.0)
            for k in range(8)]
    assert same == quiet


def test_varied_action_units_out_of_range_is_refused():
    with pytest.raises(ValueError, match="any_aus"):
        plan_video(seed=1, face="astronaut", duration_s=10.0, any_aus=-0.1)
