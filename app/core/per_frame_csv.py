"""The one writer (`PerFrameCsvWriter`) of every CSV with one row per decoded frame, and the layout they share.

Every per-frame CSV starts with the same three columns (`FRAME_COLUMNS`):
- frame: 0-based index of the decoded stream; time_s = frame / fps (6 decimals);
- face_ok: 1 where the face pipeline found a usable face, else 0; empty where it is not known (the reviewer's export
  of a project without a face track).
Then its own columns. An empty cell is a missing value (not computed); there is no index column; lines end in "\\n".
Files are published atomically: complete, or not at all (an existing file is left as it was).

The files and their own columns (frames.csv, motion.csv, the reviewer's curve export) are described in
`app/analysis/frames_csv.py`. Imports neither Qt nor torch.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Callable, Optional, Sequence

from app.core.atomic import atomic_writer
from app.core.csv_cells import number_cell

FRAME_COLUMNS = ("frame", "time_s", "face_ok")

FLAG = "flag"  # a column format: 0/1 of a truth value
TEXT = "text"  # a column format: the value as it is
# Any other column format is a number's format spec (".6f", ".3f", ".6g"): an empty cell where it is not finite.


def _formatter(spec: str) -> Callable[[object], str]:
    if spec == FLAG:
        return lambda value: str(int(bool(value)))
    if spec == TEXT:
        return str
    return lambda value: number_cell(value, spec)


class PerFrameCsvWriter:
    """`with PerFrameCsvWriter(path, fps, [(name, format), ...]) as out: out.write_rows(start, n, face_ok, columns)`:
    the frame, time_s and face_ok columns, then the named ones (format: FLAG, TEXT or a number's format spec). Rows
    follow each other with no gaps; the file appears only when the block completes without error, and then holds
    exactly the rows written."""

    def __init__(self, path: str | os.PathLike, fps: float, columns: Sequence[tuple[str, str]]) -> None:
        self.path = Path(path)
        self.fps = float(fps)
        self.columns = (*FRAME_COLUMNS, *(name for name, _ in columns))
        self._formats = [_formatter(spec) for _, spec in columns]
        self.rows = 0
        self._next_frame: Optional[int] = None
        self._context = None
        self._handle: Optional[IO[str]] = None

    def __enter__(self):
        self._context = atomic_writer(self.path, text=True)
        self._handle = self._context.__enter__()
        self._handle.write(",".join(self.columns) + "\n")
        return self

    def __exit__(self, *exc) -> bool:
        self._handle = None
        return bool(self._context.__exit__(*exc))

    def write_rows(self, start: int, n: int, face_ok: Optional[Sequence], columns: Sequence[Sequence]) -> None:
        """Rows of frames [start, start + n): frame start + i has face_ok[i] (an empty cell where face_ok is None or
        shorter) and columns[c][i], one sequence per named column."""
        if self._handle is None:
            raise RuntimeError(f"{type(self).__name__}: rows written outside its with-block")
        if self._next_frame is not None and start != self._next_frame:
            raise ValueError(f"chunk starts at frame {start}, expected {self._next_frame}")
        known = 0 if face_ok is None else min(n, len(face_ok))
        lines = []
        for i in range(n):
            frame = start + i
            cells = [str(frame), f"{frame / self.fps:.6f}", str(int(bool(face_ok[i]))) if i < known else ""]
            cells += [fmt(column[i]) for fmt, column in zip(self._formats, columns)]
            lines.append(",".join(cells))
        if lines:
            self._handle.write("\n".join(lines) + "\n")
        self.rows += n
        self._next_frame = start + n
