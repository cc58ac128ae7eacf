"""On-disk cache of face tracks: `<key>.npz` files, keyed by video content hash + pipeline config."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Optional

import dlib

from app.core.atomic import atomic_write_bytes
from app.face.config import FaceConfig
from app.face.track import FORMAT_VERSION, FaceTrack


class FaceTrackCache:
    """A directory of cached face tracks. Unreadable entries count as misses and get replaced."""

    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)

    @staticmethod
    def key(video_hash: str, config: FaceConfig) -> str:
        """Cache key of a video (its `content_hash`) processed with `config`; it also covers the
        track file format and the dlib version, which change the results."""
        text = "\0".join((str(FORMAT_VERSION), dlib.__version__, video_hash, config.to_json()))
        return hashlib.sha256(text.encode()).hexdigest()[:40]

    def path(self, key: str) -> Path:
        return self.directory / f"{key}.npz"

    def load(self, key: str) -> Optional[FaceTrack]:
        """The cached track, or None when absent or unreadable."""
        path = self.path(key)
        if not path.is_file():
            return None
        try:
            return FaceTrack.load(path)
        except (ValueError, OSError):
            return None

    def store(self, key: str, track: FaceTrack) -> Path:
        """Write atomically (temporary file, then rename), so readers never see half a file."""
        self.directory.mkdir(parents=True, exist_ok=True)
        return atomic_write_bytes(self.path(key), track.to_npz_bytes())
