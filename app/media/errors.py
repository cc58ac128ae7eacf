"""Typed errors of the video core. Each message names the file and the problem."""

from __future__ import annotations


class VideoError(Exception):
    """Base class: a video or frame folder cannot be used as asked."""

    def __init__(self, path: object, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class VideoNotFoundError(VideoError, FileNotFoundError):
    """The path does not exist."""


class NotAVideoError(VideoError):
    """The file exists but no decoder can read it as video (or the folder holds no numbered frames)."""


class EmptyVideoError(VideoError):
    """The container opens but holds no decodable frame."""


class FrameUnreadableError(VideoError):
    """One frame cannot be decoded (damaged data); other frames may still be fine."""

    def __init__(self, path: object, index: int, problem: str = "frame cannot be decoded"):
        self.index = index
        super().__init__(path, f"frame {index}: {problem}")


class FrameIndexError(VideoError, IndexError):
    """A frame index outside [0, n_frames)."""
