"""`frames.csv`: one row per frame, written chunk by chunk and published atomically.

Columns, in this order: frame, time_s, face_ok, analysed, p_none, p_onset, p_apex, p_offset, motion_score.
- frame: 0-based index of the decoded stream; time_s = frame / fps.
- face_ok, analysed: 0/1. analysed = 1 where the model embedded the (t − k, t) pair; elsewhere the probabilities
  are the spotting head carrying its state forward (valid = 0), not a model reading of that frame.
- p_*: phase probabilities; empty (NaN) where the face is not ok.
- motion_score: the gate's grey-level change between the pair's crops (0-255 scale); empty without a valid pair.
No index column; an empty cell is a missing value.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Optional

from app.core.atomic import atomic_writer
from app.core.csv_cells import number_cell
from app.analysis.pipeline import ChunkResult
from model import PHASES

FRAMES_CSV_COLUMNS = ("frame", "time_s", "face_ok", "analysed", *(f"p_{phase}" for phase in PHASES), "motion_score")


class FramesCsvWriter:
    """`with FramesCsvWriter(path, fps) as out: out.write(chunk) ...`; the file appears only when the block
    completes without error, and then holds exactly the rows written, in order with no gaps."""

    def __init__(self, path: str | os.PathLike, fps: float) -> None:
        self.path = Path(path)
        self.fps = float(fps)
        self.rows = 0
        self._next_frame: Optional[int] = None
        self._context = None
        self._handle: Optional[IO[str]] = None

    def __enter__(self) -> "FramesCsvWriter":
        self._context = atomic_writer(self.path, text=True)
        self._handle = self._context.__enter__()
        self._handle.write(",".join(FRAMES_CSV_COLUMNS) + "\n")
        return self

    def __exit__(self, *exc) -> bool:
        self._handle = None
        return bool(self._context.__exit__(*exc))

    def write(self, chunk: ChunkResult) -> None:
        if self._handle is None:
            raise RuntimeError("FramesCsvWriter.write outside its with-block")
        if self._next_frame is not None and chunk.start != self._next_frame:
            raise ValueError(f"chunk starts at frame {chunk.start}, expected {self._next_frame}")
        lines = []
        for i, frame in enumerate(range(chunk.start, chunk.stop)):
            cells = [str(frame), f"{frame / self.fps:.6f}", str(int(chunk.face_ok[i])), str(int(chunk.analysed[i]))]
            cells += [number_cell(p, ".6f") for p in chunk.probs[i]]
            cells.append(number_cell(chunk.motion[i], ".3f"))
            lines.append(",".join(cells))
        self._handle.write("\n".join(lines) + "\n")
        self.rows += chunk.n_frames
        self._next_frame = chunk.stop
