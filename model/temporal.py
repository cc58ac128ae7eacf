"""The temporal branch: a trimmed RMT on apex − onset. Channels-last throughout."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .config import MaSAMode, TemporalCfg
from .layers import ChannelsLastDepthwiseConv, ConvStem, Downsample, DropPath
from .masa import MaSA, ManhattanGeometry

CPE_KERNEL = 3
FFN_DWCONV_KERNEL = 3


class ConvFFN(nn.Module):
    """h = GELU(Linear_{d→r·d}(x)); h = h + DWConv3×3(h); out = Linear_{r·d→d}(h).

    (B, H, W, d) → (B, H, W, d).
    """

    def __init__(self, dim: int, hidden_dim: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden_dim)
        self.dwconv = ChannelsLastDepthwiseConv(hidden_dim, FFN_DWCONV_KERNEL)
        self.fc2 = nn.Linear(hidden_dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.gelu(self.fc1(x))
        return self.fc2(h + self.dwconv(h))


class MaSABlock(nn.Module):
    """Pre-norm block: x += CPE(x); x += DropPath(MaSA(LN(x))); x += DropPath(FFN(LN(x))).

    (B, H, W, d) → (B, H, W, d).
    """

    def __init__(
        self, dim: int, num_heads: int, mlp_ratio: float, mode: MaSAMode, drop_path: float, norm_eps: float
    ) -> None:
        super().__init__()
        self.cpe = ChannelsLastDepthwiseConv(dim, CPE_KERNEL)
        self.masa_norm = nn.LayerNorm(dim, eps=norm_eps)
        self.masa = MaSA(dim, num_heads, mode)
        self.ffn_norm = nn.LayerNorm(dim, eps=norm_eps)
        self.ffn = ConvFFN(dim, int(mlp_ratio * dim))
        self.drop_path = DropPath(drop_path)

    def forward(self, x: torch.Tensor, geometry: ManhattanGeometry) -> torch.Tensor:
        x = x + self.cpe(x)
        x = x + self.drop_path(self.masa(self.masa_norm(x), geometry))
        return x + self.drop_path(self.ffn(self.ffn_norm(x)))


class TemporalStage(nn.Module):
    """Blocks at one resolution, then (except for the last stage) a stride-2 down-sampling.

    (B, H, W, d_i) → (B, H/2, W/2, d_{i+1}), or (B, H, W, d_i) for the last stage.
    """

    def __init__(self, cfg: TemporalCfg, index: int, bn_eps: float) -> None:
        super().__init__()
        dim, heads = cfg.dims[index], cfg.num_heads[index]
        self.geometry = ManhattanGeometry(heads, dim // heads, cfg.decay_init[index], cfg.decay_range[index])
        self.blocks = nn.ModuleList(
            MaSABlock(dim, heads, cfg.mlp_ratios[index], cfg.masa_modes[index], rate, cfg.norm_eps)
            for rate in cfg.block_drop_path_rates[index]
        )
        is_last = index == cfg.num_stages - 1
        self.downsample = None if is_last else Downsample(dim, cfg.dims[index + 1], bn_eps)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for block in self.blocks:
            x = block(x, self.geometry)
        return x if self.downsample is None else self.downsample(x)


class TemporalBranch(nn.Module):
    """Conv stem + MaSA stages. `forward`: (B, C, S, S) → (B, S/16, S/16, d_last) for four stages.

    The stem and the stages are also callable separately so fusion variants can inject at the stem output.
    """

    def __init__(self, cfg: TemporalCfg, in_chans: int = 3, bn_eps: float = 1e-5) -> None:
        super().__init__()
        self.stem = ConvStem(in_chans, cfg.dims[0], bn_eps)
        self.stages = nn.ModuleList(TemporalStage(cfg, i, bn_eps) for i in range(cfg.num_stages))

    def forward_stages(self, x: torch.Tensor) -> torch.Tensor:
        """(B, S/2, S/2, d_0) stem output → final map."""
        for stage in self.stages:
            x = stage(x)
        return x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_stages(self.stem(x))
