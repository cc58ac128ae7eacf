"""TSFmicro: temporal RMT on apex − onset + spatial ViT on the onset, fused, then a shared head (MODEL_SPEC §2)."""

from __future__ import annotations

import enum

import torch
from torch import nn

from .config import Fusion, TSFmicroCfg
from .fusion import MapUpsampler
from .head import ClassifierHead
from .layers import ConvStem, init_weights
from .spatial import SpatialViT
from .temporal import TemporalBranch


class EmbeddingKind(str, enum.Enum):
    """Which per-pair vector the spotting head consumes (§13.2)."""

    PRE_LOGITS = "pre_logits"  # the head's pooled (B, embed_dim) vector
    FUSED_MEAN = "fused_mean"  # the fused map averaged over positions, (B, feature_dim)


class TSFmicro(nn.Module):
    """The pair classifier.

    Inputs are normalised crops from `model.preprocess`: onset and apex, each (B, 3, S, S) with S = cfg.input_size
    (224). The motion input apex − onset is formed inside the model.

    - `forward_features(onset, apex)` → fused map (B, g, g, d), channels-last; (B, 14, 14, 512) by default.
    - `forward_head(f, pre_logits=False)` → logits (B, C), or the (B, embed_dim) embedding.
    - `forward(onset, apex)` → logits (B, C).
    """

    _FUSERS = {
        Fusion.LATE: "_fuse_late",
        Fusion.EARLY: "_fuse_early",
        Fusion.SPATIAL_TO_TEMPORAL: "_fuse_spatial_to_temporal",
        Fusion.TEMPORAL_TO_SPATIAL: "_fuse_temporal_to_spatial",
    }

    def __init__(self, cfg: TSFmicroCfg) -> None:
        super().__init__()
        self.cfg = cfg
        self.temporal = TemporalBranch(cfg.temporal, cfg.in_chans, cfg.bn_eps)
        self.spatial = None if cfg.fusion is Fusion.EARLY else SpatialViT(cfg.spatial, cfg.in_chans)
        self.onset_stem = None
        if cfg.fusion is Fusion.EARLY:
            self.onset_stem = ConvStem(cfg.in_chans, cfg.temporal.dims[0], cfg.bn_eps)
        self.spatial_upsampler = None
        if cfg.fusion is Fusion.SPATIAL_TO_TEMPORAL:
            steps = (cfg.temporal.stem_grid(cfg.input_size) // cfg.spatial.grid).bit_length() - 1
            self.spatial_upsampler = MapUpsampler(cfg.spatial.dim, cfg.temporal.dims[0], steps)
        self.head = ClassifierHead(cfg.feature_dim, cfg.embed_dim, cfg.num_classes, cfg.bn_eps)
        self.apply(init_weights)

    @property
    def num_classes(self) -> int:
        return self.cfg.num_classes

    @property
    def num_features(self) -> int:
        """Width of the pre-logits embedding."""
        return self.cfg.embed_dim

    def embedding_dim(self, kind: EmbeddingKind = EmbeddingKind.PRE_LOGITS) -> int:
        return self.cfg.embed_dim if EmbeddingKind(kind) is EmbeddingKind.PRE_LOGITS else self.cfg.feature_dim

    # fusion variants: (onset, motion) → fused channels-last map

    def _fuse_late(self, onset: torch.Tensor, motion: torch.Tensor) -> torch.Tensor:
        return self.temporal(motion) + self.spatial(onset)

    def _fuse_early(self, onset: torch.Tensor, motion: torch.Tensor) -> torch.Tensor:
        return self.temporal.forward_stages(self.temporal.stem(motion) + self.onset_stem(onset))

    def _fuse_spatial_to_temporal(self, onset: torch.Tensor, motion: torch.Tensor) -> torch.Tensor:
        spatial_at_stem = self.spatial_upsampler(self.spatial(onset))
        return self.temporal.forward_stages(self.temporal.stem(motion) + spatial_at_stem)

    def _fuse_temporal_to_spatial(self, onset: torch.Tensor, motion: torch.Tensor) -> torch.Tensor:
        temporal_tokens = self.temporal(motion).flatten(1, 2)
        return self.spatial.encode(self.spatial.embed(onset) + temporal_tokens)

    # timm-style contract

    def forward_features(self, onset: torch.Tensor, apex: torch.Tensor) -> torch.Tensor:
        """onset, apex: (B, 3, S, S) → fused map (B, g, g, d)."""
        fuse = getattr(self, self._FUSERS[self.cfg.fusion])
        return fuse(onset, apex - onset)

    def forward_head(self, f: torch.Tensor, pre_logits: bool = False) -> torch.Tensor:
        """f: (B, g, g, d) → logits (B, C), or (B, embed_dim) when `pre_logits`."""
        return self.head(f, pre_logits=pre_logits)

    def forward(self, onset: torch.Tensor, apex: torch.Tensor) -> torch.Tensor:
        """onset, apex: (B, 3, S, S) → logits (B, C)."""
        return self.forward_head(self.forward_features(onset, apex))

    def forward_embedding(
        self, onset: torch.Tensor, apex: torch.Tensor, kind: EmbeddingKind = EmbeddingKind.PRE_LOGITS
    ) -> torch.Tensor:
        """Per-pair vector for the spotting head: (B, embed_dim) for PRE_LOGITS, (B, feature_dim) for FUSED_MEAN."""
        f = self.forward_features(onset, apex)
        if EmbeddingKind(kind) is EmbeddingKind.PRE_LOGITS:
            return self.forward_head(f, pre_logits=True)
        return f.mean(dim=(1, 2))
