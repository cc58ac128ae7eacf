"""Where TSFmicro Studio keeps the user's caches and projects (overridable for tests and labs)."""

from __future__ import annotations

import os
from pathlib import Path


def _user_dir(override: str, xdg: str, fallback: str) -> Path:
    base = os.environ.get(override) or os.path.join(os.environ.get(xdg) or os.path.expanduser(fallback), "tsfmicro")
    return Path(base)


def cache_dir() -> Path:
    """$TSFMICRO_CACHE_DIR, else $XDG_CACHE_HOME/tsfmicro, else ~/.cache/tsfmicro."""
    return _user_dir("TSFMICRO_CACHE_DIR", "XDG_CACHE_HOME", "~/.cache")


def face_track_cache_dir() -> Path:
    """Face tracks keyed by video content, shared by `tsfmicro track` and `tsfmicro train`."""
    return cache_dir() / "face_tracks"


def projects_dir() -> Path:
    """Projects of videos whose own folder is read-only: $TSFMICRO_DATA_DIR (or $XDG_DATA_HOME/tsfmicro,
    else ~/.local/share/tsfmicro) / projects."""
    return _user_dir("TSFMICRO_DATA_DIR", "XDG_DATA_HOME", "~/.local/share") / "projects"
