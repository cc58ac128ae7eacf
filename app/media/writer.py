"""Write RGB frames to a video file through the FFmpeg binary that `imageio-ffmpeg` ships.

Used to make the demo video, benchmark clips and test media; OpenCV's own writer cannot encode
H.264 in the headless wheel, nor set the keyframe interval.
"""

from __future__ import annotations

import itertools
import os
import subprocess
from typing import Iterable, Sequence

import numpy as np

CODECS = {
    "h264": ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-preset", "veryfast"],
    "hevc": ["-c:v", "libx265", "-pix_fmt", "yuv420p", "-preset", "veryfast", "-x265-params", "log-level=error"],
    "vp9": ["-c:v", "libvpx-vp9", "-pix_fmt", "yuv420p", "-deadline", "realtime", "-cpu-used", "8"],
    "mpeg4": ["-c:v", "mpeg4", "-q:v", "3"],
    "mjpeg": ["-c:v", "mjpeg", "-q:v", "3"],
}


def ffmpeg_exe() -> str:
    import imageio_ffmpeg  # lazy: ~50 ms to import, needed only when a video is encoded

    return imageio_ffmpeg.get_ffmpeg_exe()


def write_video(
    path: str | os.PathLike,
    frames: Iterable[np.ndarray],
    fps: float,
    codec: str = "h264",
    gop: int = 250,
    bframes: int = 2,
    crf: int | None = None,
    extra_args: Sequence[str] = (),
) -> int:
    """Encode RGB uint8 frames (all the same size) and return how many were written.

    `gop` is the keyframe interval; `bframes` the number of B-frames (where the codec has them).
    """
    if codec not in CODECS:
        raise ValueError(f"unknown codec {codec!r}; choose one of {sorted(CODECS)}")
    frames = iter(frames)
    first = next(frames, None)
    if first is None:
        raise ValueError(f"{path}: no frames to write")
    if first.dtype != np.uint8 or first.ndim != 3 or first.shape[2] != 3:
        raise ValueError(f"{path}: frames must be (H, W, 3) uint8 RGB, got {first.dtype} {first.shape}")
    height, width = first.shape[:2]
    args = [ffmpeg_exe(), "-y", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24",
            "-s", f"{width}x{height}", "-r", f"{fps}", "-i", "-", *CODECS[codec], "-g", str(gop)]
    if codec in ("h264", "hevc", "mpeg4"):
        args += ["-bf", str(bframes)]
    if crf is not None and codec in ("h264", "hevc", "vp9"):
        args += ["-crf", str(crf)] + (["-b:v", "0"] if codec == "vp9" else [])
    args += [*extra_args, str(path)]
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    count = 0
    try:
        for frame in itertools.chain([first], frames):
            if frame.shape != first.shape:
                raise ValueError(f"{path}: frame {count} has shape {frame.shape}, expected {first.shape}")
            proc.stdin.write(np.ascontiguousarray(frame).tobytes())
            count += 1
    finally:
        proc.stdin.close()
        err = proc.stderr.read().decode(errors="replace")
        proc.wait()
    if proc.returncode != 0:
        raise RuntimeError(f"{path}: ffmpeg failed ({proc.returncode}): {err.strip()}")
    return count

