"""Folders of numbered frames, as the research data sets ship them.

CASME II `reg_img46.jpg`, SAMM `006_0123.jpg` and CAS(ME)^3 `123.jpg` all sort by the last number
in the file name, numerically (`reg_img9` before `reg_img10`). Frame index i is the i-th file in
that order, whatever number its name carries.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterator, Optional

import cv2

from .errors import EmptyVideoError, FrameIndexError, FrameUnreadableError, NotAVideoError, VideoNotFoundError
from .frame_cache import FrameCache
from .source import Frame, VideoInfo

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff"}
_LAST_NUMBER = re.compile(r"(\d+)(?!.*\d)")

# Frame rates of the data sets whose naming a folder follows; a folder carries no rate of its own.
_DATASET_FPS = (
    (re.compile(r"^reg_img\d+$"), 200.0, "CASME II naming"),
    (re.compile(r"^\d{3}_\d+$"), 200.0, "SAMM naming"),
    (re.compile(r"^\d+$"), 30.0, "CAS(ME)^3 naming"),
)
DEFAULT_FOLDER_FPS = 30.0


def frame_number(path: Path) -> Optional[int]:
    """The last integer in the file's stem, or None."""
    match = _LAST_NUMBER.search(path.stem)
    return int(match.group(1)) if match else None


def numbered_frames(folder: Path) -> list[Path]:
    """Image files of `folder` that carry a number, in numeric order."""
    files = [p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES]
    numbered = [(frame_number(p), p.name, p) for p in files]
    return [p for n, _, p in sorted((t for t in numbered if t[0] is not None), key=lambda t: (t[0], t[1]))]


def guess_folder_fps(first: Path) -> tuple[float, str]:
    for pattern, fps, reason in _DATASET_FPS:
        if pattern.match(first.stem):
            return fps, reason
    return DEFAULT_FOLDER_FPS, "default"


class FrameFolder:
    """A `VideoSource` over a folder of numbered image files."""

    def __init__(self, path: str | os.PathLike, fps: Optional[float] = None, cache_bytes: int = 96 << 20):
        self.path = str(path)
        folder = Path(path)
        if not folder.exists():
            raise VideoNotFoundError(path, "folder not found")
        if not folder.is_dir():
            raise NotAVideoError(path, "not a folder")
        self._files = numbered_frames(folder)
        if not self._files:
            raise EmptyVideoError(path, f"no numbered image files ({', '.join(sorted(IMAGE_SUFFIXES))}) in this folder")
        if fps is not None and fps <= 0:
            raise ValueError(f"{path}: fps must be positive, got {fps}")
        self.fps, self.fps_source = (float(fps), "given") if fps else guess_folder_fps(self._files[0])
        self._cache = FrameCache(cache_bytes)
        self._size: Optional[tuple[int, int]] = None
        for i in range(len(self._files)):
            frame = self._load(i)
            if frame is not None:
                self._size = frame.shape[:2]
                break
        if self._size is None:
            raise EmptyVideoError(path, "none of the image files in this folder can be decoded")

    def files(self) -> list[Path]:
        return list(self._files)

    @property
    def n_frames(self) -> int:
        return len(self._files)

    def probe(self, exact: bool = False) -> VideoInfo:
        height, width = self._size
        return VideoInfo(
            path=self.path,
            kind="folder",
            n_frames=len(self._files),
            fps=self.fps,
            width=width,
            height=height,
            codec=self._files[0].suffix.lower().lstrip("."),
            is_vfr=False,
            frame_count_exact=True,
        )

    def _load(self, index: int) -> Optional[Frame]:
        bgr = cv2.imread(str(self._files[index]), cv2.IMREAD_COLOR)
        if bgr is None:
            return None
        if self._size is not None and bgr.shape[:2] != self._size:
            return None
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)

    def read(self, index: int) -> Frame:
        index = int(index)
        if not 0 <= index < len(self._files):
            raise FrameIndexError(self.path, f"frame index {index} is outside 0..{len(self._files) - 1}")
        cached = self._cache.get(index)
        if cached is not None:
            return cached
        frame = self._load(index)
        if frame is None:
            name = self._files[index].name
            raise FrameUnreadableError(self.path, index, f"{name} cannot be decoded, or its size differs from the first frame's")
        self._cache.put(index, frame)
        return frame

    def iter_frames(self, start: int = 0, stop: Optional[int] = None) -> Iterator[tuple[int, Optional[Frame]]]:
        if start < 0:
            raise FrameIndexError(self.path, f"start frame {start} is negative")
        end = len(self._files) if stop is None else min(stop, len(self._files))
        for index in range(start, end):
            yield index, self._load(index)

    def close(self) -> None:
        self._cache.clear()

    def __enter__(self) -> "FrameFolder":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
