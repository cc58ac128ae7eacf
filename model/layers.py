"""Small building blocks shared by both branches: drop-path, depthwise convs, the conv stem, attention, init."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def drop_path(x: torch.Tensor, drop_prob: float, training: bool) -> torch.Tensor:
    """Per-sample stochastic depth: zero a whole residual branch for a random subset of the batch.

    x: (B, ...). Survivors are scaled by 1 / (1 − drop_prob) so the expectation is unchanged.
    """
    if drop_prob == 0.0 or not training:
        return x
    keep_prob = 1.0 - drop_prob
    mask_shape = (x.shape[0],) + (1,) * (x.ndim - 1)
    keep = torch.empty(mask_shape, dtype=x.dtype, device=x.device).bernoulli_(keep_prob)
    return x * keep / keep_prob


class DropPath(nn.Module):
    """Module form of `drop_path`."""

    def __init__(self, drop_prob: float = 0.0) -> None:
        super().__init__()
        self.drop_prob = float(drop_prob)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return drop_path(x, self.drop_prob, self.training)

    def extra_repr(self) -> str:
        return f"drop_prob={self.drop_prob}"


class ChannelsLastDepthwiseConv(nn.Module):
    """Depthwise k×k conv with bias and 'same' padding on a channels-last map: (B, H, W, C) → (B, H, W, C)."""

    def __init__(self, channels: int, kernel_size: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, kernel_size, padding=kernel_size // 2, groups=channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x.permute(0, 3, 1, 2)).permute(0, 2, 3, 1)


class ConvStem(nn.Module):
    """Four 3×3 convs with BN: (B, C_in, S, S) → (B, S/2, S/2, dim), channels-last.

    Channels C_in → dim/2 (stride 2) → dim/2 → dim → dim; GELU after every BN but the last.
    """

    def __init__(self, in_chans: int, dim: int, bn_eps: float = 1e-5) -> None:
        super().__init__()
        widths = (in_chans, dim // 2, dim // 2, dim, dim)
        self.convs = nn.ModuleList(
            nn.Conv2d(widths[i], widths[i + 1], 3, stride=2 if i == 0 else 1, padding=1) for i in range(4)
        )
        self.norms = nn.ModuleList(nn.BatchNorm2d(widths[i + 1], eps=bn_eps) for i in range(4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        last = len(self.convs) - 1
        for i, (conv, norm) in enumerate(zip(self.convs, self.norms)):
            x = norm(conv(x))
            if i < last:
                x = F.gelu(x)
        return x.permute(0, 2, 3, 1)


class Downsample(nn.Module):
    """3×3 stride-2 conv with bias, then BatchNorm, no activation: (B, H, W, C) → (B, H/2, W/2, C_out)."""

    def __init__(self, dim: int, out_dim: int, bn_eps: float = 1e-5) -> None:
        super().__init__()
        self.conv = nn.Conv2d(dim, out_dim, 3, stride=2, padding=1)
        self.norm = nn.BatchNorm2d(out_dim, eps=bn_eps)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(self.conv(x.permute(0, 3, 1, 2))).permute(0, 2, 3, 1)


def softmax_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, bias: torch.Tensor | None = None
) -> torch.Tensor:
    """softmax(q·kᵀ + bias)·v over the last two axes. No scaling here: callers pre-scale q or k.

    q: (..., L, d), k: (..., L', d), v: (..., L', d_v), bias broadcastable to (..., L, L') → (..., L, d_v).
    """
    logits = q @ k.transpose(-1, -2)
    if bias is not None:
        logits = logits + bias
    return torch.softmax(logits, dim=-1) @ v


def init_weights(module: nn.Module) -> None:
    """The reference init, for `Module.apply`: Linear ~ trunc-normal(std 0.02, bounds ±2), bias 0;
    LayerNorm weight 1, bias 0. Convolutions and BatchNorm keep PyTorch defaults."""
    if isinstance(module, nn.Linear):
        nn.init.trunc_normal_(module.weight, std=0.02, a=-2.0, b=2.0)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.LayerNorm) and module.elementwise_affine:
        nn.init.ones_(module.weight)
        nn.init.zeros_(module.bias)
