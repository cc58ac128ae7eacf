"""Contact sheet: a PNG grid of aligned face crops, each labelled with its frame number."""

from __future__ import annotations

import math
import os
from typing import Callable, Sequence

import cv2
import numpy as np

from app.face.align import warp_crop
from app.face.track import FaceTrack


def sample_rows(track: FaceTrack, count: int) -> np.ndarray:
    """Up to `count` rows of `track`, evenly spread over the frames where a face was found."""
    if count < 1:
        raise ValueError(f"count must be >= 1, got {count}")
    rows = np.flatnonzero(track.found)
    if len(rows) <= count:
        return rows
    return rows[np.round(np.linspace(0, len(rows) - 1, count)).astype(np.intp)]


def render_contact_sheet(tiles: Sequence[tuple[int, np.ndarray]], columns: int = 4) -> np.ndarray:
    """RGB uint8 grid of equally sized (S, S, 3) crops, row-major, frame number drawn on each."""
    if not tiles:
        raise ValueError("a contact sheet needs at least one crop")
    if columns < 1:
        raise ValueError(f"columns must be >= 1, got {columns}")
    shape = tiles[0][1].shape
    for index, crop in tiles:
        if crop.dtype != np.uint8 or crop.ndim != 3 or crop.shape != shape or shape[2] != 3:
            raise ValueError(f"crop of frame {index}: expected uint8 {shape}, got {crop.dtype} {crop.shape}")
    height, width = shape[:2]
    columns = min(columns, len(tiles))
    rows = math.ceil(len(tiles) / columns)
    sheet = np.zeros((rows * height, columns * width, 3), dtype=np.uint8)
    font_scale = max(0.35, width / 400.0)
    for i, (index, crop) in enumerate(tiles):
        y, x = (i // columns) * height, (i % columns) * width
        tile = sheet[y : y + height, x : x + width]
        tile[:] = crop
        label = str(index)
        (tw, th), base = cv2.getTextSize(label, cv2.FONT_HERSHEY_SIMPLEX, font_scale, 1)
        cv2.rectangle(tile, (0, 0), (tw + 6, th + base + 6), (0, 0, 0), thickness=-1)
        cv2.putText(tile, label, (3, th + 3), cv2.FONT_HERSHEY_SIMPLEX, font_scale, (255, 255, 255), 1, cv2.LINE_AA)
    return sheet


def save_contact_sheet(path: str | os.PathLike, tiles: Sequence[tuple[int, np.ndarray]], columns: int = 4) -> np.ndarray:
    """Render and write the sheet as PNG; returns the RGB sheet."""
    sheet = render_contact_sheet(tiles, columns)
    if not cv2.imwrite(str(path), cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR)):
        raise OSError(f"could not write contact sheet PNG: {path}")
    return sheet


def contact_sheet_from_track(
    path: str | os.PathLike,
    track: FaceTrack,
    read_frame: Callable[[int], np.ndarray],
    count: int = 16,
    columns: int = 4,
) -> np.ndarray:
    """Contact sheet of `count` evenly sampled frames of a finished track: each frame is read
    again with `read_frame(index)` (e.g. `VideoSource.read`) and warped with its stored transform."""
    size = track.config.align.crop_size
    tiles = []
    for row in sample_rows(track, count):
        index = int(track.frame_index[row])
        tiles.append((index, warp_crop(read_frame(index), track.transforms[row], size)))
    if not tiles:
        raise ValueError("no frame with a face to put on the contact sheet")
    return save_contact_sheet(path, tiles, columns)
