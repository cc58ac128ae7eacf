"""The analysis generator: frames → face → crops → (t − k, t) pairs → embeddings → spotting head → `ChunkResult`.

One chunk of `chunk_size` frames at a time, so a worker thread can stream results and stop between chunks:

    for chunk in analyse_video(source, predictor, AnalysisConfig.for_mode("fast"), cancel=event):
        curves[chunk.start:chunk.stop] = chunk.probs

What is held between chunks: the last k frames (crops and their cached work, `pairing.FrameRing`), the gate's few
floats and the spotting head's state (2·4·(32·32 + 1) numbers per ensemble member). Memory does not grow with video length; the
caller decides whether to keep the per-frame curves.

Per frame t of a chunk:
- face_found / face_ok from the face pipeline; probabilities are NaN where the face is not ok;
- the pair (r(t), t) is valid when both faces are ok; its motion score is NaN otherwise;
- `analysed` when the gate selects it (always, for a valid pair, in "full" mode); the model embeds only these;
- the spotting head steps over every frame, with valid = 0 where the frame was not analysed, so its
  probabilities there carry the state forward from analysed frames and are marked `analysed = False`.
"""

from __future__ import annotations

import dataclasses
import math
import threading
from dataclasses import dataclass
from itertools import islice
from typing import Callable, Iterable, Iterator, Optional, Sequence, Union

import numpy as np
import torch

from app.analysis.config import AnalysisConfig
from app.analysis.gating import Gate, motion_score, motion_thumbnail
from app.analysis.pairing import FrameEntry, FrameRing, PairingPolicy
from app.analysis.predictor import HeadState, Predictor
from app.analysis.registration import registration_thumb
from app.face import FaceConfig, FacePipeline, FaceResult

CancelToken = Union[Callable[[], bool], threading.Event, None]


@dataclass(frozen=True, eq=False)
class ChunkResult:
    """Frames [start, stop) of one chunk. Arrays have one row per frame (n = stop − start).

    probs (n, 4) float32 over (none, onset, apex, offset), NaN where the face is not ok; face_found, face_ok,
    analysed (n,) bool; motion (n,) float32 motion score of the pair (NaN without a valid pair); head_state the
    spotting head's state after frame stop − 1 (to store with partial results and resume; for an ensemble, one
    state per member).
    """

    start: int
    stop: int
    probs: np.ndarray
    face_found: np.ndarray
    face_ok: np.ndarray
    analysed: np.ndarray
    motion: np.ndarray
    head_state: HeadState

    @property
    def n_frames(self) -> int:
        return self.stop - self.start

    @property
    def n_analysed(self) -> int:
        return int(self.analysed.sum())


def cancel_predicate(cancel: CancelToken) -> Callable[[], bool]:
    """A `threading.Event`, a no-argument callable or None → a callable returning True once cancelled."""
    if cancel is None:
        return lambda: False
    if isinstance(cancel, threading.Event):
        return cancel.is_set
    if callable(cancel):
        return cancel
    raise TypeError(f"cancel must be a threading.Event, a callable or None, got {type(cancel).__name__}")


class ChunkCancelled(Exception):
    """The run was cancelled while a chunk was being analysed: that chunk is dropped (`analyse_results` ends)."""


class FrameAnalyzer:
    """Stateful chunk processor for one contiguous stream of face results at `fps`."""

    def __init__(self, predictor: Predictor, fps: float, config: AnalysisConfig = AnalysisConfig()) -> None:
        if not (math.isfinite(fps) and fps > 0):
            raise ValueError(f"fps must be positive, got {fps!r}; a frame folder needs an explicit frame rate")
        if predictor.head is None:
            raise ValueError(f"{predictor.source}: per-frame curves need a checkpoint with a spotting head")
        self.predictor = predictor
        self.fps = float(fps)
        self.config = config
        self.pairing = predictor.pairing if config.tau_s is None else dataclasses.replace(predictor.pairing, tau_s=config.tau_s)
        self.lag = self.pairing.lag(self.fps)
        self.ring = FrameRing(self.lag + config.chunk_size)
        self.gate = Gate(config.gating, self.fps)
        self.head_state: Optional[HeadState] = None
        self.first: Optional[int] = None
        self.cancelled: Callable[[], bool] = lambda: False  # checked between the model's batches inside a chunk

    def describe(self) -> dict:
        """Plain values for provenance."""
        return {
            "mode": self.config.mode,
            "pairing_policy": self.pairing.name,
            "tau_s": self.pairing.tau_s,
            "lag_frames": self.lag,
            "chunk_size": self.config.chunk_size,
            "gating": self.config.gating.describe(self.fps),
        }

    def _entry(self, result: FaceResult) -> FrameEntry:
        crop = result.crop if result.found else None
        ok = bool(result.ok and crop is not None)
        registers = ok and self.pairing.register != "none"
        return FrameEntry(result.index, crop, bool(result.found), ok, thumb=motion_thumbnail(crop) if ok else None,
                          reg_thumb=registration_thumb(crop) if registers else None)

    def _ensure_tensors(self, entries: Iterable[FrameEntry]) -> None:
        missing = list({id(e): e for e in entries if e.tensor is None}.values())
        if missing:
            tensors = self.predictor.preprocess([e.crop for e in missing])
            for entry, tensor in zip(missing, tensors):
                entry.tensor = tensor

    def _ensure_ref_features(self, refs: Iterable[FrameEntry]) -> None:
        missing = list({id(e): e for e in refs if e.ref_features is None}.values())
        if missing:
            features = self.predictor.reference_features(torch.stack([e.tensor for e in missing]))
            for entry, feature in zip(missing, features):
                entry.ref_features = feature

    def _current_tensors(self, refs: Sequence[FrameEntry], currents: Sequence[FrameEntry]) -> torch.Tensor:
        """The current frames' model inputs: each frame's own tensor, or with registration its crop registered onto
        its reference's (pair-specific, so not kept)."""
        if self.pairing.register == "none":
            self._ensure_tensors(currents)
            return torch.stack([c.tensor for c in currents])
        return self.predictor.preprocess([self.pairing.current_crop(r.crop, c.crop, r.reg_thumb, c.reg_thumb)
                                          for r, c in zip(refs, currents)])

    def _embed(self, pairs: Sequence[tuple[FrameEntry, FrameEntry]]) -> torch.Tensor:
        """(reference, current) entries → (len(pairs), E) embeddings, in groups of the predictor's batch size.
        A reference's tensor and features are released after use unless it is the stream's first frame, the
        shared reference of the first k frames."""
        out = []
        for i in range(0, len(pairs), self.predictor.batch_size):
            if self.cancelled():
                raise ChunkCancelled
            group = pairs[i : i + self.predictor.batch_size]
            refs, currents = [p[0] for p in group], [p[1] for p in group]
            self._ensure_tensors(refs)
            self._ensure_ref_features(refs)
            current = self._current_tensors(refs, currents)
            # features cached before an out-of-memory fallback to the CPU are still on the old device
            features = torch.stack([r.ref_features.to(self.predictor.device) for r in refs])
            out.append(self.predictor.embed_pairs(torch.stack([r.tensor for r in refs]), features, current))
            for ref in refs:
                if ref.index != self.first:
                    ref.tensor = ref.ref_features = None
        return torch.cat([embeddings.to(self.predictor.device) for embeddings in out])

    def process(self, results: Sequence[FaceResult]) -> ChunkResult:
        """One chunk of consecutive face results (at most `chunk_size`) → its ChunkResult."""
        n = len(results)
        if not 1 <= n <= self.config.chunk_size:
            raise ValueError(f"a chunk has 1..{self.config.chunk_size} frames, got {n}")
        entries = [self.ring.push(self._entry(result)) for result in results]
        if self.first is None:
            self.first = entries[0].index
        analysed = np.zeros(n, dtype=bool)
        motion = np.full(n, np.nan, dtype=np.float32)
        pairs = []
        for i, entry in enumerate(entries):
            ref = self.ring.get(PairingPolicy.reference(entry.index, self.lag, self.first))
            pair_ok = entry.ok and ref.ok
            score = motion_score(ref.thumb, entry.thumb) if pair_ok else math.nan
            motion[i] = score
            if self.gate.decide(entry.index, pair_ok, score):
                analysed[i] = True
                pairs.append((ref, entry))
        x = torch.zeros(n, self.predictor.embedding_dim)  # (n, E); zero rows where not analysed
        if pairs:
            embeddings = self._embed(pairs)
            x = x.to(embeddings.device)
            x[torch.from_numpy(np.flatnonzero(analysed)).to(x.device)] = embeddings
        probs, self.head_state = self.predictor.run_head(x, torch.from_numpy(analysed), self.fps, self.head_state)
        face_ok = np.array([e.ok for e in entries])
        probs[~face_ok] = np.nan
        self.ring.keep_last(self.lag)
        return ChunkResult(
            start=entries[0].index,
            stop=entries[-1].index + 1,
            probs=probs.astype(np.float32, copy=False),
            face_found=np.array([e.found for e in entries]),
            face_ok=face_ok,
            analysed=analysed,
            motion=motion,
            head_state=self.head_state,
        )


def analyse_results(
    results: Iterable[FaceResult],
    predictor: Predictor,
    fps: float,
    config: AnalysisConfig = AnalysisConfig(),
    cancel: CancelToken = None,
    analyzer: Optional[FrameAnalyzer] = None,
) -> Iterator[ChunkResult]:
    """Face results (consecutive indices) → ChunkResults. `cancel` is checked before each chunk is read and between
    the model's batches inside it, so a cancelled run stops within one batch of pairs (the chunk it was in is
    dropped). Pass an `analyzer` to inspect its state (tests, provenance)."""
    is_cancelled = cancel_predicate(cancel)
    analyzer = analyzer or FrameAnalyzer(predictor, fps, config)
    analyzer.cancelled = is_cancelled
    stream = iter(results)
    while not is_cancelled():
        batch = list(islice(stream, analyzer.config.chunk_size))
        if not batch:
            return
        try:
            chunk = analyzer.process(batch)
        except ChunkCancelled:
            return
        yield chunk


def analyse_video(
    source,
    predictor: Predictor,
    config: AnalysisConfig = AnalysisConfig(),
    *,
    face_config: FaceConfig = FaceConfig(),
    face_pipeline: Optional[FacePipeline] = None,
    start: int = 0,
    stop: Optional[int] = None,
    cancel: CancelToken = None,
    analyzer: Optional[FrameAnalyzer] = None,
) -> Iterator[ChunkResult]:
    """A `VideoSource` → ChunkResults for frames [start, stop): sequential decode, the face pipeline, analysis."""
    fps = source.probe().fps
    pipeline = face_pipeline or FacePipeline(face_config, fps)
    results = pipeline.run(source.iter_frames(start, stop))
    yield from analyse_results(results, predictor, fps, config, cancel, analyzer)
