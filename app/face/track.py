"""`FaceTrack`: the per-frame results of a whole video as small numpy arrays, with .npz and CSV I/O."""

from __future__ import annotations

import csv
import math
import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Optional

import numpy as np

from app.core.atomic import atomic_write_bytes, atomic_writer
from app.core.csv_cells import number_cell
from app.face.config import FaceConfig
from app.face.pipeline import FaceResult

FORMAT_VERSION = 1

_ARRAYS = ("frame_index", "boxes", "landmarks", "transforms", "found", "detected", "det_score", "track_conf", "jitter_px", "jump", "ok")
_DTYPES = {
    "frame_index": np.int64,
    "boxes": np.float32,
    "landmarks": np.float32,
    "transforms": np.float32,
    "found": np.bool_,
    "detected": np.bool_,
    "det_score": np.float32,
    "track_conf": np.float32,
    "jitter_px": np.float32,
    "jump": np.bool_,
    "ok": np.bool_,
}


@dataclass(frozen=True, eq=False)
class FaceTrack:
    """Per-frame face data of one video, row i describing frame `frame_index[i]`.

    boxes (n, 4) x0, y0, x1, y1 and landmarks (n, K, 2) in frame pixels, transforms (n, 2, 3)
    frame-to-crop; all NaN where no face was found. The scalar columns are as in `FaceResult`.
    """

    frame_index: np.ndarray
    boxes: np.ndarray
    landmarks: np.ndarray
    transforms: np.ndarray
    found: np.ndarray
    detected: np.ndarray
    det_score: np.ndarray
    track_conf: np.ndarray
    jitter_px: np.ndarray
    jump: np.ndarray
    ok: np.ndarray
    fps: float
    config: FaceConfig

    def __post_init__(self) -> None:
        n = len(self.frame_index)
        k = int(self.config.align.landmarks)
        shapes = {"boxes": (n, 4), "landmarks": (n, k, 2), "transforms": (n, 2, 3)}
        for name in _ARRAYS:
            array = getattr(self, name)
            if not isinstance(array, np.ndarray) or array.dtype != _DTYPES[name]:
                raise ValueError(f"FaceTrack.{name} must be a numpy array of {np.dtype(_DTYPES[name])}")
            if array.shape != shapes.get(name, (n,)):
                raise ValueError(f"FaceTrack.{name} has shape {array.shape}, expected {shapes.get(name, (n,))}")
        if not (math.isfinite(self.fps) and self.fps > 0):
            raise ValueError(f"FaceTrack.fps must be positive, got {self.fps}")

    @property
    def n_frames(self) -> int:
        return len(self.frame_index)

    @property
    def time_s(self) -> np.ndarray:
        """Time of each row in seconds (frame index / fps)."""
        return self.frame_index / self.fps

    @classmethod
    def from_results(
        cls,
        results: Iterable[FaceResult],
        fps: float,
        config: FaceConfig,
        on_result: Optional[Callable[[FaceResult], None]] = None,
    ) -> "FaceTrack":
        """Collect a stream of results (crops are passed to `on_result`, then dropped)."""
        k = int(config.align.landmarks)
        rows: dict[str, list] = {name: [] for name in _ARRAYS}
        nan_box, nan_lm, nan_tf = np.full(4, np.nan), np.full((k, 2), np.nan), np.full((2, 3), np.nan)
        for r in results:
            if on_result is not None:
                on_result(r)
            rows["frame_index"].append(r.index)
            rows["boxes"].append(r.box if r.found else nan_box)
            rows["landmarks"].append(r.landmarks if r.found else nan_lm)
            rows["transforms"].append(r.transform if r.found else nan_tf)
            for name in ("found", "detected", "det_score", "track_conf", "jitter_px", "jump", "ok"):
                rows[name].append(getattr(r, name))
        shapes = {"boxes": (0, 4), "landmarks": (0, k, 2), "transforms": (0, 2, 3)}
        arrays = {
            name: np.array(values, dtype=_DTYPES[name]) if values else np.zeros(shapes.get(name, (0,)), _DTYPES[name])
            for name, values in rows.items()
        }
        return cls(**arrays, fps=float(fps), config=config)

    def save(self, path: str | os.PathLike) -> None:
        """Write an uncompressed .npz atomically (no pickled objects; the config is JSON text)."""
        atomic_write_bytes(path, self.to_npz_bytes())

    def to_npz_bytes(self) -> bytes:
        """The .npz file `save` writes, as bytes (for storing the track inside a project file)."""
        buffer = io.BytesIO()
        arrays = {name: getattr(self, name) for name in _ARRAYS}
        np.savez(
            buffer,
            **arrays,
            fps=np.float64(self.fps),
            config_json=np.str_(self.config.to_json()),
            format_version=np.int64(FORMAT_VERSION),
        )
        return buffer.getvalue()

    @classmethod
    def load(cls, path: str | os.PathLike) -> "FaceTrack":
        """Read a file written by `save`; ValueError if it is not a valid face track."""
        if not Path(path).is_file():
            raise FileNotFoundError(f"face track file not found: {path}")
        return cls.from_npz_bytes(Path(path).read_bytes(), str(path))

    @classmethod
    def from_npz_bytes(cls, data: bytes, name: str = "face track") -> "FaceTrack":
        """Inverse of `to_npz_bytes`; ValueError (naming `name`) if the bytes are not a valid track."""
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as npz:
                version = int(npz["format_version"])
                if version != FORMAT_VERSION:
                    raise ValueError(f"format version {version}, expected {FORMAT_VERSION}")
                arrays = {key: npz[key] for key in _ARRAYS}
                fps = float(npz["fps"])
                config = FaceConfig.from_json(str(npz["config_json"]))
            return cls(**arrays, fps=fps, config=config)
        except (ValueError, KeyError, TypeError, EOFError, OSError, zipfile.BadZipFile) as exc:
            raise ValueError(f"{name}: not a valid face track file ({exc})") from exc

    def to_csv(self, path: str | os.PathLike) -> None:
        """One row per frame: frame, time_s, face_found, bbox_{x,y,w,h}_px, det_score, track_conf,
        jitter_px, jump, quality_ok, lm0_x_px, lm0_y_px, ... Missing values are empty cells."""
        k = self.landmarks.shape[1]
        header = ["frame", "time_s", "face_found", "bbox_x_px", "bbox_y_px", "bbox_w_px", "bbox_h_px",
                  "det_score", "track_conf", "jitter_px", "jump", "quality_ok"]
        header += [f"lm{i}_{axis}_px" for i in range(k) for axis in ("x", "y")]
        times = self.time_s
        with atomic_writer(path, text=True) as f:
            writer = csv.writer(f)
            writer.writerow(header)
            for i in range(self.n_frames):
                x0, y0, x1, y1 = self.boxes[i]
                row = [int(self.frame_index[i]), f"{times[i]:.6f}", int(self.found[i]),
                       number_cell(x0), number_cell(y0), number_cell(x1 - x0), number_cell(y1 - y0),
                       number_cell(self.det_score[i], ".4f"), number_cell(self.track_conf[i]),
                       number_cell(self.jitter_px[i]),
                       int(self.jump[i]), int(self.ok[i])]
                row += [number_cell(v) for v in self.landmarks[i].ravel()]
                writer.writerow(row)
