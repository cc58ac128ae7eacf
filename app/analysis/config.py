"""Analysis modes and the frozen configuration of one analysis run.

- ``fast`` (default): the model runs on a fraction of the frames, chosen by a stride (about 15 candidate
  frames a second), a motion gate, a keep-alive at least every 0.25 s and a budget of 6 pairs per second of
  video (bursts of up to 1 s at that rate). Every other frame enters the spotting head as "not analysed"
  (valid = 0) and is marked `analysed = 0` in the output. Real time on a 2-core CPU; see docs/analysis.md for
  what it can miss.
- ``full``: every frame whose pair has a good face is analysed (stride 1, no gate, no budget). About 9 frames
  a second with the full model on a 2-core CPU.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Optional

from app.analysis.gating import GatingPolicy

MODES = ("fast", "full")
DEFAULT_MODE = "fast"
DEFAULT_CHUNK_SIZE = 64

MODE_GATING = {
    "fast": GatingPolicy(stride=None, stride_hz=15.0, motion_gate=True, gate_z=1.0, baseline_s=2.0, max_gap_s=0.25,
                         budget_pairs_per_s=6.0, burst_s=1.0),
    "full": GatingPolicy(stride=1, motion_gate=False, budget_pairs_per_s=None),
}


@dataclass(frozen=True)
class AnalysisConfig:
    """`mode` names the preset behind `gating`; `tau_s` overrides the checkpoint's pairing lag (seconds);
    `chunk_size` frames are processed (and yielded) at a time."""

    mode: str = DEFAULT_MODE
    gating: GatingPolicy = field(default_factory=lambda: MODE_GATING[DEFAULT_MODE])
    chunk_size: int = DEFAULT_CHUNK_SIZE
    tau_s: Optional[float] = None

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {self.mode!r}")
        if isinstance(self.chunk_size, bool) or not isinstance(self.chunk_size, int) or self.chunk_size < 1:
            raise ValueError(f"chunk_size must be an integer >= 1, got {self.chunk_size!r}")

    @classmethod
    def for_mode(cls, mode: str = DEFAULT_MODE, *, stride: Optional[int] = None,
                 chunk_size: int = DEFAULT_CHUNK_SIZE, tau_s: Optional[float] = None) -> "AnalysisConfig":
        """The preset of `mode`, with its stride replaced when `stride` is given."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        gating = MODE_GATING[mode]
        if stride is not None:
            gating = dataclasses.replace(gating, stride=stride)
        return cls(mode=mode, gating=gating, chunk_size=chunk_size, tau_s=tau_s)
