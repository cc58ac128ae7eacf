"""The rendered motion is where the labels say, small, and moves with the face; nuisance lies
outside the labelled events but is there; the written file keeps the frame indices."""

import dataclasses

import numpy as np
import pytest

from app.media import open_video
from app.synth.action_units import control_moves, inter_ocular
from app.synth.plan import plan_video
from app.synth.render import iter_render, render_synthetic_video, write_spec
from app.synth.warp import CUTOFF
from tests.synth.conftest import render_all


def au_region(expression, landmarks, shape):
    """Box around an expression's control points (+ kernel reach) at the given landmarks."""
    points, _, sigmas = control_moves(landmarks, expression.weighted_codes(), expression.amplitude)
    reach = CUTOFF * sigmas.max() + 2
    x0, y0 = np.maximum(0, np.floor(points.min(axis=0) - reach)).astype(int)
    x1, y1 = np.ceil(points.max(axis=0) + reach).astype(int)
    return np.s_[y0:min(y1, shape[0]), x0:min(x1, shape[1])]


def mad_curve(frames, reference, region):
    return np.abs(frames[(slice(None),) + region].astype(np.int16) - reference[(slice(None),) + region]).mean(axis=(1, 2, 3))


def check_event_curves(spec, frames, info, neutral):
    """Per event, in its AU region: zero from the previous event to onset and from offset to the
    next event, nonzero at onset and offset, maximal at the apex (+-1 frame)."""
    events = spec.expressions
    for k, e in enumerate(events):
        region = au_region(e, info[e.apex].landmarks, frames.shape[1:])
        curve = mad_curve(frames, neutral, region)
        before = curve[(events[k - 1].offset + 1 if k else 0):e.onset]
        after = curve[e.offset + 1:(events[k + 1].onset if k + 1 < len(events) else None)]
        assert before.max() == 0 and after.max() == 0, e  # still before onset, after offset
        assert curve[e.onset] > 0 and curve[e.offset] > 0, e  # the labelled ends already move
        assert abs(e.onset + int(np.argmax(curve[e.onset:e.offset + 1])) - e.apex) <= 1, (e, curve[e.onset:e.offset + 1])


def test_labels_match_the_rendered_motion(astro_render):
    spec, frames, info, neutral, _ = astro_render
    check_event_curves(spec, frames, info, neutral)
    labelled = np.zeros(spec.n_frames, bool)
    for e in spec.expressions:
        labelled[e.onset:e.offset + 1] = True
    # Outside every labelled event the frame equals the neutral render exactly, everywhere.
    diff = np.abs(frames.astype(np.int16) - neutral).reshape(spec.n_frames, -1).max(axis=1)
    assert (diff[~labelled] == 0).all() and (diff[labelled] > 0).all()


def test_displacements_are_small_and_scale_with_the_face(astro_render):
    spec, _, info, _, _ = astro_render
    for e in spec.expressions:
        iod = inter_ocular(info[e.apex].landmarks)
        peak = max(info[k].displacement_px for k in range(e.onset, e.offset + 1))
        assert peak <= e.amplitude * iod + 1e-3
        if e.kind == "micro":
            assert 0.5 <= peak <= 6.0, (e, peak, iod)  # a few pixels at 640x480
            assert peak / iod <= 0.06 + 1e-6
        else:
            assert peak / iod >= 0.09


def test_expression_moves_with_the_head(astro_spec):
    # Landmarks (and with them the AU regions) follow the head motion of the portrait.
    frames = list(iter_render(dataclasses.replace(astro_spec, n_frames=90, expressions=(), nuisances=())))
    nose = np.array([f.landmarks[30] for f in frames])
    assert np.ptp(nose, axis=0).max() > 2.0


def test_nuisance_is_present_and_outside_the_events(astro_render):
    spec, frames, _, _, quiet = astro_render
    moved = np.abs(frames.astype(np.int16) - quiet).reshape(spec.n_frames, -1).max(axis=1) > 0
    in_nuisance = np.zeros(spec.n_frames, bool)
    for n in spec.nuisances:
        in_nuisance[n.start:n.end + 1] = True
        assert moved[n.start:n.end + 1].any(), n  # every blink, talk and flicker shows
        for e in spec.expressions:
            assert n.end < e.onset or n.start > e.offset
    assert not moved[~in_nuisance].any()
    assert {n.kind for n in spec.nuisances} == {"blink", "talk", "flicker"}
    blink = next(n for n in spec.nuisances if n.kind == "blink")
    flicker = next(n for n in spec.nuisances if n.kind == "flicker")
    k = flicker.start + int(np.argmax(np.abs(np.array(flicker.values) - 1)))
    assert abs(frames[k].mean() - quiet[k].mean()) > 1.0  # a global brightness change
    k = blink.start + int(np.argmax(blink.values))
    changed = np.argwhere(np.abs(frames[k].astype(np.int16) - quiet[k]).max(axis=2) > 0)
    assert np.ptp(changed[:, 0]) < 0.2 * frames.shape[1]  # a blink touches the eye band only


def test_same_seed_same_frames_other_seed_other_frames(astro_spec):
    short = dataclasses.replace(astro_spec, n_frames=40)
    a, _ = render_all(short)
    b, _ = render_all(plan_video(11, 0, "astronaut", fps=30.0, duration_s=9.0))
    assert (a == b[:40]).all()
    c, _ = render_all(dataclasses.replace(plan_video(12, 0, "astronaut", fps=30.0, duration_s=9.0), n_frames=40))
    assert not (a == c).all()


def test_written_video_keeps_indices_and_is_reproducible(tmp_path, astro_render):
    spec, frames, *_ = astro_render
    spec = dataclasses.replace(spec, n_frames=120, expressions=tuple(e for e in spec.expressions if e.offset < 120),
                               nuisances=tuple(n for n in spec.nuisances if n.end < 120))
    path, events = render_synthetic_video(spec, tmp_path / "one.mp4")
    assert [(e.onset_frame, e.apex_frame, e.offset_frame) for e in events] == [(x.onset, x.apex, x.offset) for x in spec.expressions]
    with open_video(path) as video:
        info = video.probe()
        decoded = [f for _, f in video.iter_frames()]
    assert len(decoded) == 120 and info.width == 640 and info.height == 480 and info.fps == pytest.approx(30.0)
    for k in (0, 37, 60, 119):  # decoded frame k is rendered frame k
        errors = [np.abs(decoded[k].astype(np.int16) - frames[j]).mean() for j in range(max(0, k - 2), min(120, k + 3))]
        assert int(np.argmin(errors)) == k - max(0, k - 2)
        assert errors[k - max(0, k - 2)] < 6.0  # H.264 at crf 19-26
    again = write_spec(spec, tmp_path / "two.mp4")
    assert again.read_bytes() == path.read_bytes()


def test_face_pipeline_finds_the_face(tmp_path, astro_spec):
    from app.face import FaceConfig, FacePipeline

    path = write_spec(astro_spec, tmp_path / "astro.mp4")
    with open_video(path) as video:
        results = list(FacePipeline(FaceConfig(), fps=30.0, make_crops=False).run(video.iter_frames()))
    assert len(results) == astro_spec.n_frames
    assert np.mean([r.found for r in results]) >= 0.95


@pytest.mark.realdata
@pytest.mark.parametrize("face", ["carphone", "carphone_still", "grace_hopper", "grace_hopper_mirrored",
                                  "hopper_astronaut_50_mirrored"])
def test_other_faces_labels_and_face(tmp_path, face):
    from app.face import FaceConfig, FacePipeline
    from app.synth.faces import available_faces

    if face not in available_faces():
        pytest.skip(f"the package that ships face {face!r} is not installed")

    spec = plan_video(4, 0, face, fps=30.0, duration_s=6.0)
    frames, info = render_all(spec)
    neutral, _ = render_all(spec.neutral())
    assert spec.expressions
    check_event_curves(spec, frames, info, neutral)
    path = write_spec(spec, tmp_path / "car.mp4")
    with open_video(path) as video:
        results = list(FacePipeline(FaceConfig(), fps=30.0, make_crops=False).run(video.iter_frames()))
    assert np.mean([r.found for r in results]) >= 0.95
