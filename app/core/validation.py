"""Validation of labelled events, shared by every reader (training CSV, data-set sheets).

A bad row is never dropped silently: each problem names the file, the line as a spreadsheet shows
it (header = line 1), the column and the reason. Rows with problems are rejected; the rest are
accepted. Fixes that a reader applied to an accepted row (e.g. an imputed apex) are kept apart.
"""

from __future__ import annotations

import difflib
import math
import numbers
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Optional

from .events import COLUMNS, EDGES, EMOTIONS, KINDS, SOURCES, STATUSES, Event

REQUIRED_TEXT = ("video", "subject", "event_id", "kind", "emotion", "source", "status")


@dataclass(frozen=True)
class Problem:
    """One finding about one row (or, with `line=None`, about the whole file)."""

    file: str
    line: Optional[int]
    column: Optional[str]
    reason: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.reason}"


class ValidationError(ValueError):
    """Strict mode: at least one problem. `report` holds all of them."""

    def __init__(self, report: "ValidationReport"):
        self.report = report
        lines = [report.summary(limit=0)] + [f"  {p}" for p in report.problems]
        super().__init__("\n".join(lines))


class ColumnError(ValueError):
    """The file's header lacks a column the format needs (missing or misspelled)."""


@dataclass
class ValidationReport:
    accepted: list[Event] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    fixes: list[Problem] = field(default_factory=list)  # changes made to accepted rows; not errors

    @property
    def rejected(self) -> int:
        """Rows rejected: distinct (file, line) pairs among the problems."""
        return len({(p.file, p.line) for p in self.problems if p.line is not None})

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self, limit: int = 5) -> str:
        text = f"{_count(len(self.accepted), 'event')} accepted, {self.rejected} rejected"
        if self.fixes:
            text += f", {_count(len(self.fixes), 'fix', 'fixes')} applied"
        shown = self.problems[:limit] if limit else []
        if shown:
            text += ": " + "; ".join(str(p) for p in shown)
            if len(self.problems) > len(shown):
                text += f"; ... and {len(self.problems) - len(shown)} more"
        return text

    def raise_if_problems(self) -> "ValidationReport":
        if self.problems:
            raise ValidationError(self)
        return self


def _count(n: int, singular: str, plural: Optional[str] = None) -> str:
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


def event_problems(event: Event) -> list[tuple[str, str]]:
    """(column, reason) for everything wrong with a typed event, files aside."""
    found: list[tuple[str, str]] = []
    for name in REQUIRED_TEXT:
        value = getattr(event, name)
        if not isinstance(value, str) or not value.strip():
            found.append((name, f"{name} is empty"))
    for name, vocabulary in (("kind", KINDS), ("source", SOURCES), ("status", STATUSES), ("emotion", EMOTIONS)):
        value = getattr(event, name)
        if isinstance(value, str) and value.strip() and value not in vocabulary:
            found.append((name, f"unknown {name} {value!r} (expected one of: {', '.join(vocabulary)})"))
    frames_ok = True
    for name in EDGES:
        value = getattr(event, name)
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            found.append((name, f"{name} must be an integer frame index, got {value!r}"))
            frames_ok = False
        elif value < 0:
            found.append((name, f"{name} {value} is negative (frame indices are 0-based)"))
            frames_ok = False
    if frames_ok:
        onset, apex, offset = event.onset_frame, event.apex_frame, event.offset_frame
        if onset > offset:
            found.append(("onset_frame", f"onset {onset} is after offset {offset}"))
        elif not onset <= apex <= offset:
            found.append(("apex_frame", f"apex {apex} is outside the interval {onset}..{offset}"))
    if not _is_real(event.fps) or not event.fps > 0:
        found.append(("fps", f"fps must be a positive number, got {event.fps!r}"))
    if event.confidence is not None and (not _is_real(event.confidence) or not 0.0 <= event.confidence <= 1.0):
        found.append(("confidence", f"confidence must be empty or a number in 0..1, got {event.confidence!r}"))
    return found


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def check_header(file: str, header: Iterable[str], expected: Iterable[str] = COLUMNS) -> list[str]:
    """Raise ColumnError when a needed column is missing or duplicated; return the unknown extra names."""
    expected = list(expected)
    names = [h.strip() for h in header]
    duplicates = sorted({n for n in names if names.count(n) > 1 and n})
    missing = [c for c in expected if c not in names]
    extra = [n for n in names if n not in expected]
    if duplicates:
        raise ColumnError(f"{file}: column(s) {', '.join(duplicates)} appear more than once in the header")
    if missing:
        hints = []
        for name in missing:
            close = difflib.get_close_matches(name, [e for e in extra if e], n=1, cutoff=0.6)
            hints.append(f"{name} (found {close[0]!r}; misspelled?)" if close else name)
        raise ColumnError(
            f"{file}: missing column(s): {', '.join(hints)}. "
            f"Expected columns, in this order: {', '.join(expected)}"
        )
    return [e for e in extra if e]


class EventValidator:
    """Collects the events of one file, row by row, into a ValidationReport.

    `base_dir` is the folder that relative video paths refer to (the CSV's folder); with
    `check_videos` a row whose video does not exist there is rejected. `column_names` renames the
    event columns in problems (a sheet reports its own column letters and headers).
    """

    def __init__(self, file: str | os.PathLike, *, base_dir: Optional[str | os.PathLike] = None,
                 check_videos: bool = True, column_names: Optional[Mapping[str, str]] = None):
        self.file = str(file)
        self.base_dir = Path(base_dir) if base_dir is not None else Path(self.file).parent
        self.check_videos = check_videos
        self.column_names = dict(column_names or {})
        self.report = ValidationReport()
        self._seen: dict[tuple[str, str], int] = {}
        self._video_exists: dict[str, bool] = {}

    def reject(self, line: Optional[int], column: Optional[str], reason: str) -> None:
        self.report.problems.append(Problem(self.file, line, self._name(column), reason))

    def fix(self, line: Optional[int], column: Optional[str], reason: str) -> None:
        self.report.fixes.append(Problem(self.file, line, self._name(column), reason))

    def _name(self, column: Optional[str]) -> Optional[str]:
        return self.column_names.get(column, column) if column else column

    def add(self, line: int, event: Event) -> bool:
        """Check a typed event; accept it (True) or record why not (False)."""
        found = event_problems(event)
        if not found:
            key = (str(resolve_video(self.base_dir, event.video)), event.event_id)
            if key in self._seen:
                found.append(("event_id", f"duplicate event_id {event.event_id!r} in video {event.video!r} "
                                          f"(first on line {self._seen[key]})"))
            elif self.check_videos and not self._exists(event.video):
                found.append(("video", f"video {event.video!r} not found (looked for "
                                       f"{resolve_video(self.base_dir, event.video)})"))
            else:
                self._seen[key] = line
        for column, reason in found:
            self.reject(line, column, reason)
        if not found:
            self.report.accepted.append(event)
        return not found

    def _exists(self, video: str) -> bool:
        if video not in self._video_exists:
            self._video_exists[video] = resolve_video(self.base_dir, video).exists()
        return self._video_exists[video]


def resolve_video(base_dir: str | os.PathLike, video: str) -> Path:
    """The video's path: absolute as written, or relative to `base_dir` (the CSV's folder), normalised."""
    path = Path(video)
    if not path.is_absolute():
        path = Path(base_dir) / path
    return Path(os.path.normpath(os.path.abspath(path)))
