"""A project-local model registry: names → default configs. Importing it touches no other library's registry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import torch

from .config import SpatialCfg, TemporalCfg, TSFmicroCfg, with_overrides
from .tsfmicro import TSFmicro


@dataclass(frozen=True)
class ModelEntry:
    name: str
    default_cfg: Callable[[], TSFmicroCfg]
    description: str


def _tsfmicro_cfg() -> TSFmicroCfg:
    return TSFmicroCfg()


def _tsfmicro_tiny_cfg() -> TSFmicroCfg:
    """The tiny variant: the same code path at a fraction of the cost, for tests (input 64, dims 8-64, one block per
    stage, 2 heads, a 64-d one-block ViT on a 4×4 grid).

    The head projection is 2× the fused width here (128), as 1024 is 2× 512 in the full model.
    """
    return TSFmicroCfg(
        input_size=64,
        temporal=TemporalCfg(dims=(8, 16, 32, 64), depths=(1, 1, 1, 1), num_heads=(2, 2, 2, 2)),
        spatial=SpatialCfg(grid=4, dim=64, depth=1, num_heads=2),
        embed_dim=128,
    )


_REGISTRY: dict[str, ModelEntry] = {
    entry.name: entry
    for entry in (
        ModelEntry("tsfmicro", _tsfmicro_cfg, "TSFmicro as published, 224×224 input"),
        ModelEntry("tsfmicro_tiny", _tsfmicro_tiny_cfg, "test-sized variant: 64×64 input, 4×4 fused grid"),
    )
}


def list_models() -> list[str]:
    """Registered model names, sorted."""
    return sorted(_REGISTRY)


def model_cfg(name: str, **overrides: Any) -> TSFmicroCfg:
    """The default config of `name` with `overrides` applied (nested configs accept partial dicts)."""
    try:
        entry = _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown model {name!r}; known: {list_models()}") from None
    return with_overrides(entry.default_cfg(), overrides)


def create_model(
    name: str, num_classes: int | None = None, device: torch.device | str = "cpu", **overrides: Any
) -> TSFmicro:
    """Build a freshly initialised model, e.g. `create_model("tsfmicro", num_classes=5, fusion="t_to_s")`."""
    if num_classes is not None:
        overrides["num_classes"] = num_classes
    return TSFmicro(model_cfg(name, **overrides)).to(device)
