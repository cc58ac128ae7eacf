"""Session-wide renders for the motion-spotter tests: short H.264 clips of the moving astronaut with
and without a local warp, decoded through the real face pipeline once each."""

from __future__ import annotations

import pytest

from app.face import FaceConfig, FacePipeline, HogDetector, LandmarkModel
from app.media import open_video

from .kit import FPS, Warp, render_video

N_FRAMES = 120
SMILE = Warp("smile", 50, 58, amplitude_px=4.0)       # 0.3 s, mouth corners up 4 px at the apex
BROWS = Warp("brows", 50, 60, amplitude_px=4.0)       # 0.37 s brow raise
BLINK = Warp("blink", 50, 55, amplitude_px=6.0, sigma_px=4.0)  # 0.2 s, upper lids down 6 px
CLIPS = {
    "smile": dict(warps=[SMILE]),
    "brows": dict(warps=[BROWS]),
    "blink": dict(warps=[BLINK]),
    "drift": dict(warps=[], drift_px=30.0, roll_deg=4.0, zoom=0.06),   # head motion only, 2.5x the demo's
    "gap": dict(warps=[Warp("smile", 30, 38, amplitude_px=4.0)], blank=(70, 90)),  # no face in 70..89
}


@pytest.fixture(scope="session")
def clip_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("spotter_clips")


@pytest.fixture(scope="session")
def clip(clip_dir):
    """clip(name) -> path of the rendered video (rendered on first use)."""

    def get(name: str):
        path = clip_dir / f"{name}.mp4"
        if not path.exists():
            spec = dict(CLIPS[name])
            render_video(path, N_FRAMES, spec.pop("warps"), **spec)
        return path

    return get


@pytest.fixture(scope="session")
def pipeline():
    return FacePipeline(FaceConfig(), FPS, detector=HogDetector(), landmark_model=LandmarkModel("68"))


@pytest.fixture(scope="session")
def face_results(clip, pipeline):
    """face_results(name) -> list of FaceResult of the clip (cached)."""
    cache = {}

    def get(name: str):
        if name not in cache:
            with open_video(clip(name)) as video:
                cache[name] = list(pipeline.run(video.iter_frames()))
        return cache[name]

    return get
