"""The per-frame CSVs of the analysis, and the one description of their columns.

Every per-frame CSV is written by `app.core.per_frame_csv.PerFrameCsvWriter` and has its layout: the columns
`FRAME_COLUMNS` first (frame, time_s, face_ok: described there), then its own columns; an empty cell is a missing
value (not computed); files are published atomically.

frames.csv of the model (`tsfmicro analyze --method model`, `tsfmicro score --checkpoint`), `FRAMES_CSV_COLUMNS`,
written chunk by chunk (`FramesCsvWriter`):
- analysed: 0/1. analysed = 1 where the model embedded the (t − k, t) pair; elsewhere the probabilities are the
  spotting head carrying its state forward (valid = 0), not a model reading of that frame.
- p_none, p_onset, p_apex, p_offset (`model.PHASES`): phase probabilities; empty (NaN) where the face is not ok.
- motion_score: the motion gate's grey-level change between the pair's crops (0-255 scale); empty without a valid
  pair.

motion.csv of a motion spotter (`tsfmicro spot`, `tsfmicro analyze --method learned|flow`; it is also the frames.csv
of `tsfmicro score` without a checkpoint), `MOTION_COLUMNS` (`write_motion_csv`):
- motion: the spotter's per-frame micro-expression curve in [0, 1] (learned: its probability); empty where not
  computed.
- score: the spotter's raw score behind it (flow: in % of the eye span; learned: the best region's evidence).
- region: the facial region that scored highest ('' where not computed).

The reviewer's curve export (`app.core.curves_export`): every curve the project stores, 6 significant digits —
`analysed`, the `p_<phase>` columns and `motion` (the motion spotter's curve, as in motion.csv) first, then the
others by name.

motion_score, motion and score are three different quantities (the model's gate, the spotter's curve and the
spotter's raw score), hence three names.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.per_frame_csv import FLAG, FRAME_COLUMNS, TEXT, PerFrameCsvWriter
from model import PHASES

if TYPE_CHECKING:  # pragma: no cover
    from app.analysis.motion_spotter import SpotResult
    from app.analysis.pipeline import ChunkResult

FRAMES_CSV_COLUMNS = (*FRAME_COLUMNS, "analysed", *(f"p_{phase}" for phase in PHASES), "motion_score")
MOTION_COLUMNS = (*FRAME_COLUMNS, "motion", "score", "region")


class FramesCsvWriter(PerFrameCsvWriter):
    """frames.csv, streamed: `with FramesCsvWriter(path, fps) as out: out.write(chunk) ...`."""

    def __init__(self, path: str | os.PathLike, fps: float) -> None:
        analysed, *probs, motion_score = FRAMES_CSV_COLUMNS[len(FRAME_COLUMNS):]
        super().__init__(path, fps, [(analysed, FLAG), *((p, ".6f") for p in probs), (motion_score, ".3f")])

    def write(self, chunk: "ChunkResult") -> None:
        self.write_rows(chunk.start, chunk.n_frames, chunk.face_ok, [chunk.analysed, *chunk.probs.T, chunk.motion])


def write_motion_csv(path: str | os.PathLike, result: "SpotResult") -> Path:
    """motion.csv of a motion spotter's `SpotResult`, one row per frame."""
    formats = tuple(zip(MOTION_COLUMNS[len(FRAME_COLUMNS):], (".5f", ".4f", TEXT)))
    with PerFrameCsvWriter(path, result.fps, formats) as out:
        out.write_rows(0, len(result.motion), result.face_ok, [result.motion, result.score, result.region])
    return Path(path)
