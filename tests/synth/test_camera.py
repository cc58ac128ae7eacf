"""Camera resolution (`tsfmicro synth --camera-scale LOW,HIGH`): drawn per video from its own random stream, frames
filmed at that fraction of their resolution, labels still exact, the face still found."""

import dataclasses

import cv2
import numpy as np
import pytest

from app.media import open_video
from app.synth.plan import plan_video
from app.synth.render import filmed_at, write_spec
from tests.synth.conftest import render_all
from tests.synth.test_render import check_event_curves


def test_camera_scale_is_drawn_in_its_span_and_changes_nothing_else():
    for index in range(6):
        plain = plan_video(seed=3, index=index, face="astronaut", duration_s=8.0)
        filmed = plan_video(seed=3, index=index, face="astronaut", duration_s=8.0, camera_scale=(0.25, 1.0))
        assert plain.camera_scale == 1.0 and 0.25 <= filmed.camera_scale <= 1.0
        assert dataclasses.replace(filmed, camera_scale=1.0) == plain
        assert filmed == plan_video(seed=3, index=index, face="astronaut", duration_s=8.0, camera_scale=(0.25, 1.0))
    scales = {plan_video(seed=3, index=i, face="astronaut", duration_s=8.0, camera_scale=(0.25, 1.0)).camera_scale
              for i in range(6)}
    assert len(scales) == 6
    with pytest.raises(ValueError, match="camera scale"):
        plan_video(seed=3, index=0, face="astronaut", duration_s=8.0, camera_scale=(0.5, 1.5))


def _sharpness(frame: np.ndarray) -> float:
    return float(cv2.Laplacian(cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY), cv2.CV_64F).var())


def test_filmed_at_a_quarter_of_the_resolution_is_soft_and_full_resolution_is_untouched():
    spec = plan_video(seed=11, index=0, face="astronaut", fps=30.0, duration_s=2.0)
    frame = next(iter(render_all(dataclasses.replace(spec, n_frames=1))[0]))
    assert filmed_at(frame, 1.0) is frame
    soft = filmed_at(frame, 0.25)
    assert soft.shape == frame.shape and soft.dtype == np.uint8
    assert _sharpness(soft) < 0.3 * _sharpness(frame)
    assert abs(float(soft.mean()) - float(frame.mean())) < 1.0  # the picture is the same, only less detailed


def test_labels_stay_exact_and_the_face_is_found_at_low_resolution(tmp_path):
    spec = dataclasses.replace(plan_video(seed=11, index=0, face="astronaut", fps=30.0, duration_s=6.0),
                               camera_scale=0.3)
    frames, info = render_all(spec)
    neutral, _ = render_all(spec.neutral())
    check_event_curves(spec, frames, info, neutral)
    path = write_spec(spec, tmp_path / "soft.mp4")
    from app.face import FaceConfig, FacePipeline

    with open_video(path) as video:
        results = list(FacePipeline(FaceConfig(), fps=30.0, make_crops=False).run(video.iter_frames()))
    assert np.mean([r.found for r in results]) >= 0.95
