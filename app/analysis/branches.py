"""TSFmicro split into its reference-frame part and its pair part, so each frame's reference work runs once.

The pair (onset, apex) = (crop[r(t)], crop[t]). Everything the model computes from the onset alone depends on
one frame only; it is computed once per frame (when that frame is a reference) and cached in the ring buffer:

| fusion  | reference part `reference_features(onset)`        | pair part `fuse(ref, onset, apex)`                         |
|---------|---------------------------------------------------|------------------------------------------------------------|
| late    | spatial ViT map (B, g, g, d)                      | temporal(apex − onset) + ref                               |
| early   | onset stem map (B, S/2, S/2, d₀)                  | temporal stages(temporal stem(apex − onset) + ref)         |
| s_to_t  | upsampled ViT map (B, S/2, S/2, d₀)               | temporal stages(temporal stem(apex − onset) + ref)         |
| t_to_s  | position-embedded ViT tokens (B, g·g, d)          | ViT blocks(ref + temporal(apex − onset) tokens)            |

`model/tsfmicro.py` has no such hook, so this composes the model's public submodules exactly as its `_fuse_*`
methods do; `tests/analysis/test_branches.py` checks `fuse(reference_features(o), o, a)` against
`forward_features(o, a)` for all four fusions, so any drift in model/ shows up there.
"""

from __future__ import annotations

import torch

from model import EmbeddingKind, Fusion, TSFmicro


def reference_features(model: TSFmicro, onset: torch.Tensor) -> torch.Tensor:
    """onset (B, 3, S, S) normalised → the onset-only features of the table above."""
    fusion = model.cfg.fusion
    if fusion is Fusion.LATE:
        return model.spatial(onset)
    if fusion is Fusion.EARLY:
        return model.onset_stem(onset)
    if fusion is Fusion.SPATIAL_TO_TEMPORAL:
        return model.spatial_upsampler(model.spatial(onset))
    if fusion is Fusion.TEMPORAL_TO_SPATIAL:
        return model.spatial.embed(onset)
    raise ValueError(f"unsupported fusion {fusion!r}")


def fuse(model: TSFmicro, ref: torch.Tensor, onset: torch.Tensor, apex: torch.Tensor) -> torch.Tensor:
    """ref from `reference_features(onset)`; onset, apex (B, 3, S, S) → fused map (B, g, g, d), equal to
    `model.forward_features(onset, apex)`."""
    motion = apex - onset
    fusion = model.cfg.fusion
    if fusion is Fusion.LATE:
        return model.temporal(motion) + ref
    if fusion in (Fusion.EARLY, Fusion.SPATIAL_TO_TEMPORAL):
        return model.temporal.forward_stages(model.temporal.stem(motion) + ref)
    if fusion is Fusion.TEMPORAL_TO_SPATIAL:
        return model.spatial.encode(ref + model.temporal(motion).flatten(1, 2))
    raise ValueError(f"unsupported fusion {fusion!r}")


def embedding(model: TSFmicro, fused: torch.Tensor, kind: EmbeddingKind) -> torch.Tensor:
    """Fused map (B, g, g, d) → per-pair vector: (B, embed_dim) pre-logits or (B, d) fused mean (§13.2)."""
    if EmbeddingKind(kind) is EmbeddingKind.PRE_LOGITS:
        return model.forward_head(fused, pre_logits=True)
    return fused.mean(dim=(1, 2))
