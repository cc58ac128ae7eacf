"""TSFmicro: temporal RMT on apex − onset + spatial ViT on the onset, fused, then a shared head."""

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
    """Which per-pair vector the spotting head consumes."""

    PRE_LOGITS = "pre_logits"  # the head's pooled (B, embed_dim) vector
    FUSED_MEAN = "fused_mean"  # the fused map averaged over positions, (B, feature_dim)


class TSFmicro(nn.Module):
    """The pair classifier.

    Inputs are normalised crops from `model.preprocess`: onset and apex, each (B, 3, S, S) with S = cfg.input_size
    (224). The motion input apex − onset is formed inside the model.

    - `forward_features(onset, apex)` → fused map (B, g, g, d), channels-last; (B, 14, 14, 512) by default. It is
      `forward_pair_features(reference_features(onset), onset, apex)`: the onset-only part of the fusion, then the
      pair part, the two entry points a streaming analysis calls separately (a reference frame's features once).
    - `forward_head(f, pre_logits=False)` → logits (B, C), or the (B, embed_dim) embedding.
    - `forward(onset, apex)` → logits (B, C).
    - `forward_embedding(onset, apex, kind)` = `embedding_of(forward_features(onset, apex), kind)`: the spotting
      head's per-pair vector.
    """

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

    # the fusion, split where the onset-only work ends (each variant's reference part | pair part):
    #   late    spatial ViT map (B, g, g, d)               | temporal(apex − onset) + ref
    #   early   onset stem map (B, S/2, S/2, d₀)           | temporal stages(temporal stem(apex − onset) + ref)
    #   s_to_t  upsampled ViT map (B, S/2, S/2, d₀)        | temporal stages(temporal stem(apex − onset) + ref)
    #   t_to_s  position-embedded ViT tokens (B, g·g, d)   | ViT blocks(ref + temporal(apex − onset) tokens)

    def reference_features(self, onset: torch.Tensor) -> torch.Tensor:
        """onset (B, 3, S, S) → the features the fusion computes from the onset alone (the table above). A
        streaming analysis computes them once per reference frame and pairs them with many apex frames."""
        fusion = self.cfg.fusion
        if fusion is Fusion.LATE:
            return self.spatial(onset)
        if fusion is Fusion.EARLY:
            return self.onset_stem(onset)
        if fusion is Fusion.SPATIAL_TO_TEMPORAL:
            return self.spatial_upsampler(self.spatial(onset))
        if fusion is Fusion.TEMPORAL_TO_SPATIAL:
            return self.spatial.embed(onset)
        raise ValueError(f"unsupported fusion {fusion!r}")

    def forward_pair_features(self, ref: torch.Tensor, onset: torch.Tensor, apex: torch.Tensor) -> torch.Tensor:
        """ref = `reference_features(onset)`; onset, apex (B, 3, S, S) → fused map (B, g, g, d), the pair part of
        `forward_features`."""
        motion = apex - onset
        fusion = self.cfg.fusion
        if fusion is Fusion.LATE:
            return self.temporal(motion) + ref
        if fusion in (Fusion.EARLY, Fusion.SPATIAL_TO_TEMPORAL):
            return self.temporal.forward_stages(self.temporal.stem(motion) + ref)
        if fusion is Fusion.TEMPORAL_TO_SPATIAL:
            return self.spatial.encode(ref + self.temporal(motion).flatten(1, 2))
        raise ValueError(f"unsupported fusion {fusion!r}")

    # timm-style contract

    def forward_features(self, onset: torch.Tensor, apex: torch.Tensor) -> torch.Tensor:
        """onset, apex: (B, 3, S, S) → fused map (B, g, g, d)."""
        return self.forward_pair_features(self.reference_features(onset), onset, apex)

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
        return self.embedding_of(self.forward_features(onset, apex), kind)

    def embedding_of(self, f: torch.Tensor, kind: EmbeddingKind = EmbeddingKind.PRE_LOGITS) -> torch.Tensor:
        """Fused map f (B, g, g, d) → the per-pair vector of `forward_embedding`."""
        if EmbeddingKind(kind) is EmbeddingKind.PRE_LOGITS:
            return self.forward_head(f, pre_logits=True)
        return f.mean(dim=(1, 2))
