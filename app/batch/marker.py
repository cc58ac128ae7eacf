"""`done.json`: the last file written into a video's output folder, atomically. Its presence says the folder's
frames.csv, events.csv and curves.png are complete and were computed from the video content `video_sha256` with
the settings `settings_key`. It holds no time stamps, host names or paths, so it is identical whichever engine or
worker wrote it. A job deletes it first, before rewriting anything, so an interrupted rewrite is never mistaken
for a finished one."""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path
from typing import Optional

from app.core.atomic import atomic_write_text

DONE = "done.json"
OUTPUT_FILES = ("frames.csv", "events.csv", "curves.png")


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_done(folder: Path, *, video_sha256: str, settings: dict, settings_key: str, frames: int, events: int,
               fps: float, source_name: str, sensitivity: Optional[dict] = None) -> Path:
    files = {name: {"bytes": (folder / name).stat().st_size, "sha256": file_digest(folder / name)}
             for name in OUTPUT_FILES}
    marker = {"video_sha256": video_sha256, "settings_key": settings_key, "source_name": source_name,
              "frames": frames, "events": events, "fps": fps, "files": files, "settings": settings,
              "sensitivity": sensitivity}
    return atomic_write_text(folder / DONE, json.dumps(marker, indent=1, sort_keys=True) + "\n")


def read_done(folder: Path) -> Optional[dict]:
    try:
        marker = json.loads((folder / DONE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) else None


def is_done(folder: Path, video_sha256: str, settings_key: str) -> Optional[dict]:
    """The marker when the folder holds complete outputs for this content and these settings, else None.
    Output files are checked for presence and size (not re-hashed: that would read every frames.csv again)."""
    marker = read_done(folder)
    if marker is None or marker.get("video_sha256") != video_sha256 or marker.get("settings_key") != settings_key:
        return None
    for name in OUTPUT_FILES:
        entry = marker.get("files", {}).get(name, {})
        path = folder / name
        if not path.is_file() or path.stat().st_size != entry.get("bytes"):
            return None
    return marker


def clear_partial(folder: Path) -> None:
    """Remove the marker and any temporary files an interrupted writer left (atomic writes use `.NAME.*.tmp`)."""
    (folder / DONE).unlink(missing_ok=True)
    remove_temporaries(folder)


def remove_temporaries(folder: Path, drop_empty: bool = False) -> None:
    """Delete the `.NAME.*.tmp` files a killed writer left in `folder` (finished outputs are untouched); with
    `drop_empty`, the folder too when nothing else is in it."""
    if folder.is_dir():
        for tmp in folder.glob(".*.tmp"):
            tmp.unlink(missing_ok=True)
        if drop_empty:
            with contextlib.suppress(OSError):
                folder.rmdir()
