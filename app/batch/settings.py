"""What a batch's scores depend on, and how many threads each worker may use.

`ScoreSettings` is sent to every worker (plain, picklable values). Its `key` — a SHA-256 over the checkpoint's
SHA-256 (or "motion spotter"), the analysis mode and options, the face and spotter configurations and the app
version — is what the resume check compares: a video is skipped only when its done.json carries the same key
and the same video content hash. Device and thread count are not part of the key (they decide where the work
runs, not which model or settings score it); see docs/batch.md on thread counts and bit-identical output.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from app import __version__
from app.analysis.config import AnalysisConfig
from app.analysis.motion_spotter import MotionConfig
from app.face import FaceConfig
from app.media.hashing import file_sha256
from app.resources import default_spotter_path

MOTION = "motion"   # a motion spotter (the default when no checkpoint is given: the learned one)
MODEL = "model"     # a trained TSFmicro checkpoint with a spotting head
OUTPUT_FORMAT = 1   # bump when the per-video files change shape


def threads_per_worker(workers: int, cores: Optional[int] = None) -> int:
    """max(1, cores // workers): local workers share the machine's cores without oversubscribing them."""
    cores = cores if cores is not None else (os.cpu_count() or 1)
    return max(1, cores // max(1, workers))


def _plain(value) -> object:
    return dataclasses.asdict(value) if dataclasses.is_dataclass(value) else value


@dataclass(frozen=True)
class ScoreSettings:
    """engine MOTION (checkpoint None) or MODEL; mode/stride/lag_s/chunk as in `tsfmicro analyze`;
    device as `--device`; batch_size pairs per model call (None: the predictor's default)."""

    engine: str = MOTION
    checkpoint: Optional[str] = None
    checkpoint_sha256: Optional[str] = None
    mode: str = "fast"
    stride: Optional[int] = None
    lag_s: Optional[float] = None
    chunk: int = 64
    device: str = "auto"
    batch_size: Optional[int] = None
    spotter: str = "learned"  # with engine MOTION: "learned" (bundled weights) or "flow" (training-free)

    @classmethod
    def create(cls, checkpoint: Optional[str | os.PathLike] = None, **options) -> "ScoreSettings":
        """MODEL settings for a checkpoint file (hashed here), MOTION settings without one."""
        if checkpoint is None:
            return cls(engine=MOTION, **options)
        path = Path(checkpoint).absolute()
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such checkpoint file")
        return cls(engine=MODEL, checkpoint=str(path), checkpoint_sha256=file_sha256(path), **options)

    def analysis_config(self):
        return AnalysisConfig.for_mode(self.mode, stride=self.stride, chunk_size=self.chunk, tau_s=self.lag_s)

    def motion_config(self):
        return MotionConfig(method=self.spotter) if self.lag_s is None else MotionConfig(method=self.spotter,
                                                                                         lag_s=self.lag_s)

    def face_config(self):
        """The face settings of MOTION runs; a MODEL run's workers use their checkpoint's (its contract), which
        `checkpoint_sha256` pins."""
        return FaceConfig()

    def describe(self) -> dict:
        """Everything the per-video outputs depend on, as plain JSON values (no paths, no device)."""
        out = {"format": OUTPUT_FORMAT, "app_version": __version__, "engine": self.engine,
               "face": _plain(self.face_config())}
        if self.engine == MODEL:
            out.update(checkpoint_sha256=self.checkpoint_sha256, analysis=_plain(self.analysis_config()))
        else:
            out.update(motion=_plain(self.motion_config()))
            if self.spotter == "learned":
                path = default_spotter_path()
                out.update(learned_spotter_sha256=file_sha256(path) if path else None)
        return json.loads(json.dumps(out, sort_keys=True, default=str))

    @property
    def key(self) -> str:
        return hashlib.sha256(json.dumps(self.describe(), sort_keys=True).encode()).hexdigest()

    @property
    def label(self) -> str:
        if self.engine == MODEL:
            return f"checkpoint {Path(self.checkpoint).name} (sha256 {self.checkpoint_sha256[:12]}), mode {self.mode}"
        if self.spotter == "learned":
            return "the learned motion spotter (the default analysis; no --checkpoint given)"
        return "the training-free motion spotter (--spotter flow)"
