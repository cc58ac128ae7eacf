"""TSFmicro in pure PyTorch (MODEL_SPEC). Nothing here imports `app` or Qt.

Public API:
- configs: `TSFmicroCfg`, `TemporalCfg`, `SpatialCfg`, `Fusion`, `MaSAMode`, `config_to_dict`, `config_from_dict`
- models: `create_model`, `list_models`, `model_cfg`, `TSFmicro`, `EmbeddingKind`
- preprocessing: `PreprocessCfg`, `ResizeMethod`, `preprocess_crops`, `preprocess_crop`
- per-frame curves: `SpottingHead`, `SpottingHeadCfg`, `SpottingState`, `PHASES`
- files: `save_checkpoint`, `load_checkpoint`, `LoadedCheckpoint`, `Member` (one model of an ensemble),
  `CheckpointError`, `SCHEMA_VERSION`
- reference weights: `convert_upstream_state_dict`, `to_upstream_state_dict`, `UpstreamConversionError`
"""

from .checkpoint import SCHEMA_VERSION, CheckpointError, LoadedCheckpoint, Member, load_checkpoint, save_checkpoint
from .config import Fusion, MaSAMode, SpatialCfg, TemporalCfg, TSFmicroCfg, config_from_dict, config_to_dict
from .preprocess import PreprocessCfg, ResizeMethod, preprocess_crop, preprocess_crops
from .registry import create_model, list_models, model_cfg
from .spotting_head import PHASES, SpottingHead, SpottingHeadCfg, SpottingState
from .tsfmicro import EmbeddingKind, TSFmicro
from .upstream import UpstreamConversionError, convert_upstream_state_dict, to_upstream_state_dict

__all__ = [
    "PHASES",
    "SCHEMA_VERSION",
    "CheckpointError",
    "EmbeddingKind",
    "Fusion",
    "LoadedCheckpoint",
    "MaSAMode",
    "PreprocessCfg",
    "ResizeMethod",
    "SpatialCfg",
    "SpottingHead",
    "SpottingHeadCfg",
    "SpottingState",
    "TSFmicro",
    "TSFmicroCfg",
    "TemporalCfg",
    "UpstreamConversionError",
    "config_from_dict",
    "config_to_dict",
    "convert_upstream_state_dict",
    "create_model",
    "list_models",
    "load_checkpoint",
    "Member",
    "model_cfg",
    "preprocess_crop",
    "preprocess_crops",
    "save_checkpoint",
    "to_upstream_state_dict",
]
