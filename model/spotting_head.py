"""The per-frame spotting head: causal retention over pair embeddings → phase probabilities.

This is the project's extension, not part of the paper. Per analysed frame t:

    x_t = LN(Linear_{E+1→D}([e_t·valid_t, valid_t]))
    L × { x += MSR(LN(x)); x += FFN(LN(x)) }        FFN: D → ffn_ratio·D → D, GELU
    p_t = softmax(Linear_{D→4}(LN(x_t)))            over PHASES = (none, onset, apex, offset)

Optional baseline (`baseline_s` > 0, this project's addition): each embedding enters as its deviation from a causal,
exponentially weighted mean of the video's earlier valid embeddings (time constant `baseline_s`; zero before the first
one). What is constant over a video — the face's identity, the camera, the lighting — then cancels, and the head reads
what changes. The mean is part of the streaming state, so every form gives the same result.

Retention decays are defined in seconds: γ_h = exp(−Δt/τ_h) with Δt = stride/fps the time between analysed
frames and τ_h log-spaced from `tau_min_s` to `tau_max_s`, so the same weights mean the same thing at any fps.
p_t depends only on frames ≤ t. No rotary position is applied (the decay encodes distance).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

import torch
import torch.nn.functional as F
from torch import nn

from .layers import init_weights
from .phases import PHASES
from .retention import DEFAULT_CHUNK_SIZE, MultiScaleRetention, RetentionForm, RetentionState


@dataclass(frozen=True)
class SpottingHeadCfg:
    embed_dim: int = 1024  # width of the pair embedding e_t (the classifier's pre-logits by default)
    dim: int = 128
    depth: int = 2
    num_heads: int = 4
    ffn_ratio: float = 2.0
    tau_min_s: float = 0.05
    tau_max_s: float = 1.0
    norm_eps: float = 1e-5
    chunk_size: int = DEFAULT_CHUNK_SIZE  # frames per block in the chunkwise form
    baseline_s: float = 0.0  # > 0: embeddings minus their causal running mean of this time constant (0 = off)

    def __post_init__(self) -> None:
        if self.baseline_s < 0:
            raise ValueError("baseline_s must be >= 0")
        if self.dim % self.num_heads:
            raise ValueError(f"dim {self.dim} does not split into {self.num_heads} heads")
        if not 0 < self.tau_min_s <= self.tau_max_s:
            raise ValueError("need 0 < tau_min_s <= tau_max_s")


def head_time_constants(cfg: SpottingHeadCfg) -> torch.Tensor:
    """τ_h in seconds, log-spaced from tau_min_s to tau_max_s. → (H,) float64."""
    log_tau = torch.linspace(math.log(cfg.tau_min_s), math.log(cfg.tau_max_s), cfg.num_heads, dtype=torch.float64)
    return log_tau.exp()


@dataclass(frozen=True)
class SpottingState:
    """Streaming state: one `RetentionState` per layer plus the number of analysed frames consumed so far.

    With the defaults this is 2 layers · 4 heads · (32·32 + 1) numbers per video, whatever its length.
    """

    layers: tuple[RetentionState, ...]
    frames_seen: int
    baseline: tuple[torch.Tensor, torch.Tensor] | None = None  # running mean (B, E) and its weight (B,)

    def to_dict(self) -> dict[str, Any]:
        """Plain tensors and ints, e.g. to store with partial results (loadable with weights_only=True)."""
        out = {
            "frames_seen": self.frames_seen,
            "kv": [layer.kv for layer in self.layers],
            "normaliser": [layer.normaliser for layer in self.layers],
        }
        if self.baseline is not None:
            out["baseline_mean"], out["baseline_weight"] = self.baseline
        return out

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> "SpottingState":
        layers = tuple(RetentionState(kv=kv, normaliser=n) for kv, n in zip(data["kv"], data["normaliser"]))
        baseline = (data["baseline_mean"], data["baseline_weight"]) if "baseline_mean" in data else None
        return SpottingState(layers=layers, frames_seen=int(data["frames_seen"]), baseline=baseline)


class RetentionLayer(nn.Module):
    """x += MSR(LN(x)); x += FFN(LN(x)). (B, T, D) → (B, T, D)."""

    def __init__(self, cfg: SpottingHeadCfg) -> None:
        super().__init__()
        hidden = int(cfg.ffn_ratio * cfg.dim)
        self.retention_norm = nn.LayerNorm(cfg.dim, eps=cfg.norm_eps)
        self.retention = MultiScaleRetention(cfg.dim, cfg.num_heads, cfg.norm_eps)
        self.ffn_norm = nn.LayerNorm(cfg.dim, eps=cfg.norm_eps)
        self.ffn = nn.Sequential(nn.Linear(cfg.dim, hidden), nn.GELU(), nn.Linear(hidden, cfg.dim))

    def forward(
        self, x: torch.Tensor, log_decay: torch.Tensor, state: RetentionState, form: RetentionForm, chunk_size: int
    ) -> tuple[torch.Tensor, RetentionState]:
        retained, state = self.retention(self.retention_norm(x), log_decay, state, form, chunk_size)
        x = x + retained
        return x + self.ffn(self.ffn_norm(x)), state


class SpottingHead(nn.Module):
    """Causal per-frame phase classifier over pair embeddings.

    Inputs: x (B, T, E) embeddings, valid (B, T) (bool or 0/1; invalid frames have their embedding zeroed),
    fps: analysed video's frame rate (float, or (B,) tensor), stride: every `stride`-th frame was analysed.

    - `forward(x, valid, fps)` → logits (B, T, 4), parallel form, for training.
    - `forward_parallel(x, valid, fps)` → probabilities (B, T, 4).
    - `forward_chunk(x, valid, fps, state)` → (probabilities (B, T, 4), new state); chunkwise form.
    - `step(x_t, valid_t, fps, state)` → (probabilities (B, 4), new state); recurrent form, x_t (B, E).
    """

    def __init__(self, cfg: SpottingHeadCfg = SpottingHeadCfg()) -> None:
        super().__init__()
        self.cfg = cfg
        self.input_proj = nn.Linear(cfg.embed_dim + 1, cfg.dim)
        self.input_norm = nn.LayerNorm(cfg.dim, eps=cfg.norm_eps)
        self.layers = nn.ModuleList(RetentionLayer(cfg) for _ in range(cfg.depth))
        self.final_norm = nn.LayerNorm(cfg.dim, eps=cfg.norm_eps)
        self.classifier = nn.Linear(cfg.dim, len(PHASES))
        self.register_buffer("inverse_tau", 1.0 / head_time_constants(cfg).float(), persistent=False)
        self.apply(init_weights)

    def log_decay(self, fps: float | torch.Tensor, batch: int, stride: int = 1) -> torch.Tensor:
        """log γ_h = −(stride / fps) / τ_h. → (B, H)."""
        fps = torch.as_tensor(fps, dtype=self.inverse_tau.dtype, device=self.inverse_tau.device)
        if torch.any(fps <= 0):
            raise ValueError("fps must be positive")
        frame_step_s = (stride / fps).reshape(-1, 1).expand(batch, 1)
        return -frame_step_s * self.inverse_tau

    def initial_state(self, batch: int, dtype: torch.dtype | None = None, device: Any = None) -> SpottingState:
        dtype = dtype or self.classifier.weight.dtype
        device = device or self.classifier.weight.device
        layers = tuple(layer.retention.initial_state(batch, dtype, device) for layer in self.layers)
        baseline = None
        if self.cfg.baseline_s > 0:
            baseline = (torch.zeros(batch, self.cfg.embed_dim, dtype=dtype, device=device),
                        torch.zeros(batch, dtype=dtype, device=device))
        return SpottingState(layers=layers, frames_seen=0, baseline=baseline)

    def centre(self, x: torch.Tensor, valid: torch.Tensor, fps: float | torch.Tensor,
               baseline: tuple[torch.Tensor, torch.Tensor], stride: int = 1):
        """x_t − m_{t−1} (0 while no valid frame was seen), m the exponentially weighted mean of valid x with time
        constant `baseline_s`. x (B, T, E), valid (B, T) float → (centred x, new (mean, weight))."""
        fps = torch.as_tensor(fps, dtype=x.dtype, device=x.device).reshape(-1, 1).expand(x.shape[0], 1)
        beta = torch.exp(-(stride / fps) / self.cfg.baseline_s)  # (B, 1) decay per analysed frame
        mean, weight = baseline
        out = torch.empty_like(x)
        for t in range(x.shape[1]):
            v = valid[:, t, None]
            out[:, t] = torch.where(weight[:, None] > 0, x[:, t] - mean, torch.zeros_like(mean)) * v
            weight = beta[:, 0] * weight + v[:, 0]
            mean = mean + v * (x[:, t] - mean) / weight.clamp(min=1e-12)[:, None]
        return out, (mean, weight)

    def run(
        self,
        x: torch.Tensor,
        valid: torch.Tensor,
        fps: float | torch.Tensor,
        state: SpottingState | None = None,
        form: RetentionForm = RetentionForm.PARALLEL,
        stride: int = 1,
    ) -> tuple[torch.Tensor, SpottingState]:
        """The whole head in any retention form: x (B, T, E), valid (B, T) → logits (B, T, 4), state."""
        batch, length, _ = x.shape
        if state is None:
            state = self.initial_state(batch, x.dtype, x.device)
        baseline = state.baseline
        if self.cfg.baseline_s > 0:
            if baseline is None:
                baseline = self.initial_state(batch, x.dtype, x.device).baseline
            x, baseline = self.centre(x, valid.to(x.dtype), fps, baseline, stride)
        valid = valid.to(x.dtype)[..., None]
        h = self.input_norm(self.input_proj(torch.cat((x * valid, valid), dim=-1)))
        log_decay = self.log_decay(fps, batch, stride).to(x.dtype)
        new_layer_states = []
        for layer, layer_state in zip(self.layers, state.layers):
            h, layer_state = layer(h, log_decay, layer_state, form, self.cfg.chunk_size)
            new_layer_states.append(layer_state)
        logits = self.classifier(self.final_norm(h))
        return logits, SpottingState(layers=tuple(new_layer_states), frames_seen=state.frames_seen + length,
                                     baseline=baseline)

    def forward(self, x: torch.Tensor, valid: torch.Tensor, fps: float | torch.Tensor, stride: int = 1) -> torch.Tensor:
        return self.run(x, valid, fps, stride=stride)[0]

    def forward_parallel(
        self, x: torch.Tensor, valid: torch.Tensor, fps: float | torch.Tensor, stride: int = 1
    ) -> torch.Tensor:
        return F.softmax(self.forward(x, valid, fps, stride), dim=-1)

    def forward_chunk(
        self,
        x: torch.Tensor,
        valid: torch.Tensor,
        fps: float | torch.Tensor,
        state: SpottingState | None = None,
        stride: int = 1,
    ) -> tuple[torch.Tensor, SpottingState]:
        logits, state = self.run(x, valid, fps, state, RetentionForm.CHUNKWISE, stride)
        return F.softmax(logits, dim=-1), state

    def step(
        self,
        x: torch.Tensor,
        valid: torch.Tensor,
        fps: float | torch.Tensor,
        state: SpottingState | None = None,
        stride: int = 1,
    ) -> tuple[torch.Tensor, SpottingState]:
        """x (B, E), valid (B,) → probabilities (B, 4), state."""
        logits, state = self.run(x[:, None], valid[:, None], fps, state, RetentionForm.RECURRENT, stride)
        return F.softmax(logits[:, 0], dim=-1), state
