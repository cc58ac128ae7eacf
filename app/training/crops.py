"""Aligned face crops of one training video: the face pipeline runs once per video, its track is cached by the
video's content hash (`app.face.FaceTrackCache`), and crops are re-made from the cached similarity transforms.

A crop is `warp_crop(frame, transform)`, the pipeline's own warp; the track stores the transform in float32, so a
re-made crop can differ from the live pipeline's by rounding (well under one grey level).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator, Optional

import numpy as np

from app.face import FaceConfig, FaceTrack, track_video
from app.face.align import warp_crop
from app.media import open_video


class VideoCrops:
    """Frame-exact aligned crops of one video (file or frame folder), or None where no face was found."""

    def __init__(self, path: str | os.PathLike, fps: float, face_config: FaceConfig = FaceConfig(),
                 cache_dir: Optional[str | os.PathLike] = None) -> None:
        self.path = Path(path)
        self.face_config = face_config
        self.source = open_video(self.path, fps=fps)
        self.track: FaceTrack = track_video(self.source, face_config, cache=cache_dir)
        self.n_frames = self.track.n_frames
        self._row = {int(f): i for i, f in enumerate(self.track.frame_index)}
        self._cache: dict[int, Optional[np.ndarray]] = {}

    @property
    def fps(self) -> float:
        return self.track.fps

    def found(self, index: int) -> bool:
        row = self._row.get(index)
        return row is not None and bool(self.track.found[row])

    def ok(self, index: int) -> bool:
        row = self._row.get(index)
        return row is not None and bool(self.track.ok[row])

    def crop(self, index: int) -> Optional[np.ndarray]:
        """The (S, S, 3) uint8 RGB crop of frame `index`; None when the frame has no face or does not exist."""
        if index not in self._cache:
            self._cache[index] = self._make(index, None)
        return self._cache[index]

    def _make(self, index: int, frame: Optional[np.ndarray]) -> Optional[np.ndarray]:
        if not self.found(index):
            return None
        if frame is None:
            frame = self.source.read(index)
        transform = self.track.transforms[self._row[index]]
        return warp_crop(frame, transform, self.face_config.align.crop_size)

    def iter_crops(self) -> Iterator[tuple[int, Optional[np.ndarray], bool]]:
        """Every frame in order: (index, crop or None, quality ok), decoding sequentially."""
        for index, frame in self.source.iter_frames():
            crop = None if frame is None else self._make(index, frame)
            yield index, crop, crop is not None and self.ok(index)

    def close(self) -> None:
        self._cache.clear()
        self.source.close()

    def __enter__(self) -> "VideoCrops":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
