"""Where a video's project file lives: next to the video when that folder is writable, else in the
user's data folder (read-only data-set folders)."""

from __future__ import annotations

import os
from pathlib import Path

from app.core.project_store import PROJECT_SUFFIX
from app.core.user_dirs import projects_dir


def project_path_for(video_path: str | os.PathLike, content_hash: str) -> Path:
    video = Path(video_path).resolve()
    beside = video.parent / f"{video.name}{PROJECT_SUFFIX}"
    if beside.exists() or os.access(video.parent, os.W_OK):
        return beside
    return projects_dir() / f"{video.name}-{content_hash[:12]}{PROJECT_SUFFIX}"
