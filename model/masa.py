"""Manhattan self-attention (MaSA), the temporal branch's "vision retention" (RMT's, as the reference uses it).

Softmax attention with an additive bias log γ_n·(Manhattan distance) per head, a rotary angle shift on q and k
indexed by the *flattened* token index p = y·W + x, and a LePE depthwise conv on v. Two evaluation modes:
`MaSAMode.FULL` (one softmax over the H·W grid) and `MaSAMode.AXIAL` (a softmax along W, then one along H).
There is no recurrent form: this is not language-model retention.
"""

from __future__ import annotations

import torch
from torch import nn

from .config import MaSAMode
from .layers import ChannelsLastDepthwiseConv, softmax_attention

LEPE_KERNEL = 5


# ---------------------------------------------------------------------------------------------------------------
# Geometry: pure functions


def head_log_decays(num_heads: int, decay_init: float, decay_range: float) -> torch.Tensor:
    """log γ_n with γ_n = 1 − 2^(−init − range·n/N), n = 0..N−1. → (N,) float32.

    Evaluated in float32, as the reference does, so converted upstream buffers compare bit for bit.
    """
    n = torch.arange(num_heads, dtype=torch.float32)
    return torch.log(1.0 - 2.0 ** (-decay_init - decay_range * n / num_heads))


def rotary_frequencies(head_dim: int) -> torch.Tensor:
    """θ_m = 10000^(−e_m), e_m running linearly from 0 to 1 over m = 0..d_h/2−1. → (d_h/2,) float32.

    Evaluated in float32 like the reference: phases p·θ_m reach ~1e4 rad, so a one-ulp difference in θ_m
    would shift the rotation measurably.
    """
    exponents = torch.linspace(0.0, 1.0, head_dim // 2, dtype=torch.float32)
    return 1.0 / 10000.0**exponents


def rotary_sin_cos(height: int, width: int, frequencies: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """sin and cos of φ = p·θ_m for every grid position, p = y·W + x the flattened index. → two (H, W, d_h/2)."""
    index = torch.arange(height * width, dtype=frequencies.dtype, device=frequencies.device)
    phase = (index[:, None] * frequencies[None, :]).reshape(height, width, -1)
    return torch.sin(phase), torch.cos(phase)


def rotate_pairs(x: torch.Tensor, sin: torch.Tensor, cos: torch.Tensor) -> torch.Tensor:
    """Rotate channel pairs (2m, 2m+1) = (a, b) to (a·cos φ − b·sin φ, b·cos φ + a·sin φ).

    x: (..., d) with d even; sin, cos: broadcastable to (..., d/2). → (..., d).
    """
    pairs = x.unflatten(-1, (-1, 2))
    a, b = pairs[..., 0], pairs[..., 1]
    return torch.stack((a * cos - b * sin, b * cos + a * sin), dim=-1).flatten(-2)


def manhattan_distance(height: int, width: int, device: torch.device | None = None) -> torch.Tensor:
    """|y_i − y_j| + |x_i − x_j| between all tokens of an H×W grid, flattened row-major. → (H·W, H·W)."""
    ys, xs = torch.meshgrid(
        torch.arange(height, device=device), torch.arange(width, device=device), indexing="ij"
    )
    coords = torch.stack((ys.flatten(), xs.flatten()), dim=-1)
    return (coords[:, None, :] - coords[None, :, :]).abs().sum(-1)


def line_distance(length: int, device: torch.device | None = None) -> torch.Tensor:
    """|i − j| on a line. → (L, L)."""
    index = torch.arange(length, device=device)
    return (index[:, None] - index[None, :]).abs()


def full_decay_bias(log_decay: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """log γ_n · Manhattan distance, added to the logits. log_decay: (N,) → (N, H·W, H·W)."""
    distance = manhattan_distance(height, width, log_decay.device).to(log_decay.dtype)
    return log_decay[:, None, None] * distance


def axial_decay_bias(log_decay: torch.Tensor, length: int) -> torch.Tensor:
    """log γ_n · |i − j| along one axis (axial mode). log_decay: (N,) → (N, L, L)."""
    return log_decay[:, None, None] * line_distance(length, log_decay.device).to(log_decay.dtype)


# ---------------------------------------------------------------------------------------------------------------
# Attention kernels: pure functions on (B, N, H, W, d) tensors, heads batched


def full_masa(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """softmax over all H·W keys. q, k, v: (B, N, H, W, d); bias: (N, H·W, H·W). → (B, N, H, W, d)."""
    b, n, h, w, _ = q.shape
    out = softmax_attention(q.flatten(2, 3), k.flatten(2, 3), v.flatten(2, 3), bias)
    return out.unflatten(2, (h, w))


def axial_masa(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, bias_h: torch.Tensor, bias_w: torch.Tensor
) -> torch.Tensor:
    """A softmax along W for every row, then along H for every column, with the same q and k.

    q, k, v: (B, N, H, W, d); bias_h: (N, H, H); bias_w: (N, W, W). → (B, N, H, W, d).
    """
    along_w = softmax_attention(q, k, v, bias_w[:, None])  # rows: (B, N, H, W, d)
    q_t, k_t, u_t = (t.transpose(2, 3) for t in (q, k, along_w))  # (B, N, W, H, d)
    return softmax_attention(q_t, k_t, u_t, bias_h[:, None]).transpose(2, 3)


# ---------------------------------------------------------------------------------------------------------------
# Modules


class ManhattanGeometry(nn.Module):
    """Per-stage decay and rotary geometry, shared by the stage's blocks (upstream `Relpos`).

    Buffers are deterministic functions of the config and are not saved in state dicts.
    """

    def __init__(self, num_heads: int, head_dim: int, decay_init: float, decay_range: float) -> None:
        super().__init__()
        self.register_buffer("log_decay", head_log_decays(num_heads, decay_init, decay_range), persistent=False)
        self.register_buffer("frequencies", rotary_frequencies(head_dim), persistent=False)

    def rotary(self, height: int, width: int) -> tuple[torch.Tensor, torch.Tensor]:
        """(sin, cos), each (H, W, d_h/2)."""
        return rotary_sin_cos(height, width, self.frequencies)

    def full_bias(self, height: int, width: int) -> torch.Tensor:
        """(N, H·W, H·W)."""
        return full_decay_bias(self.log_decay, height, width)

    def axial_bias(self, length: int) -> torch.Tensor:
        """(N, L, L)."""
        return axial_decay_bias(self.log_decay, length)


class MaSA(nn.Module):
    """Manhattan self-attention on a channels-last map: (B, H, W, d) → (B, H, W, d), full or axial."""

    def __init__(self, dim: int, num_heads: int, mode: MaSAMode) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.head_dim = dim // num_heads
        self.mode = MaSAMode(mode)
        self.q_proj = nn.Linear(dim, dim)
        self.k_proj = nn.Linear(dim, dim)
        self.v_proj = nn.Linear(dim, dim)
        self.lepe = ChannelsLastDepthwiseConv(dim, LEPE_KERNEL)
        self.out_proj = nn.Linear(dim, dim)

    def split_heads(self, x: torch.Tensor) -> torch.Tensor:
        """(B, H, W, N·d_h) → (B, N, H, W, d_h)."""
        return x.unflatten(-1, (self.num_heads, self.head_dim)).permute(0, 3, 1, 2, 4)

    def forward(self, x: torch.Tensor, geometry: ManhattanGeometry) -> torch.Tensor:
        _, height, width, _ = x.shape
        v = self.v_proj(x)
        lepe = self.lepe(v)
        sin, cos = geometry.rotary(height, width)
        q = rotate_pairs(self.split_heads(self.q_proj(x)), sin, cos)
        k = rotate_pairs(self.split_heads(self.k_proj(x) * self.head_dim**-0.5), sin, cos)
        v = self.split_heads(v)
        if self.mode is MaSAMode.FULL:
            out = full_masa(q, k, v, geometry.full_bias(height, width))
        else:
            out = axial_masa(q, k, v, geometry.axial_bias(height), geometry.axial_bias(width))
        out = out.permute(0, 2, 3, 1, 4).flatten(-2)  # (B, H, W, N·d_h)
        return self.out_proj(out + lepe)

    def extra_repr(self) -> str:
        return f"heads={self.num_heads}, head_dim={self.head_dim}, mode={self.mode.value}"


__all__ = [
    "MaSA",
    "ManhattanGeometry",
    "axial_decay_bias",
    "axial_masa",
    "full_decay_bias",
    "full_masa",
    "head_log_decays",
    "line_distance",
    "manhattan_distance",
    "rotary_frequencies",
    "rotary_sin_cos",
    "rotate_pairs",
]
