"""The `VideoSource` protocol: one interface over video files and folders of numbered frames.

Frames are RGB `uint8` arrays of shape (height, width, 3). The 0-based frame index of the decoded
stream is the canonical time everywhere; seconds are derived from it with `VideoInfo.fps`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional, Protocol

import numpy as np

Frame = np.ndarray  # (H, W, 3) uint8, RGB


@dataclass(frozen=True)
class VideoInfo:
    path: str
    kind: str  # "file" | "folder"
    n_frames: int
    fps: float
    width: int
    height: int
    codec: str
    is_vfr: bool
    frame_count_exact: bool  # False while n_frames is the container's estimate

    @property
    def duration_s(self) -> float:
        return self.n_frames / self.fps if self.fps > 0 else 0.0

    def time_s(self, frame: int) -> float:
        return frame / self.fps


class VideoSource(Protocol):
    path: str

    def probe(self) -> VideoInfo:
        """Metadata; frame count exact once the source has been indexed."""

    def read(self, index: int) -> Frame:
        """Exactly frame `index`; raises FrameIndexError / FrameUnreadableError."""

    def iter_frames(self, start: int = 0, stop: Optional[int] = None) -> Iterator[tuple[int, Optional[Frame]]]:
        """Stream (index, frame) pairs in order; a damaged frame comes as (index, None)."""

    def close(self) -> None: ...

    def __enter__(self) -> "VideoSource": ...

    def __exit__(self, *exc) -> None: ...
