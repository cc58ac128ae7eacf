"""Labels in and out of the formats other tools use: the training CSV, ELAN (.eaf), BORIS projects
(.boris) and BORIS's tabular export (read), and the MEGC spotting submission CSV.

`read_labels` and `write_labels` choose the format from the extension (a `.csv` is looked into:
BORIS's export and MEGC's submission have their own headers) unless it is named. Readers return a
`ValidationReport`; files that cannot be used raise `ExchangeError` (a ValueError) naming the file
and the line or element. Writers are atomic and refuse invalid events.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Iterable, Mapping, Optional, Sequence

from app.core.events import Event
from app.core.events_csv import read_events_csv, write_events_csv
from app.core.validation import ValidationReport

from .boris import read_boris, write_boris
from .boris_table import looks_like_boris_table, read_boris_table
from .common import ExchangeError
from .megc import looks_like_megc, read_megc, write_megc

READ_FORMATS = ("csv", "eaf", "boris", "boris-table", "megc")
WRITE_FORMATS = ("csv", "eaf", "boris", "megc")
_EXTENSIONS = {".csv": "csv", ".eaf": "eaf", ".boris": "boris", ".tsv": "boris-table"}

__all__ = ["ExchangeError", "READ_FORMATS", "WRITE_FORMATS", "detect_format", "read_labels", "write_labels"]


def detect_format(path: str | os.PathLike, *, writing: bool = False) -> str:
    path = Path(path)
    fmt = _EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise ExchangeError(f"{path}: unknown label format {path.suffix or '(no extension)'!r}; use .csv, .eaf, "
                            ".boris or .tsv (BORIS export), or name the format")
    if fmt == "csv" and not writing and path.is_file():
        with open(path, encoding="utf-8-sig", errors="replace") as handle:
            head = handle.readline()
        if looks_like_boris_table(head):
            return "boris-table"
        if looks_like_megc(head):
            return "megc"
    return fmt


def read_labels(path: str | os.PathLike, fmt: Optional[str] = None, *, fps: Optional[float] = None,
                video: Optional[str] = None, tiers: Optional[Mapping[str, Sequence[str]]] = None
                ) -> tuple[ValidationReport, str]:
    """(report, format). Video paths of the events are made absolute where they exist."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: file not found")
    fmt = fmt or detect_format(path)
    if fmt == "csv":
        report = read_events_csv(path, check_videos=False)
    elif fmt == "eaf":
        from .eaf import read_eaf  # lazy: xml.etree and pympi, for .eaf only (this package loads at CLI start-up)

        report = read_eaf(path, fps=fps, video=video, tiers=tiers)
    elif fmt == "boris":
        report = read_boris(path, fps=fps, video=video)
    elif fmt == "boris-table":
        report = read_boris_table(path, fps=fps, video=video)
    elif fmt == "megc":
        report = read_megc(path, fps=fps, video=video)
    else:
        raise ExchangeError(f"unknown label format {fmt!r} (one of {', '.join(READ_FORMATS)})")
    report.accepted = [replace(e, video=_absolute(path.parent, e.video)) for e in report.accepted]
    return report, fmt


def _absolute(base: Path, video: str) -> str:
    candidate = Path(video) if Path(video).is_absolute() else base / video
    return str(Path(os.path.normpath(os.path.abspath(candidate)))) if candidate.exists() else video


def write_labels(path: str | os.PathLike, events: Iterable[Event], fmt: Optional[str] = None) -> Path:
    """Write events in `fmt` (default: from the extension). Existing video paths are written relative
    to the output's folder (absolute across drives)."""
    path = Path(path)
    fmt = fmt or detect_format(path, writing=True)
    events = [replace(e, video=_relative(path, e.video)) for e in events]
    if fmt == "csv":
        try:
            return write_events_csv(path, events)
        except ValueError as err:
            raise ExchangeError(str(err)) from None
    if fmt == "eaf":
        from .eaf import write_eaf  # lazy: as in read_labels

        return write_eaf(path, events)
    if fmt == "boris":
        return write_boris(path, events)
    if fmt == "megc":
        return write_megc(path, events)
    raise ExchangeError(f"{path}: cannot write format {fmt!r} (one of {', '.join(WRITE_FORMATS)})")


def _relative(out: Path, video: str) -> str:
    if not Path(video).is_absolute() or not Path(video).exists():
        return video
    try:
        return Path(os.path.relpath(video, Path(os.path.abspath(out)).parent)).as_posix()
    except ValueError:  # another drive
        return video
