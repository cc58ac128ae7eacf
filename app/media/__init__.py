"""Qt-free video core: one `VideoSource` over video files and folders of numbered frames."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional, Union

from .errors import (
    EmptyVideoError,
    FrameIndexError,
    FrameUnreadableError,
    NotAVideoError,
    VideoError,
    VideoNotFoundError,
)
from .frame_folder import FrameFolder
from .hashing import content_hash
from .source import Frame, VideoInfo, VideoSource
from .video_file import TruncatedVideoWarning, VideoFile


def open_video(path: Union[str, os.PathLike], fps: Optional[float] = None) -> Union[VideoFile, FrameFolder]:
    """Open a video file, or a folder of numbered frames (`fps` sets a folder's rate)."""
    p = Path(path)
    if not p.exists():
        raise VideoNotFoundError(path, "no such file or folder")
    if p.is_dir():
        return FrameFolder(p, fps=fps)
    return VideoFile(p)


__all__ = [
    "EmptyVideoError", "Frame", "FrameFolder", "FrameIndexError", "FrameUnreadableError", "NotAVideoError",
    "TruncatedVideoWarning", "VideoError", "VideoFile", "VideoInfo", "VideoNotFoundError", "VideoSource",
    "content_hash", "open_video",
]
