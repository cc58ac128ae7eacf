"""Motion magnification of a video's frame range: the aligned face crops of the app's face pipeline,
magnified (`app.analysis.magnify`), written as a video or a heat map PNG. Qt-free."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import cv2
import numpy as np

from app.analysis.magnify import MagnifyConfig, check_factor, difference_heatmap, largest_difference, magnify
from app.core.atomic import atomic_write_bytes
from app.face import FaceConfig, FacePipeline
from app.media import open_video
from app.media.writer import write_video

MAX_RANGE_FRAMES = 900  # magnification holds the range in memory: 30 s at 30 fps
WARMUP_S = 0.5  # frames tracked before the range, so the alignment's smoothing has settled at its first frame


class MagnifyError(ValueError):
    """A range, factor or output that cannot be used; the message names the file and the problem."""


@dataclass
class CropRange:
    """The aligned face crops of frames first..last (inclusive) of one video."""

    path: str
    first: int
    last: int
    fps: float
    crops: np.ndarray  # (n, S, S, 3) uint8 RGB
    missing: list[int] = field(default_factory=list)  # frames without a face: the nearest crop stands in

    def frame_of(self, position: int) -> int:
        return self.first + position


def parse_range(text: str) -> tuple[int, int]:
    """'A:B' → (A, B), both frames included."""
    match = re.fullmatch(r"\s*(\d+)\s*:\s*(\d+)\s*", text or "")
    if not match:
        raise ValueError(f"frames must be given as FIRST:LAST (0-based, both included), got {text!r}")
    first, last = int(match.group(1)), int(match.group(2))
    if last <= first:
        raise ValueError(f"frames {text!r}: LAST must be after FIRST (at least two frames)")
    return first, last


def aligned_crops(video: str | os.PathLike, first: int, last: int, *, config: FaceConfig = FaceConfig(),
                  fps: Optional[float] = None, pipeline: Optional[FacePipeline] = None) -> CropRange:
    """The aligned crops of frames first..last, from the app's face pipeline (run from a little
    before `first`, so the alignment is settled). Raises MagnifyError naming the video when the
    range lies outside it, is too long, or holds no face at all."""
    with open_video(video, fps=fps) as source:
        info = source.probe()
        if not 0 <= first < last:
            raise MagnifyError(f"{video}: frames {first}:{last}: LAST must be after FIRST, both >= 0")
        if last >= info.n_frames:
            raise MagnifyError(f"{video}: frames {first}:{last} lie outside the video, which has frames "
                               f"0..{info.n_frames - 1}")
        if last - first + 1 > MAX_RANGE_FRAMES:
            raise MagnifyError(f"{video}: frames {first}:{last} are {last - first + 1} frames; magnify at most "
                               f"{MAX_RANGE_FRAMES} at a time")
        start = max(0, first - int(round(WARMUP_S * info.fps)))
        pipeline = pipeline or FacePipeline(config, info.fps)
        by_frame = {r.index: r.crop for r in pipeline.run(source.iter_frames(start, last + 1))
                    if r.index >= first and r.found}
    missing = [i for i in range(first, last + 1) if by_frame.get(i) is None]
    if len(missing) == last - first + 1:
        raise MagnifyError(f"{video}: no face found in frames {first}..{last}")
    crops, previous = [], None
    for index in range(first, last + 1):
        crop = by_frame.get(index)
        if crop is None:  # a frame without a face: the previous crop, or at the start the first found one
            crop = previous if previous is not None else by_frame[min(by_frame)]
        crops.append(crop)
        previous = crop
    return CropRange(str(video), first, last, info.fps, np.stack(crops), missing)


def _caption(image: np.ndarray, text: str) -> np.ndarray:
    image = image.copy()
    for colour, thickness in (((0, 0, 0), 3), ((255, 255, 255), 1)):
        cv2.putText(image, text, (6, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.5, colour, thickness, cv2.LINE_AA)
    return image


def side_by_side(plain: np.ndarray, magnified: np.ndarray, factor: float) -> np.ndarray:
    """(n, S, 2S, 3): each original crop beside its magnified one, captioned."""
    return np.stack([np.concatenate([_caption(a, "original"), _caption(b, f"x{factor:g}")], axis=1)
                     for a, b in zip(plain, magnified)])


def write_frames(path: str | os.PathLike, frames: np.ndarray, fps: float) -> Path:
    """Encode RGB frames (H.264) to `path`, under a temporary name first, then renamed: an
    interrupted or failed run leaves no half-written video and keeps an older one intact."""
    target = Path(path)
    if not target.parent.is_dir():
        raise MagnifyError(f"{target}: folder {target.parent} does not exist")
    partial = target.with_name(f".{target.stem}.partial{target.suffix or '.mp4'}")
    try:
        write_video(partial, iter(frames), fps, codec="h264", crf=18)
        os.replace(partial, target)
    except RuntimeError as err:
        raise MagnifyError(f"{target}: the video could not be written ({err})") from None
    finally:
        partial.unlink(missing_ok=True)
    return target


def write_png(path: str | os.PathLike, image: np.ndarray) -> Path:
    target = Path(path)
    if not target.parent.is_dir():
        raise MagnifyError(f"{target}: folder {target.parent} does not exist")
    ok, data = cv2.imencode(".png", cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    if not ok:
        raise MagnifyError(f"{target}: the image could not be encoded as PNG")
    return atomic_write_bytes(target, data.tobytes())


def heatmap_for_range(crops: CropRange, apex: Optional[int] = None) -> tuple[np.ndarray, int]:
    """The heat map of frame `apex` (default: the range's frame of largest difference) against the
    range's first frame, and the apex frame used."""
    if apex is None:
        apex = crops.frame_of(largest_difference(crops.crops))
    elif not crops.first <= apex <= crops.last:
        raise MagnifyError(f"{crops.path}: apex frame {apex} lies outside frames {crops.first}..{crops.last}")
    return difference_heatmap(crops.crops[0], crops.crops[apex - crops.first]), apex


def magnify_range(crops: CropRange, factor: float, config: MagnifyConfig = MagnifyConfig()) -> np.ndarray:
    try:
        factor = check_factor(factor)
    except ValueError as err:
        raise MagnifyError(f"{crops.path}: {err}") from None
    return magnify(crops.crops, factor, config)
