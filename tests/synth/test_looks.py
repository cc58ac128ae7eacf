"""Per-video looks (`tsfmicro synth --looks P`): drawn from their own random stream, painted inside the face only,
carried by the head motion and the expressions, labels still exact, the face still found."""

import dataclasses

import cv2
import numpy as np
import pytest

from app.media import open_video
from app.synth.action_units import inter_ocular
from app.synth.faces import portrait_landmarks
from app.synth.looks import Look, apply_look, beard_mask
from app.synth.morph import face_mask
from app.synth.plan import plan_video
from app.synth.render import write_spec
from tests.synth.conftest import render_all
from tests.synth.test_render import check_event_curves


def test_looks_are_drawn_per_video_from_their_own_stream_and_change_nothing_else():
    looks = []
    for index in range(8):
        plain = plan_video(seed=3, index=index, face="astronaut", duration_s=8.0)
        varied = plan_video(seed=3, index=index, face="astronaut", duration_s=8.0, looks=1.0)
        assert plain.look.plain and not varied.look.plain
        assert dataclasses.replace(varied, look=Look()) == plain
        assert varied == plan_video(seed=3, index=index, face="astronaut", duration_s=8.0, looks=1.0)
        looks.append(varied.look)
    assert len(set(looks)) == 8
    assert 0.55 <= min(lk.brightness for lk in looks) and max(lk.brightness for lk in looks) <= 1.15
    some = [plan_video(seed=3, index=i, face="grace_hopper", duration_s=8.0, looks=0.5).look.plain for i in range(40)]
    assert 8 <= sum(some) <= 32  # about half keep the portrait as it is
    assert plan_video(seed=3, index=0, face="carphone", duration_s=8.0, looks=1.0).look.plain  # a clip: never
    assert "look" in plan_video(seed=3, index=0, face="astronaut", duration_s=8.0, looks=1.0).summary()
    assert "look" not in plan_video(seed=3, index=0, face="astronaut", duration_s=8.0).summary()
    with pytest.raises(ValueError, match="chance"):
        plan_video(seed=3, index=0, face="astronaut", duration_s=8.0, looks=1.5)


def test_a_look_changes_the_face_and_nothing_outside_it():
    image, landmarks = portrait_landmarks("astronaut")
    assert apply_look(image, landmarks, Look()) is image
    look = Look(brightness=0.6, warmth=1.08, detail=1.0, stubble=0.5, moles=3, texture_seed=4)
    out = apply_look(image, landmarks, look)
    assert out.shape == image.shape and out.dtype == np.uint8
    diff = np.abs(out.astype(int) - image.astype(int)).max(axis=2)
    iod = inter_ocular(landmarks)
    inside = face_mask(landmarks, image.shape[:2], iod) > 0.99
    outside = face_mask(landmarks, image.shape[:2], iod) < 1e-4
    assert diff[outside].max() == 0  # hair, clothes, background untouched
    assert out[inside].mean() < 0.75 * image[inside].mean()  # a darker skin tone
    red, blue = (out[inside][:, c].mean() / image[inside][:, c].mean() for c in (0, 2))
    assert red > blue * 1.1  # warmer
    beard = beard_mask(landmarks, image.shape[:2]) > 0.5
    lips = np.zeros(image.shape[:2], dtype=bool)
    cv2.fillPoly(lips.view(np.uint8), [np.round(landmarks[48:60]).astype(np.int32)], 1)
    assert beard.sum() > 0 and not (beard & lips).any()
    # stubble: the beard area darker than the plain tone change alone makes it, and rough (dots, not a shadow)
    toned = apply_look(image, landmarks, dataclasses.replace(look, detail=0.0, stubble=0.0, moles=0))
    stubbled = apply_look(image, landmarks, dataclasses.replace(look, detail=0.0, moles=0))
    assert stubbled[beard].mean() < 0.92 * toned[beard].mean()
    assert (stubbled[beard].astype(int) - toned[beard]).std() > 5


def test_a_look_is_carried_by_motion_and_expressions_labels_exact_and_the_face_found(tmp_path):
    spec = plan_video(seed=11, index=0, face="grace_hopper", fps=30.0, duration_s=6.0, looks=1.0)
    assert not spec.look.plain
    frames, info = render_all(spec)
    neutral, _ = render_all(spec.neutral())
    check_event_curves(spec, frames, info, neutral)
    plain_frames, _ = render_all(dataclasses.replace(spec, look=Look()))
    assert np.abs(frames.astype(int) - plain_frames).mean() > 1.0  # the look shows in the video
    path = write_spec(spec, tmp_path / "look.mp4")
    from app.face import FaceConfig, FacePipeline

    with open_video(path) as video:
        results = list(FacePipeline(FaceConfig(), fps=30.0, make_crops=False).run(video.iter_frames()))
    assert np.mean([r.found for r in results]) >= 0.95
