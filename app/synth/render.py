"""Render a `VideoSpec` frame by frame, and write it as an H.264 video.

Each frame is one backward mapping of the face source's image: the source's placement (head
motion, scaling) and the displacement field of every expression and nuisance active in that
frame, computed from that frame's landmarks, so expressions move with the head. With a camera
scale below 1 the frame is then filmed at that fraction of its resolution (`filmed_at`). A frame with no
active expression is bit-identical to the same frame of `spec.neutral()`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional, Union

import cv2
import numpy as np

from app.core.events import Event
from app.media.writer import write_video
from app.synth.action_units import control_moves
from app.synth.faces import FaceSource, make_face
from app.synth.nuisance import active, au_moves, blink_field, frame_gain, gaze_field, swept
from app.synth.plan import VideoSpec, spec_events
from app.synth.warp import Remapper, add_fields, apply_gain, displacement_field

ENCODER_ARGS = ("-threads", "1")  # one encoder thread: the same spec gives the same bytes


@dataclass(frozen=True)
class RenderedFrame:
    index: int
    frame: np.ndarray  # (H, W, 3) uint8 RGB
    landmarks: np.ndarray  # (68, 2) neutral landmarks in frame pixels
    displacement_px: float  # longest displacement of this frame's field (0 when nothing moves)
    gain: float  # lighting gain (1 outside flicker)


def iter_render(spec: VideoSpec, face: Optional[FaceSource] = None) -> Iterator[RenderedFrame]:
    """Every frame of `spec` with what was applied to it."""
    face = face if face is not None else make_face(spec.face, spec.size, spec.fps, spec.n_frames, spec.framing,
                                                   spec.look)
    remapper = Remapper(spec.size)
    for index in range(spec.n_frames):
        src, affine, landmarks = face.frame(index)
        affine, landmarks = swept(affine, landmarks, spec.nuisances, index)
        parts = []
        for e in spec.expressions:
            if e.onset <= index <= e.offset:
                parts.append(control_moves(landmarks, e.weighted_codes(), e.amplitude * e.intensity[index - e.onset]))
        eyes = None  # blinks and glances
        for item, value in active(spec.nuisances, index):
            moves = au_moves(item, value)
            if moves is not None:
                parts.append(control_moves(landmarks, *moves))
            if item.kind == "blink":
                eyes = add_fields(eyes, blink_field(landmarks, value, spec.size))
            eyes = add_fields(eyes, gaze_field(landmarks, item, value, spec.size))
        field = None
        if parts:
            field = displacement_field(*(np.concatenate([p[k] for p in parts]) for k in range(3)), spec.size)
        field = add_fields(field, eyes)
        frame = remapper.render(src, affine, field, face.interpolation, face.border_mode, face.border_value)
        gain = frame_gain(spec.nuisances, index)
        frame = filmed_at(apply_gain(frame, gain), spec.camera_scale)
        yield RenderedFrame(index, frame, landmarks, field.max_px if field else 0.0, gain)


def filmed_at(frame: np.ndarray, camera_scale: float) -> np.ndarray:
    """The frame as a camera of `camera_scale` × its resolution films it, enlarged back to its size: shrunk with
    area averaging, enlarged bilinearly (soft detail, as low-resolution footage shown larger). 1: unchanged."""
    if camera_scale >= 1.0:
        return frame
    height, width = frame.shape[:2]
    small = (max(8, round(width * camera_scale)), max(8, round(height * camera_scale)))
    return cv2.resize(cv2.resize(frame, small, interpolation=cv2.INTER_AREA), (width, height),
                      interpolation=cv2.INTER_LINEAR)


def render_frames(spec: VideoSpec) -> Iterator[np.ndarray]:
    """The RGB frames of `spec`, in order."""
    return (r.frame for r in iter_render(spec))


def write_spec(spec: VideoSpec, path: Union[str, os.PathLike]) -> Path:
    """Encode `spec` to `path` (H.264 in MP4 at the spec's crf, 2 s keyframe interval), written
    under a temporary name first so an interrupted run leaves no half video behind."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.stem + ".partial" + path.suffix)
    try:
        count = write_video(partial, render_frames(spec), spec.fps, codec="h264", gop=max(1, round(2 * spec.fps)),
                            bframes=2, crf=spec.crf, extra_args=ENCODER_ARGS)
        if count != spec.n_frames:
            raise RuntimeError(f"{path}: wrote {count} frames, expected {spec.n_frames}")
        os.replace(partial, path)
    finally:
        if partial.exists():
            partial.unlink()
    return path


def render_synthetic_video(
    spec: VideoSpec, path: Union[str, os.PathLike, None] = None, video: Optional[str] = None
) -> tuple[Union[Iterator[np.ndarray], Path], list[Event]]:
    """(frames, events) without `path`; (written path, events) with it. `video` is the CSV's
    video column (default: the file name, or the spec's name + '.mp4')."""
    if path is None:
        return render_frames(spec), spec_events(spec, video or f"{spec.name}.mp4")
    written = write_spec(spec, path)
    return written, spec_events(spec, video or written.name)
