"""INPUT → the videos to score: a folder (searched recursively), a glob pattern or a list file.

- Folder: every file below it whose extension is in `VIDEO_EXTENSIONS` (case-insensitive); hidden files and
  folders (name starting with '.') are skipped, and so is anything inside `exclude` (the output folder).
- Glob: a pattern with `*`, `?` or `[` (`**` recurses), e.g. ``"interviews/**/*.mp4"``; every matching file,
  whatever its extension (the pattern already says what is wanted).
- One video: an existing file with a video extension.
- List file: any other existing file; one path per line, relative paths resolved against the list file's folder;
  blank lines and lines starting with '#' are ignored. Listed paths are kept even when they do not exist: they are
  reported as errors in the summary instead of being dropped silently.

The result is absolute paths, deduplicated, in a deterministic order (sorted by path for folders and globs, the
file's order for a list file), so the same INPUT always gives the same list and the same output names.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path
from typing import Optional

VIDEO_EXTENSIONS = frozenset({".mp4", ".m4v", ".mov", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".wmv", ".flv",
                              ".mts", ".m2ts", ".ts", ".3gp"})
_GLOB_CHARS = set("*?[")


class InputError(ValueError):
    """INPUT names nothing usable (no such path, no video found, an unreadable list file)."""


def is_glob(spec: str) -> bool:
    return any(c in _GLOB_CHARS for c in spec)


def _inside(path: Path, folder: Optional[Path]) -> bool:
    return folder is not None and (path == folder or folder in path.parents)


def _dedup(paths) -> list[Path]:
    return list(dict.fromkeys(paths))


def scan_folder(folder: Path, exclude: Optional[Path] = None) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not _inside(here / d, exclude))
        found += [here / f for f in files if not f.startswith(".") and Path(f).suffix.lower() in VIDEO_EXTENSIONS]
    return sorted(p.absolute() for p in found)


def read_list_file(path: Path) -> list[Path]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot read the list file ({error})") from error
    videos = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        p = Path(os.path.expanduser(line))
        videos.append((p if p.is_absolute() else path.parent / p).absolute())
    return _dedup(Path(os.path.normpath(p)) for p in videos)


def collect_videos(spec: str | os.PathLike, exclude: Optional[str | os.PathLike] = None) -> list[Path]:
    """The videos INPUT names (see the module docstring); raises InputError when there are none."""
    text = os.path.expanduser(str(spec))
    excluded = Path(exclude).absolute() if exclude is not None else None
    path = Path(text)
    if path.is_dir():
        videos = scan_folder(path, excluded)
        where = f"{path} (searched recursively for {', '.join(sorted(VIDEO_EXTENSIONS))})"
    elif path.is_file() and path.suffix.lower() in VIDEO_EXTENSIONS:
        videos, where = [path.absolute()], str(path)
    elif path.is_file():
        videos = read_list_file(path)
        where = f"list file {path}"
    elif is_glob(text):
        matches = (Path(m).absolute() for m in glob.glob(text, recursive=True))
        videos = sorted(_dedup(m for m in matches if m.is_file() and not _inside(m, excluded)))
        where = f"pattern {text!r}"
    else:
        raise InputError(f"{text}: no such folder, file or glob pattern")
    if not videos:
        raise InputError(f"no videos found in {where}")
    return videos
