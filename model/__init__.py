"""TSFmicro (arXiv 2505.16372, as its reference code builds it) in pure PyTorch, and this project's per-frame
spotting head (docs/model_history.md). Nothing here imports `app` or Qt.

Public API:
- configs: `TSFmicroCfg`, `TemporalCfg`, `SpatialCfg`, `Fusion`, `MaSAMode`, `config_to_dict`, `config_from_dict`
- models: `create_model`, `list_models`, `model_cfg`, `TSFmicro`, `EmbeddingKind`
- preprocessing: `PreprocessCfg`, `ResizeMethod`, `preprocess_crops`, `preprocess_crop`
- per-frame curves: `SpottingHead`, `SpottingHeadCfg`, `SpottingState`, `PHASES` (the phase names, `model.phases`)
- files: `save_checkpoint`, `load_checkpoint`, `LoadedCheckpoint`, `Member` (one model of an ensemble),
  `CheckpointError`, `SCHEMA_VERSION`
- reference weights: `convert_upstream_state_dict`, `to_upstream_state_dict`, `UpstreamConversionError`

The names are imported from their submodules on first use, so `from model import PHASES` (or
`from model.phases import PHASES`) does not import torch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Exported names → the submodule defining them.
_EXPORTS = {
    "SCHEMA_VERSION": "checkpoint", "CheckpointError": "checkpoint", "LoadedCheckpoint": "checkpoint",
    "Member": "checkpoint", "load_checkpoint": "checkpoint", "save_checkpoint": "checkpoint",
    "Fusion": "config", "MaSAMode": "config", "SpatialCfg": "config", "TemporalCfg": "config", "TSFmicroCfg": "config",
    "config_from_dict": "config", "config_to_dict": "config",
    "PHASES": "phases",
    "PreprocessCfg": "preprocess", "ResizeMethod": "preprocess", "preprocess_crop": "preprocess",
    "preprocess_crops": "preprocess",
    "create_model": "registry", "list_models": "registry", "model_cfg": "registry",
    "SpottingHead": "spotting_head", "SpottingHeadCfg": "spotting_head", "SpottingState": "spotting_head",
    "EmbeddingKind": "tsfmicro", "TSFmicro": "tsfmicro",
    "UpstreamConversionError": "upstream", "convert_upstream_state_dict": "upstream",
    "to_upstream_state_dict": "upstream",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'model' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"model.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:  # pragma: no cover
    from .checkpoint import SCHEMA_VERSION, CheckpointError, LoadedCheckpoint, Member, load_checkpoint, save_checkpoint
    from .config import Fusion, MaSAMode, SpatialCfg, TemporalCfg, TSFmicroCfg, config_from_dict, config_to_dict
    from .phases import PHASES
    from .preprocess import PreprocessCfg, ResizeMethod, preprocess_crop, preprocess_crops
    from .registry import create_model, list_models, model_cfg
    from .spotting_head import SpottingHead, SpottingHeadCfg, SpottingState
    from .tsfmicro import EmbeddingKind, TSFmicro
    from .upstream import UpstreamConversionError, convert_upstream_state_dict, to_upstream_state_dict
