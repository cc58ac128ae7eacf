"""Helpers of the analysis tests (imported relatively: tests/analysis is a package)."""

from __future__ import annotations

import dataclasses
from typing import Iterable, Iterator

import torch

from model import SpottingHead, SpottingHeadCfg, create_model

TINY_CLASSES = ("negative", "positive", "surprise", "others", "repression")


def make_tiny_parts(seed: int = 0, fusion: str = "late"):
    """A seeded tsfmicro_tiny and a spotting head over its pre-logits embedding, in eval mode."""
    torch.manual_seed(seed)
    model = create_model("tsfmicro_tiny", num_classes=len(TINY_CLASSES), fusion=fusion).eval()
    head = SpottingHead(SpottingHeadCfg(embed_dim=model.cfg.embed_dim)).eval()
    return model, head


def cycled(results, n: int) -> Iterator:
    """n face results: `results` repeated, re-indexed 0..n-1 (a long stream from a short real clip)."""
    for i in range(n):
        yield dataclasses.replace(results[i % len(results)], index=i)


def counting(items: Iterable, counter: list) -> Iterator:
    """Pass items through, counting how many were pulled into counter[0]."""
    for item in items:
        counter[0] += 1
        yield item
