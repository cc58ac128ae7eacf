"""Learnable pieces that only the ablation fusion variants need (see `config.Fusion`)."""

from __future__ import annotations

import torch
from torch import nn

UPSAMPLE_KERNEL = 4


class MapUpsampler(nn.Module):
    """Stride-2 transposed convs (4×4, padding 1, no activation) that double the grid each step while the channels
    halve, ending at `out_dim`: (B, g, g, d_in) → (B, g·2^n, g·2^n, d_out), channels-last.

    Used by S→T fusion to bring the ViT map (14×14×512) to the temporal stem's grid (112×112×64).
    """

    def __init__(self, in_dim: int, out_dim: int, steps: int) -> None:
        super().__init__()
        widths = [max(out_dim, in_dim // 2**i) for i in range(steps)] + [out_dim]
        self.steps = nn.ModuleList(
            nn.ConvTranspose2d(widths[i], widths[i + 1], UPSAMPLE_KERNEL, stride=2, padding=1) for i in range(steps)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.permute(0, 3, 1, 2)
        for step in self.steps:
            x = step(x)
        return x.permute(0, 2, 3, 1)
