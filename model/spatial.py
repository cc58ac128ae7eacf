"""The spatial branch: a shallow ViT on the onset frame resized to a small grid (MMNet's position-calibration ViT)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .config import SpatialCfg
from .layers import softmax_attention

POS_EMBED_STD = 0.02


class MultiHeadSelfAttention(nn.Module):
    """Plain MHSA with a fused qkv projection: (B, L, d) → (B, L, d)."""

    def __init__(self, dim: int, num_heads: int) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.head_dim = dim // num_heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        q, k, v = self.qkv(x).unflatten(-1, (3, self.num_heads, self.head_dim)).permute(2, 0, 3, 1, 4)
        out = softmax_attention(q * self.head_dim**-0.5, k, v)  # (B, N, L, d_h)
        return self.proj(out.transpose(1, 2).flatten(-2))


class Mlp(nn.Module):
    """Linear → GELU → Linear: (B, L, d) → (B, L, d)."""

    def __init__(self, dim: int, hidden_dim: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden_dim)
        self.fc2 = nn.Linear(hidden_dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(F.gelu(self.fc1(x)))


class ViTBlock(nn.Module):
    """Pre-norm transformer block, no drop-path: (B, L, d) → (B, L, d)."""

    def __init__(self, dim: int, num_heads: int, mlp_ratio: float, norm_eps: float) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=norm_eps)
        self.attn = MultiHeadSelfAttention(dim, num_heads)
        self.norm2 = nn.LayerNorm(dim, eps=norm_eps)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class SpatialViT(nn.Module):
    """Onset frame → spatial map.

    `forward(onset)`: (B, C, S, S) normalised onset → bilinear resize (align_corners=False, antialias per config)
    → (B, C, g, g) → 1×1 patch conv → g·g tokens (index y·g + x) + learned position embedding → blocks
    → LayerNorm → (B, g, g, d) channels-last.
    """

    def __init__(self, cfg: SpatialCfg, in_chans: int = 3) -> None:
        super().__init__()
        self.grid = cfg.grid
        self.antialias = cfg.antialias
        self.patch_embed = nn.Conv2d(in_chans, cfg.dim, kernel_size=1)
        self.pos_embed = nn.Parameter(torch.zeros(1, cfg.grid * cfg.grid, cfg.dim))
        self.blocks = nn.ModuleList(
            ViTBlock(cfg.dim, cfg.num_heads, cfg.mlp_ratio, cfg.norm_eps) for _ in range(cfg.depth)
        )
        self.norm = nn.LayerNorm(cfg.dim, eps=cfg.norm_eps)
        nn.init.trunc_normal_(self.pos_embed, std=POS_EMBED_STD, a=-2.0, b=2.0)

    def resize(self, image: torch.Tensor) -> torch.Tensor:
        """(B, C, S, S) → (B, C, g, g)."""
        size = (self.grid, self.grid)
        return F.interpolate(image, size=size, mode="bilinear", align_corners=False, antialias=self.antialias)

    def embed(self, image: torch.Tensor) -> torch.Tensor:
        """(B, C, S, S) → position-embedded tokens (B, g·g, d)."""
        return self.patch_embed(self.resize(image)).flatten(2).transpose(1, 2) + self.pos_embed

    def encode(self, tokens: torch.Tensor) -> torch.Tensor:
        """Blocks and final norm on tokens (B, g·g, d) → map (B, g, g, d)."""
        for block in self.blocks:
            tokens = block(tokens)
        return self.norm(tokens).unflatten(1, (self.grid, self.grid))

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return self.encode(self.embed(image))
