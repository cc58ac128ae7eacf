"""Causal 1-D multi-scale retention (RetNet-style) for the per-frame spotting head.

Not part of the paper. Per head h, with decay γ_h = exp(log_decay_h):

    o_t = (Σ_{s ≤ t} γ^(t−s) (q_t·k_s) v_s) / √c_t,   c_t = Σ_{s ≤ t} γ^(t−s)

evaluated in three forms that are equal in exact arithmetic:

- parallel: one masked decay matrix over the whole input;
- recurrent: S_t = γ S_{t−1} + k_tᵀ v_t, c_t = γ c_{t−1} + 1, o_t = q_t S_t / √c_t;
- chunkwise: the parallel form inside fixed-size chunks, the recurrent state carried between them.

Every kernel is a pure function `(q, k, v, log_decay, state) → (out, state)`; the state is an immutable
`RetentionState`, so any prefix of a sequence can be resumed from the state it returned.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

DEFAULT_CHUNK_SIZE = 64


class RetentionForm(str, enum.Enum):
    PARALLEL = "parallel"
    RECURRENT = "recurrent"
    CHUNKWISE = "chunkwise"


@dataclass(frozen=True)
class RetentionState:
    """What a retention layer remembers of all frames so far.

    kv: (B, H, d_k, d_v), the decayed sum of k_sᵀ v_s. normaliser: (B, H), the decayed frame count c.
    """

    kv: torch.Tensor
    normaliser: torch.Tensor

    @staticmethod
    def zeros(
        batch: int, heads: int, key_dim: int, value_dim: int, dtype: torch.dtype, device: torch.device | str
    ) -> "RetentionState":
        return RetentionState(
            kv=torch.zeros(batch, heads, key_dim, value_dim, dtype=dtype, device=device),
            normaliser=torch.zeros(batch, heads, dtype=dtype, device=device),
        )


def causal_decay_matrix(log_decay: torch.Tensor, length: int) -> torch.Tensor:
    """γ^(t−s) where s ≤ t, else 0. Exponentiated only on the causal side, so it never overflows.

    log_decay: (B, H) → (B, H, T, T).
    """
    index = torch.arange(length, device=log_decay.device)
    lag = (index[:, None] - index[None, :]).to(log_decay.dtype)
    exponent = lag * log_decay[..., None, None]
    return torch.exp(exponent.masked_fill(lag < 0, float("-inf")))


def retention_parallel(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, log_decay: torch.Tensor, state: RetentionState
) -> tuple[torch.Tensor, RetentionState]:
    """All T frames at once, continuing from `state`.

    q, k: (B, H, T, d_k); v: (B, H, T, d_v); log_decay: (B, H). → out (B, H, T, d_v), state after frame T−1.
    """
    length = q.shape[-2]
    if length == 0:
        return v.new_empty(v.shape), state
    decay = causal_decay_matrix(log_decay, length)  # (B, H, T, T)
    within = ((q @ k.transpose(-1, -2)) * decay) @ v
    index = torch.arange(length, device=q.device, dtype=q.dtype)
    since_state = torch.exp((index + 1) * log_decay[..., None])  # γ^(t+1): (B, H, T)
    from_state = (q @ state.kv) * since_state[..., None]
    normaliser = since_state * state.normaliser[..., None] + decay.sum(-1)  # c_t: (B, H, T)
    out = (within + from_state) / normaliser.sqrt()[..., None]
    to_end = torch.exp((length - 1 - index) * log_decay[..., None])  # γ^(T−1−s): (B, H, T)
    kv = since_state[..., -1, None, None] * state.kv + (k * to_end[..., None]).transpose(-1, -2) @ v
    return out, RetentionState(kv=kv, normaliser=normaliser[..., -1])


def retention_step(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, log_decay: torch.Tensor, state: RetentionState
) -> tuple[torch.Tensor, RetentionState]:
    """One frame of the recurrent form. q, k: (B, H, d_k); v: (B, H, d_v); log_decay: (B, H). → (B, H, d_v)."""
    gamma = torch.exp(log_decay)
    kv = gamma[..., None, None] * state.kv + k[..., :, None] * v[..., None, :]
    normaliser = gamma * state.normaliser + 1.0
    out = (q[..., None, :] @ kv)[..., 0, :] / normaliser.sqrt()[..., None]
    return out, RetentionState(kv=kv, normaliser=normaliser)


def retention_recurrent(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, log_decay: torch.Tensor, state: RetentionState
) -> tuple[torch.Tensor, RetentionState]:
    """`retention_step` over every frame; same shapes as `retention_parallel`."""
    outputs = []
    for t in range(q.shape[-2]):
        out, state = retention_step(q[..., t, :], k[..., t, :], v[..., t, :], log_decay, state)
        outputs.append(out)
    if not outputs:
        return v.new_empty(v.shape), state
    return torch.stack(outputs, dim=-2), state


def retention_chunkwise(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    log_decay: torch.Tensor,
    state: RetentionState,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> tuple[torch.Tensor, RetentionState]:
    """The parallel form on consecutive chunks of `chunk_size` frames, carrying the state between them."""
    outputs = []
    for start in range(0, q.shape[-2], chunk_size):
        piece = slice(start, start + chunk_size)
        out, state = retention_parallel(q[..., piece, :], k[..., piece, :], v[..., piece, :], log_decay, state)
        outputs.append(out)
    if not outputs:
        return v.new_empty(v.shape), state
    return torch.cat(outputs, dim=-2), state


RetentionKernel = Callable[..., tuple[torch.Tensor, RetentionState]]

RETENTION_KERNELS: dict[RetentionForm, RetentionKernel] = {
    RetentionForm.PARALLEL: retention_parallel,
    RetentionForm.RECURRENT: retention_recurrent,
    RetentionForm.CHUNKWISE: retention_chunkwise,
}


class MultiScaleRetention(nn.Module):
    """Gated multi-scale retention: y = W_O(swish(W_G x) ⊙ GroupNorm_H(retention(x))).

    Projections have no bias (as in torchscale). The per-head norm is **non-affine**: a layer norm over each
    head's d_v channels with no learned scale or shift (W_O follows it). x: (B, T, D) → y (B, T, D).
    """

    def __init__(self, dim: int, num_heads: int, norm_eps: float = 1e-5) -> None:
        super().__init__()
        if dim % num_heads:
            raise ValueError(f"dim {dim} does not split into {num_heads} heads")
        self.num_heads = num_heads
        self.head_dim = dim // num_heads
        self.norm_eps = norm_eps
        self.q_proj = nn.Linear(dim, dim, bias=False)
        self.k_proj = nn.Linear(dim, dim, bias=False)
        self.v_proj = nn.Linear(dim, dim, bias=False)
        self.g_proj = nn.Linear(dim, dim, bias=False)
        self.out_proj = nn.Linear(dim, dim, bias=False)

    def initial_state(self, batch: int, dtype: torch.dtype, device: torch.device | str) -> RetentionState:
        return RetentionState.zeros(batch, self.num_heads, self.head_dim, self.head_dim, dtype, device)

    def _split_heads(self, x: torch.Tensor) -> torch.Tensor:
        """(B, T, H·d) → (B, H, T, d)."""
        return x.unflatten(-1, (self.num_heads, self.head_dim)).transpose(1, 2)

    def retain(
        self,
        x: torch.Tensor,
        log_decay: torch.Tensor,
        state: RetentionState,
        form: RetentionForm = RetentionForm.PARALLEL,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> tuple[torch.Tensor, RetentionState]:
        """Retention before the per-head norm: x (B, T, D), log_decay (B, H) → o (B, H, T, d_v), state."""
        q = self._split_heads(self.q_proj(x))
        k = self._split_heads(self.k_proj(x)) * self.head_dim**-0.5
        v = self._split_heads(self.v_proj(x))
        kernel = RETENTION_KERNELS[RetentionForm(form)]
        extra = {"chunk_size": chunk_size} if RetentionForm(form) is RetentionForm.CHUNKWISE else {}
        return kernel(q, k, v, log_decay, state, **extra)

    def forward(
        self,
        x: torch.Tensor,
        log_decay: torch.Tensor,
        state: RetentionState,
        form: RetentionForm = RetentionForm.PARALLEL,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> tuple[torch.Tensor, RetentionState]:
        o, state = self.retain(x, log_decay, state, form, chunk_size)
        o = F.layer_norm(o, (self.head_dim,), eps=self.norm_eps).transpose(1, 2).flatten(-2)  # (B, T, D)
        return self.out_proj(F.silu(self.g_proj(x)) * o), state
