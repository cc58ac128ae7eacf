"""Analyse a video → propose intervals → name their emotions: the one recipe behind the app's suggestions.

`suggest_events` is what `tsfmicro analyze`, a batch job of `tsfmicro score`, the reviewer's analysis and spotter
workers and the held-out evaluation (`app.training.heldout`) run on a video:

- method "model": the TSFmicro analysis (`app.analysis.pipeline.analyse_video`) gives per-frame phase probabilities
  chunk by chunk; the proposal decoder (`app.analysis.proposals.propose_events`, with the checkpoint's own decoding
  settings) turns the whole video's curves into intervals; the checkpoint's pair classifier names each interval's
  emotion from its onset and apex frames, aligned again frame-exactly (`app.analysis.emotions`).
- method "learned" or "flow": a motion spotter (`app.analysis.motion_spotter.spot_video`) gives its per-frame curve
  and its intervals; the bundled model's pair classifier names their emotions where this installation has one
  (`name_with_bundled_model`).

What differs between the callers are parameters: where the per-chunk (model) or per-frame (spotter) results go
(`on_chunk`, `on_sample`: files, progress, signals), cancellation, preloaded face models, the face settings, and
whether emotions are named at all (batch scoring's spotter and the held-out baseline leave them "none").
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional, Union

import numpy as np

from app.analysis.config import AnalysisConfig
from app.analysis.emotions import FrameCrops, name_emotions, name_with_bundled_model
from app.analysis.motion_spotter import MotionConfig, MotionSample, SpotResult, spot_video
from app.analysis.proposals import propose_events
from app.core.events import Event
from app.face import FaceConfig, FacePipeline
from app.media import open_video
from model import PHASES

if TYPE_CHECKING:  # pragma: no cover  (these import torch)
    from app.analysis.pipeline import CancelToken, ChunkResult, FrameAnalyzer
    from app.analysis.predictor import Predictor

METHODS = ("model", "learned", "flow")


@dataclass(frozen=True)
class Suggestions:
    """What `suggest_events` found in a video of n frames."""

    events: list[Event]              # the suggested intervals, emotions named (unless `name=False`)
    fps: float                       # the frame rate the intervals were proposed at
    face_ok: np.ndarray              # (n,) bool: a usable face in that frame
    probs: Optional[np.ndarray] = None   # method model: (n, 4) phase probabilities over PHASES, NaN = not computed
    spot: Optional["SpotResult"] = None  # learned / flow: the spotter's per-frame result, its events = `events`
    cancelled: bool = False          # `cancel` was set: nothing was proposed or named (events empty)

    @property
    def n_frames(self) -> int:
        return len(self.face_ok)


def suggest_events(
    source: Union[str, os.PathLike, object],
    method: str = "model",
    *,
    fps: Optional[float] = None,
    predictor: Optional["Predictor"] = None,
    config: Union["AnalysisConfig", "MotionConfig", None] = None,
    analyzer: Optional["FrameAnalyzer"] = None,
    face_config: FaceConfig = FaceConfig(),
    face_pipeline: Optional["FacePipeline"] = None,
    video_name: Optional[str] = None,
    subject: Optional[str] = None,
    on_chunk: Optional[Callable[["ChunkResult"], None]] = None,
    on_sample: Optional[Callable[["MotionSample"], None]] = None,
    cancel: "CancelToken" = None,
    name: bool = True,
    device: str = "auto",
    threads: Optional[int] = None,
) -> Suggestions:
    """Suggested intervals of one video with their emotions (see the module docstring).

    source: an open `VideoSource`, or a path (opened with `fps` as a frame folder's rate, closed at the end).
    method: "model" (needs `predictor`; `config` an `AnalysisConfig`, default `AnalysisConfig()`; `analyzer` one made
      for it, to read its state afterwards), "learned" or "flow" (`config` a `MotionConfig` of that method, default
      `MotionConfig(method=method)`).
    fps: the frame rate intervals are proposed at and frames are aligned at for naming (default: the video's).
    face_config / face_pipeline: the face settings, and face models already loaded for this video's frame rate
      (the analysis pass only; naming aligns its few frames with `face_config`).
    video_name / subject: what the events name (default: the video's path and its file stem).
    on_chunk (model) / on_sample (spotters): called with each result as it is produced.
    cancel: a `threading.Event` or a no-argument callable; the model's analysis stops within one batch, and nothing
      is proposed or named once it is set.
    name: name the emotions (default); False leaves them "none".
    device / threads: where the bundled model names a spotter's emotions.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}: one of {', '.join(METHODS)}")
    if isinstance(source, (str, os.PathLike)):
        with open_video(source, fps=fps) as video:
            return suggest_events(video, method, fps=fps, predictor=predictor, config=config, analyzer=analyzer,
                                  face_config=face_config, face_pipeline=face_pipeline, video_name=video_name,
                                  subject=subject, on_chunk=on_chunk, on_sample=on_sample, cancel=cancel, name=name,
                                  device=device, threads=threads)
    info = source.probe()
    fps = info.fps if fps is None else fps
    if method == "model":
        return _suggest_with_model(source, fps, predictor, config, analyzer, face_config, face_pipeline,
                                   video_name if video_name is not None else str(info.path),
                                   subject if subject else (Path(str(info.path)).stem or "subject"),
                                   on_chunk, cancel, name)
    return _suggest_with_spotter(source, method, fps, config, face_config, face_pipeline, video_name, subject,
                                 on_sample, cancel, name, device, threads)


def _is_cancelled(cancel) -> bool:
    if cancel is None:
        return False
    from app.analysis.pipeline import cancel_predicate  # lazy: the pipeline imports torch; the spotters need none

    return cancel_predicate(cancel)()


def _suggest_with_model(source, fps: float, predictor, config, analyzer, face_config: FaceConfig, face_pipeline,
                        video_name: str, subject: str, on_chunk, cancel, name: bool) -> Suggestions:
    from app.analysis.pipeline import analyse_video  # lazy: the pipeline imports torch; the spotters need none

    if predictor is None:
        raise ValueError("method model needs a predictor")
    probs, face_ok = [], []
    for chunk in analyse_video(source, predictor, config if config is not None else AnalysisConfig(),
                               face_config=face_config, face_pipeline=face_pipeline, cancel=cancel,
                               analyzer=analyzer):
        if on_chunk is not None:
            on_chunk(chunk)
        probs.append(chunk.probs)
        face_ok.append(chunk.face_ok)
    curves = np.concatenate(probs) if probs else np.zeros((0, len(PHASES)), np.float32)
    face_ok = np.concatenate(face_ok) if face_ok else np.zeros(0, bool)
    if _is_cancelled(cancel):
        return Suggestions([], fps, face_ok, curves, cancelled=True)
    events = propose_events(curves, fps, video=video_name, subject=subject, config=predictor.proposal_config)
    if name:
        events = name_emotions(predictor, FrameCrops(source, face_config, fps), events)
    return Suggestions(events, fps, face_ok, curves)


def _suggest_with_spotter(source, method: str, fps: float, config, face_config: FaceConfig, face_pipeline,
                          video_name: Optional[str], subject: Optional[str], on_sample, cancel, name: bool,
                          device: str, threads: Optional[int]) -> Suggestions:
    config = config if config is not None else MotionConfig(method=method)
    if config.method != method:
        raise ValueError(f"method {method!r} with a MotionConfig of method {config.method!r}")
    result = spot_video(source, config, face_config=face_config, pipeline=face_pipeline, video_name=video_name,
                        subject=subject, on_sample=on_sample)
    if _is_cancelled(cancel):
        return Suggestions([], fps, result.face_ok, spot=result, cancelled=True)
    events = result.events
    if name:
        events = name_with_bundled_model(source, fps, events, device=device, threads=threads)
        result = replace(result, events=events)
    return Suggestions(list(events), fps, result.face_ok, spot=result)
