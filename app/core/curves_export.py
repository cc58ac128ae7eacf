"""A project's per-frame curves as one CSV: frame, time_s, face_ok, then every stored curve (the layout is
`app.core.per_frame_csv`'s; the curves are described with the other per-frame CSVs in `app/analysis/frames_csv.py`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import numpy as np

from app.core.per_frame_csv import PerFrameCsvWriter
from app.core.project_store import ProjectStore
from model import PHASES

PREFERRED_ORDER = ("analysed", *(f"p_{phase}" for phase in PHASES), "motion")


def export_curves_csv(path: str | os.PathLike, store: ProjectStore, face_ok: Optional[np.ndarray] = None) -> Path:
    """Write one row per frame (atomically); empty cells where a curve was not computed."""
    names = store.curve_names()
    names = [n for n in PREFERRED_ORDER if n in names] + sorted(n for n in names if n not in PREFERRED_ORDER)
    curves = {name: store.curve(name) for name in names}
    curves = [values if values.ndim == 1 else values[:, 0] for values in curves.values()]
    with PerFrameCsvWriter(path, store.video["fps"], [(name, ".6g") for name in names]) as out:
        out.write_rows(0, store.video["n_frames"], face_ok, curves)
    return Path(path)
