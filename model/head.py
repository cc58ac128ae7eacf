"""The classification head shared by every fusion variant: Linear 512→1024, BatchNorm, Swish, mean over positions
(the pre-logits embedding), Linear to the classes."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class ClassifierHead(nn.Module):
    """Linear_{d→E} → BatchNorm2d(E) → Swish → average over positions → Linear_{E→C}.

    `forward(f, pre_logits)`: f (B, H, W, d) channels-last → logits (B, C), or the (B, E) pooled embedding when
    `pre_logits` is true. The paper's figure omits the d→E projection; the code has it, and so does this.
    """

    def __init__(self, in_dim: int, embed_dim: int, num_classes: int, bn_eps: float = 1e-5) -> None:
        super().__init__()
        self.proj = nn.Linear(in_dim, embed_dim)
        self.norm = nn.BatchNorm2d(embed_dim, eps=bn_eps)
        self.classifier = nn.Linear(embed_dim, num_classes)

    def forward(self, f: torch.Tensor, pre_logits: bool = False) -> torch.Tensor:
        z = self.norm(self.proj(f).permute(0, 3, 1, 2)).flatten(2)  # (B, E, H·W)
        embedding = F.silu(z).mean(dim=-1)  # (B, E)
        return embedding if pre_logits else self.classifier(embedding)
