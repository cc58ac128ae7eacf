"""Benchmark clips: a moving public-domain face, 640x480 by default, H.264, cached on disk."""

from __future__ import annotations

from pathlib import Path

from app.media.writer import write_video
from app.synth.moving_portrait import load_portrait, moving_portrait_frames


def bench_clip(workdir: Path, n_frames: int, fps: float = 30.0, size: tuple[int, int] = (640, 480)) -> Path:
    """Path of a clip of `n_frames` frames, rendered once per workdir."""
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / f"moving_face_{size[0]}x{size[1]}_{fps:g}fps_{n_frames}.mp4"
    if not path.exists():
        partial = path.with_suffix(".partial.mp4")
        frames = moving_portrait_frames(load_portrait(), n_frames, size=size, fps=fps, seed=1)
        write_video(partial, frames, fps=fps, codec="h264", gop=250, bframes=2, crf=23)
        partial.replace(path)
    return path
