"""Pairing policy: which earlier frame each analysed frame is paired with, and the ring
buffer that keeps those earlier frames across chunk boundaries.

For frame t the reference is r(t) = max(first, t − k) with k = max(1, ⌊τ·fps + 0.5⌋); `first` is the first
frame of the analysed stream (0 for a whole video). The pair (crop[r(t)], crop[t]) enters the model as
(onset, apex). Which frames are analysed at all (stride, motion gate) is decided in `gating.py`.

Registration (`register`): "none" (the paper: the two crops as aligned) or "flow" (the current crop warped onto
the reference crop by the residual head motion between them, `registration.py`), applied wherever a pair is
formed: training pairs, per-frame pairs, interval classification.

Checkpoints carry the policy in their contract's `pairing` section (`app.analysis.contract`); files of checkpoint
schema <= 2 held it as a JSON string, e.g. ``{"policy": "lag", "tau_s": 0.15, "embedding": "pre_logits",
"register": "flow"}``, where a missing "register" means "none" (checkpoints made before registration existed).
"""

from __future__ import annotations

import json
import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional

import numpy as np
import torch

from app.analysis.registration import register_crop

EMBEDDINGS = ("pre_logits", "fused_mean")
REGISTRATIONS = ("none", "flow")


@dataclass(frozen=True)
class PairingPolicy:
    """Lag pairing. `tau_s`: the lag in seconds (τ_k); `embedding`: which per-pair vector feeds the spotting
    head ("pre_logits", the classifier's pooled embedding, or "fused_mean", the mean of the fused map), or
    None to infer it from the head's input width; `register`: "none" or "flow" (see the module's docstring)."""

    tau_s: float = 0.15
    embedding: Optional[str] = None
    name: str = "lag"
    register: str = "none"

    def __post_init__(self) -> None:
        if not (isinstance(self.tau_s, (int, float)) and math.isfinite(self.tau_s) and self.tau_s > 0):
            raise ValueError(f"tau_s must be a positive number of seconds, got {self.tau_s!r}")
        if self.embedding is not None and self.embedding not in EMBEDDINGS:
            raise ValueError(f"embedding must be one of {EMBEDDINGS}, got {self.embedding!r}")
        if self.name != "lag":
            raise ValueError(f"unknown pairing policy {self.name!r}; this version knows 'lag'")
        if self.register not in REGISTRATIONS:
            raise ValueError(f"register must be one of {REGISTRATIONS}, got {self.register!r}")

    def lag(self, fps: float) -> int:
        """k = max(1, ⌊τ·fps + 0.5⌋): 5 at 30 fps, 4 at 29.97 fps, 30 at 200 fps."""
        if not (math.isfinite(fps) and fps > 0):
            raise ValueError(f"fps must be positive, got {fps!r}")
        return max(1, math.floor(self.tau_s * fps + 0.5))

    @staticmethod
    def reference(t: int, lag: int, first: int = 0) -> int:
        """r(t) = max(first, t − k)."""
        return max(first, t - lag)

    def current_crop(self, ref_crop: np.ndarray, cur_crop: np.ndarray, ref_thumb: Optional[np.ndarray] = None,
                     cur_thumb: Optional[np.ndarray] = None) -> np.ndarray:
        """The current (apex) crop as the model sees it beside `ref_crop`: registered onto it with
        `register = "flow"` (thumbnails from `registration.registration_thumb` may be passed), else unchanged."""
        if self.register == "none":
            return cur_crop
        return register_crop(ref_crop, cur_crop, ref_thumb, cur_thumb)

    def to_json(self) -> str:
        """The policy as one JSON object, as provenance records it (`Predictor.describe`'s "pairing_policy")."""
        data: dict[str, Any] = {"policy": self.name, "tau_s": self.tau_s}
        if self.embedding is not None:
            data["embedding"] = self.embedding
        if self.register != "none":
            data["register"] = self.register
        return json.dumps(data, sort_keys=True)


@dataclass(eq=False)
class FrameEntry:
    """One frame's state while it can still be a reference: the aligned crop (S, S, 3) uint8 or None, the face
    quality flag, and work done on it at most once — the motion thumbnail (see gating.py), the registration
    thumbnail, the preprocessed model input (3, S', S') and the reference-branch features (computed only when the
    frame is a reference)."""

    index: int
    crop: Optional[np.ndarray]
    found: bool
    ok: bool
    thumb: Optional[np.ndarray] = None
    reg_thumb: Optional[np.ndarray] = None  # registration thumbnail (made only when pairs are registered)
    tensor: Optional[torch.Tensor] = None
    ref_features: Optional[torch.Tensor] = field(default=None, repr=False)


class FrameRing:
    """The last frames of a contiguous stream, addressable by frame index.

    Holds at most `capacity` entries; the analysis keeps k + chunk_size while a chunk is processed and trims to
    the last k afterwards, so a reference t − k is always present and memory does not grow with video length.
    """

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be >= 1")
        self.capacity = capacity
        self._entries: deque[FrameEntry] = deque(maxlen=capacity)

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[FrameEntry]:
        return iter(self._entries)

    def push(self, entry: FrameEntry) -> FrameEntry:
        """Append the next frame; indices must be consecutive."""
        if self._entries and entry.index != self._entries[-1].index + 1:
            raise ValueError(f"frame {entry.index} does not follow frame {self._entries[-1].index}")
        self._entries.append(entry)
        return entry

    def get(self, index: int) -> FrameEntry:
        if not self._entries:
            raise KeyError(f"frame {index} is not in the ring (empty)")
        offset = index - self._entries[0].index
        if not 0 <= offset < len(self._entries):
            first, last = self._entries[0].index, self._entries[-1].index
            raise KeyError(f"frame {index} is not in the ring (holds {first}..{last})")
        return self._entries[offset]

    def keep_last(self, n: int) -> None:
        """Drop all but the newest `n` entries (and with them their crops, tensors and features)."""
        while len(self._entries) > max(0, n):
            self._entries.popleft()
