"""curves.png: the per-frame curves of one video with its suggested events marked, drawn with OpenCV and numpy
(no matplotlib). Deterministic: the same inputs give the same PNG bytes.

Layout: time (s) across, 0..1 up. Suggested events are shaded (micro orange, macro blue) with a dark line at the
apex; frames without a usable face are marked by a grey strip under the axis. Long videos are reduced to one
value per pixel column by taking the column's maximum, so a one-frame peak stays visible.
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import cv2
import numpy as np

WIDTH, HEIGHT = 1200, 340
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 34, 42
WHITE, BLACK, GRID, GREY = (255, 255, 255), (40, 40, 40), (225, 225, 225), (170, 170, 170)
KIND_FILL = {"micro": (150, 200, 255), "macro": (250, 215, 170)}   # BGR: orange, blue
FONT = cv2.FONT_HERSHEY_SIMPLEX


def column_max(values: np.ndarray, width: int) -> np.ndarray:
    """(n,) → (width,) maximum per pixel column, NaN where a column has no finite value."""
    n = len(values)
    if n == 0:
        return np.full(width, np.nan)
    edges = np.linspace(0, n, width + 1)
    starts = np.minimum(np.floor(edges[:-1]).astype(int), n - 1)
    stops = np.maximum(np.ceil(edges[1:]).astype(int), starts + 1)
    clean = np.where(np.isfinite(values), values, -np.inf)
    out = np.array([clean[a:b].max() for a, b in zip(starts, stops)], dtype=np.float64)
    out[~np.isfinite(out)] = np.nan
    return out


def _tick_step(seconds: float) -> float:
    for step in (0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600):
        if seconds / step <= 12:
            return step
    return 7200.0


def render_curves_png(curves: Mapping[str, tuple[np.ndarray, tuple[int, int, int]]], fps: float,
                      events: Sequence, face_ok: np.ndarray, title: str) -> bytes:
    """curves {label: ((n,) values in [0, 1] with NaN gaps, BGR colour)}; events with onset_frame, apex_frame,
    offset_frame, kind; face_ok (n,) bool. Returns PNG bytes."""
    n = int(len(face_ok))
    image = np.full((HEIGHT, WIDTH, 3), WHITE, np.uint8)
    x0, x1, y0, y1 = LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM
    plot_w = x1 - x0

    def fx(frame: float) -> int:
        return x0 + int(round(frame / max(1, n) * plot_w))

    def fy(v: float) -> int:
        return y1 - int(round(v * (y1 - y0)))

    for e in events:  # shaded spans first, under everything else
        a, b = fx(e.onset_frame), max(fx(e.offset_frame + 1), fx(e.onset_frame) + 1)
        cv2.rectangle(image, (a, y0), (b, y1), KIND_FILL.get(e.kind, GRID), thickness=-1)
    for v in (0.0, 0.25, 0.5, 0.75, 1.0):
        cv2.line(image, (x0, fy(v)), (x1, fy(v)), GRID, 1)
        cv2.putText(image, f"{v:.2f}", (6, fy(v) + 4), FONT, 0.4, BLACK, 1, cv2.LINE_AA)
    seconds = n / fps if fps > 0 else 0.0
    step = _tick_step(seconds)
    for k in range(int(math.floor(seconds / step)) + 1):
        t = k * step
        x = fx(t * fps)
        cv2.line(image, (x, y1), (x, y1 + 4), BLACK, 1)
        label = f"{t:g}" if seconds < 120 else f"{int(t // 60)}:{int(t % 60):02d}"
        cv2.putText(image, label, (x - 8, y1 + 17), FONT, 0.4, BLACK, 1, cv2.LINE_AA)
    if n:
        missing = column_max((~np.asarray(face_ok, bool)).astype(np.float64), plot_w)
        for i in np.flatnonzero(missing > 0):
            cv2.line(image, (x0 + int(i), y1 + 22), (x0 + int(i), y1 + 26), GREY, 1)
    for e in events:
        cv2.line(image, (fx(e.apex_frame), y0), (fx(e.apex_frame), y1), BLACK, 1)
    for label, (values, colour) in curves.items():
        reduced = column_max(np.asarray(values, np.float64), plot_w)
        run: list[tuple[int, int]] = []
        for i, v in enumerate(list(reduced) + [math.nan]):
            if math.isfinite(v):
                run.append((x0 + i, fy(min(1.0, max(0.0, v)))))
            elif run:
                cv2.polylines(image, [np.array(run, np.int32)], False, colour, 1, cv2.LINE_AA)
                run = []
    cv2.rectangle(image, (x0, y0), (x1, y1), BLACK, 1)
    cv2.putText(image, title[:110], (x0, 22), FONT, 0.5, BLACK, 1, cv2.LINE_AA)
    x = x1 - 8
    legend = [(label, colour) for label, (_, colour) in curves.items()] + \
             [(f"{kind} event", fill) for kind, fill in KIND_FILL.items()]
    for label, colour in reversed(legend):
        (w, _), _ = cv2.getTextSize(label, FONT, 0.4, 1)
        x -= w
        cv2.putText(image, label, (x, 22), FONT, 0.4, BLACK, 1, cv2.LINE_AA)
        cv2.rectangle(image, (x - 14, 14), (x - 4, 22), colour, thickness=-1)
        x -= 26
    cv2.putText(image, "time (s)" if seconds < 120 else "time (min:s)", (x1 - 70, HEIGHT - 6), FONT, 0.4, BLACK, 1,
                cv2.LINE_AA)
    ok, data = cv2.imencode(".png", image)
    if not ok:
        raise RuntimeError("PNG encoding failed")
    return data.tobytes()
