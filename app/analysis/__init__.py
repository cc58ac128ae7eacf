"""Qt-free analysis: inference engine, spotting post-processing (proposals) and evaluation metrics.

The inference engine: aligned face crops → (t − k, t) pairs → TSFmicro embeddings → spotting head → per-frame
phase probabilities, chunk by chunk with constant memory (docs/analysis.md).

Typical use::

    from app.analysis import AnalysisConfig, Predictor, analyse_video
    predictor = Predictor.load("model.pt", device=None, threads=2)      # CUDA, then MPS, then CPU
    with open_video("interview.mp4") as source:
        for chunk in analyse_video(source, predictor, AnalysisConfig.for_mode("fast"), cancel=event):
            ...  # chunk.probs (n, 4), chunk.analysed (n,), chunk.face_ok (n,)
    predictor.classify_interval(onset_crop, apex_crop)                  # {class name: probability}

Engine modules: pairing (lag policy, ring buffer), gating (stride, motion gate, budget), config (modes), device,
predictor, pipeline, frames_csv. The names below are the engine's; they are imported on first use (torch loads only
then). Other modules of this package (proposals, evaluate, motion_spotter, flow_regions) are imported directly.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Exported names → the submodule defining them. Imported on first use, so that building the command-line parser
# (which reads MODES and DEVICE_CHOICES) does not import torch.
_EXPORTS = {
    "DEFAULT_MODE": "config", "MODES": "config", "AnalysisConfig": "config",
    "DEVICE_CHOICES": "device", "DeviceError": "device", "default_threads": "device", "select_device": "device",
    "set_threads": "device",
    "FRAME_COLUMNS": "frames_csv", "FRAMES_CSV_COLUMNS": "frames_csv", "FramesCsvWriter": "frames_csv",
    "MOTION_COLUMNS": "frames_csv", "PerFrameCsvWriter": "frames_csv", "write_motion_csv": "frames_csv",
    "Gate": "gating", "GatingPolicy": "gating", "motion_score": "gating", "motion_thumbnail": "gating",
    "FrameEntry": "pairing", "FrameRing": "pairing", "PairingPolicy": "pairing",
    "ChunkResult": "pipeline", "FrameAnalyzer": "pipeline", "analyse_results": "pipeline", "analyse_video": "pipeline",
    "cancel_predicate": "pipeline",
    "DeviceFallbackWarning": "predictor", "Predictor": "predictor",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'app.analysis' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"app.analysis.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:  # pragma: no cover
    from app.analysis.config import DEFAULT_MODE, MODES, AnalysisConfig
    from app.analysis.device import DEVICE_CHOICES, DeviceError, default_threads, select_device, set_threads
    from app.analysis.frames_csv import (FRAME_COLUMNS, FRAMES_CSV_COLUMNS, MOTION_COLUMNS, FramesCsvWriter,
                                         PerFrameCsvWriter, write_motion_csv)
    from app.analysis.gating import Gate, GatingPolicy, motion_score, motion_thumbnail
    from app.analysis.pairing import FrameEntry, FrameRing, PairingPolicy
    from app.analysis.pipeline import ChunkResult, FrameAnalyzer, analyse_results, analyse_video, cancel_predicate
    from app.analysis.predictor import DeviceFallbackWarning, Predictor
