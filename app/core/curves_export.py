"""A project's per-frame curves as one CSV: frame, time_s, face_ok, then every stored curve."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Optional

import numpy as np

from app.core.atomic import atomic_writer
from app.core.csv_cells import number_cell
from app.core.project_store import ProjectStore

PREFERRED_ORDER = ("analysed", "p_none", "p_onset", "p_apex", "p_offset", "motion")


def export_curves_csv(path: str | os.PathLike, store: ProjectStore, face_ok: Optional[np.ndarray] = None) -> Path:
    """Write one row per frame (atomically); empty cells where a curve was not computed."""
    names = store.curve_names()
    names = [n for n in PREFERRED_ORDER if n in names] + sorted(n for n in names if n not in PREFERRED_ORDER)
    curves = {name: store.curve(name) for name in names}
    curves = {name: values if values.ndim == 1 else values[:, 0] for name, values in curves.items()}
    n_frames, fps = store.video["n_frames"], store.video["fps"]
    with atomic_writer(path, text=True) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["frame", "time_s", "face_ok", *names])
        for frame in range(n_frames):
            ok = "" if face_ok is None or frame >= len(face_ok) else int(bool(face_ok[frame]))
            writer.writerow([frame, f"{frame / fps:.6f}", ok, *(number_cell(curves[name][frame], ".6g") for name in names)])
    return Path(path)
