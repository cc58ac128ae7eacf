"""Motion pairs: (t − k, t) pairs of the training videos labelled with the phase of frame t, so that the pair
classifier's embedding learns to tell expression motion from no motion, blinks, talking and lighting changes
(`tsfmicro train --motion-pairs N`; this project's addition: the backbone also learns from pairs without an
expression, sampled outside the labelled intervals).

Without them, the classifier only ever sees (onset, apex) pairs that contain an expression, while the spotting head
reads its embedding of every (t − k, t) pair of a video, most of which contain none. With them, each batch of
labelled intervals comes with a batch of motion pairs; a linear phase head on the pre-logits embedding (training
only, not stored in the checkpoint) classifies those into {none, onset, apex, offset}; the two cross-entropies add
(the phase loss class-weighted, as the spotting head's).

Which frames t, per video (seeded, pairs formed exactly as the analysis forms them: `PairingPolicy`):
- at most `per_event` frames of each accepted event with an onset, apex or offset phase (`spotting.phase_targets`),
  spread evenly over the event;
- as many frames of phase none, drawn at random;
- never the k frames just after an event: their pair still spans the event's end, so the pair alone cannot tell;
  never the first k frames of a video (no reference t − k yet); never frames of unreviewed (suggested) events.
Pairs whose two frames do not both have an ok face are left out.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import numpy as np
import torch
from torch import nn

from app.analysis.pairing import PairingPolicy
from app.face import FaceConfig
from app.training.crops import VideoCrops
from app.training.samples import TrainingData
from app.training.spotting import IGNORE, NONE, phase_targets, phase_weights
from model import PHASES, PreprocessCfg, TSFmicro, preprocess_crops

Log = Callable[[str], None]


@dataclass(frozen=True, eq=False)
class MotionPairs:
    """N pairs as model inputs (float16 to halve the memory; cast back per batch) with their phase."""

    onset: torch.Tensor  # (N, 3, S, S) float16
    apex: torch.Tensor  # (N, 3, S, S) float16, registered onto onset when the pairing policy says so
    phase: torch.Tensor  # (N,) int64 over model.PHASES
    subjects: tuple[str, ...]  # (N,)

    def __len__(self) -> int:
        return len(self.phase)

    def indices_of(self, subjects: set[str]) -> list[int]:
        return [i for i, s in enumerate(self.subjects) if s in subjects]

    def class_weights(self, indices: Sequence[int]) -> torch.Tensor:
        """Inverse-frequency weights over the phases of the pairs `indices` (`spotting.phase_weights`)."""
        return phase_weights(torch.bincount(self.phase[list(indices)], minlength=len(PHASES)))

    def describe(self) -> str:
        counts = torch.bincount(self.phase, minlength=len(PHASES)).tolist()
        return f"{len(self)} motion pairs (" + ", ".join(f"{n} {name}" for name, n in zip(PHASES, counts)) + ")"


def choose_frames(target: np.ndarray, events, per_event: int, lag: int, rng: np.random.Generator) -> np.ndarray:
    """Sorted frame indices of one video to pair (see the module's docstring). `target` from `phase_targets`."""
    n = len(target)
    usable = target.copy()
    usable[:lag] = IGNORE
    for event in events:
        after = slice(event.offset_frame + 1, min(n, event.offset_frame + 1 + lag))
        usable[after] = np.where(usable[after] == NONE, IGNORE, usable[after])
    active = []
    for event in events:
        frames = np.arange(max(0, event.onset_frame), min(n, event.offset_frame + 1))
        frames = frames[(usable[frames] != NONE) & (usable[frames] != IGNORE)]
        if len(frames) > per_event:
            frames = frames[np.unique(np.round(np.linspace(0, len(frames) - 1, per_event)).astype(int))]
        active.extend(frames.tolist())
    neutral = np.flatnonzero(usable == NONE)
    neutral = rng.choice(neutral, size=min(len(neutral), len(active)), replace=False) if len(neutral) else neutral
    return np.unique(np.concatenate([np.asarray(active, dtype=np.int64), neutral.astype(np.int64)]))


def build_motion_pairs(
    data: TrainingData,
    preprocess: PreprocessCfg,
    pairing: PairingPolicy,
    *,
    per_event: int,
    seed: int,
    half_width_s: float = 0.02,
    face_config: FaceConfig = FaceConfig(),
    cache_dir: Optional[str | os.PathLike] = None,
    log: Log = lambda message: None,
) -> MotionPairs:
    """Motion pairs of every video of `data` (one sequential decode each; face tracks from the cache), paired and
    registered by `pairing`."""
    if per_event < 1:
        raise ValueError(f"per_event must be >= 1, got {per_event}")
    events, unreviewed = defaultdict(list), defaultdict(list)
    for event in data.events:
        events[event.video].append(event)
    for event in data.unreviewed:
        unreviewed[event.video].append(event)
    onsets, apexes, phases, subjects = [], [], [], []
    rng = np.random.default_rng(seed)
    for video in sorted(events):
        fps = events[video][0].fps
        lag = pairing.lag(fps)
        with VideoCrops(data.videos[video], fps, face_config, cache_dir) as crops:
            target = phase_targets(crops.n_frames, events[video], fps, half_width_s, unreviewed[video])
            wanted = set(choose_frames(target, events[video], per_event, lag, rng).tolist())
            ring: dict[int, Optional[np.ndarray]] = {}
            pairs = []
            for index, crop, ok in crops.iter_crops():
                if index >= crops.n_frames:
                    break
                ring[index] = crop if ok else None
                ring.pop(index - lag - 1, None)
                ref = ring.get(index - lag)
                if index in wanted and ring[index] is not None and ref is not None:
                    pairs.append((ref, pairing.current_crop(ref, ring[index]), int(target[index])))
        if pairs:
            onsets.append(preprocess_crops([p[0] for p in pairs], preprocess).half())
            apexes.append(preprocess_crops([p[1] for p in pairs], preprocess).half())
            phases.extend(p[2] for p in pairs)
            subjects.extend([events[video][0].subject] * len(pairs))
    if not phases:
        raise ValueError(f"{data.csv_path}: no motion pairs (no frame with a face at t and t − k)")
    pairs = MotionPairs(torch.cat(onsets), torch.cat(apexes), torch.tensor(phases, dtype=torch.long), tuple(subjects))
    log(f"{pairs.describe()} from {len(events)} video(s), at most {per_event} frame(s) per event")
    return pairs


class WithPhaseHead(nn.Module):
    """The pair classifier plus a linear phase head on its pre-logits embedding, for training with motion pairs.

    `forward(onset, apex, n_labelled)` runs the backbone once on the whole batch: its first `n_labelled` rows are
    labelled intervals (→ class logits), the rest motion pairs (→ phase logits). Only `model` is kept afterwards."""

    def __init__(self, model: TSFmicro) -> None:
        super().__init__()
        self.model = model
        self.phase = nn.Linear(model.embedding_dim(), len(PHASES))
        nn.init.trunc_normal_(self.phase.weight, std=0.02)
        nn.init.zeros_(self.phase.bias)

    def forward(self, onset: torch.Tensor, apex: torch.Tensor, n_labelled: int) -> tuple[torch.Tensor, torch.Tensor]:
        embedding = self.model.forward_head(self.model.forward_features(onset, apex), pre_logits=True)
        return self.model.head.classifier(embedding[:n_labelled]), self.phase(embedding[n_labelled:])
