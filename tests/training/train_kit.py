"""Helpers of the training tests (a uniquely named module: several test folders have a conftest): small rendered
videos of a real public-domain face, several subjects, and their training CSV."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from app.core.events import Event
from app.core.events_csv import write_events_csv
from app.media.writer import write_video
from app.synth.moving_portrait import load_portrait, moving_portrait_frames

FPS = 30.0
SIZE = (320, 240)  # the face is found by dlib's HOG at this size
N_FRAMES = 24
EMOTIONS = ("happiness", "surprise", "others")


def render_clip(path: Path, seed: int, n_frames: int = N_FRAMES, blank: Sequence[int] = ()) -> Path:
    """An H.264 clip of the moving astronaut; frames in `blank` are plain grey (no face)."""
    frames = list(moving_portrait_frames(load_portrait(), n_frames, size=SIZE, fps=FPS, seed=seed, drift_px=4.0))
    for i in blank:
        frames[i] = np.full_like(frames[i], 128)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_video(path, frames, fps=FPS, crf=18)
    return path


def make_dataset(root: Path, subjects: int = 4, clips: int = 2, blank_clip: Optional[tuple[int, int]] = None) -> Path:
    """`root/train.csv` with `subjects` × `clips` videos under root/videos/, one or two events each.
    `blank_clip=(subject, clip)` renders that clip with grey frames 12..17 (its second event's apex has no face)."""
    events = []
    for s in range(subjects):
        for c in range(clips):
            blank = range(12, 18) if blank_clip == (s, c) else ()
            video = render_clip(root / "videos" / f"s{s}_c{c}.mp4", seed=10 * s + c, blank=blank)
            rel = video.relative_to(root).as_posix()
            k = s * clips + c
            events.append(Event(rel, f"sub{s + 1:02d}", "e1", 2, 6, 10, FPS, emotion=EMOTIONS[k % 3]))
            events.append(Event(rel, f"sub{s + 1:02d}", "e2", 12, 15, 20, FPS, emotion=EMOTIONS[(k + 1) % 3]))
    return write_events_csv(root / "train.csv", events)


def tsfmicro(*args, env: Optional[dict] = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app.cli", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=timeout)
