"""Shared fixtures of the analysis tests: the real demo video through the real face pipeline, and a tiny
checkpoint (tsfmicro_tiny + a spotting head sized to its 128-d pre-logits embedding) on the CPU."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from app.analysis import Predictor
from app.face import FaceConfig, FacePipeline
from app.media import open_video
from app.media.writer import write_video
from app.resources import demo_video_path


@pytest.fixture(scope="session")
def face_pipeline() -> FacePipeline:
    return FacePipeline(FaceConfig(), fps=30.0)


@pytest.fixture(scope="session")
def demo_results(face_pipeline):
    """FaceResults (with 224×224 crops) of the bundled 300-frame 640×480 30 fps demo video."""
    with open_video(demo_video_path()) as source:
        results = list(face_pipeline.run(source.iter_frames()))
    assert len(results) == 300 and sum(r.ok for r in results) > 250
    return results


@pytest.fixture
def predictor(tiny_checkpoint) -> Predictor:
    return Predictor.load(tiny_checkpoint, device="cpu", threads=1, batch_size=4)


@pytest.fixture(scope="session")
def gap_clip(tmp_path_factory) -> Path:
    """A real H.264 clip: 90 demo frames, 12 plain grey frames (no face), then 60 more demo frames."""
    with open_video(demo_video_path()) as source:
        frames = [frame for _, frame in source.iter_frames(0, 150)]
    grey = np.full_like(frames[0], 128)
    path = tmp_path_factory.mktemp("clips") / "gap.mp4"
    write_video(path, frames[:90] + [grey] * 12 + frames[90:150], fps=30.0, crf=18)
    return path


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)
    np.random.seed(0)
