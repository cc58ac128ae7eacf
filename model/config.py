"""Frozen configuration records for TSFmicro (temporal branch, spatial branch, fusion and head) and their plain-dict
form.

Configs are immutable dataclasses with tuples for per-stage values. `config_to_dict` / `config_from_dict`
turn them into plain dicts of str/int/float/bool/None/list (what a `weights_only` checkpoint may hold) and back; they
are the one serialiser of every config a file stores (the model's, the spotting head's, the preprocessing, and the
app's settings a checkpoint carries). Fields may be str, int, float, bool, enums, tuples of those, nested configs and
Optional[...] of any of these; reading rejects unknown fields and values of the wrong type, naming the field.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Mapping, TypeVar


class MaSAMode(str, enum.Enum):
    """How a temporal stage evaluates Manhattan self-attention (`model.masa`)."""

    AXIAL = "axial"  # two 1-D softmax passes, along W then along H (upstream "chunk")
    FULL = "full"  # one softmax over the whole H×W grid (upstream "whole")


class Fusion(str, enum.Enum):
    """Where the temporal (apex − onset) and spatial (onset) streams meet.

    - ``LATE``: the paper's parallel "T-S late" model and the only faithful option. Both branches run to the end,
      their 14×14×d maps are added, and the head sees the sum.
    - ``EARLY``: the inputs meet at the stem. A second conv stem (same layout as the temporal stem) encodes the
      onset frame at full resolution, its 112×112×64 map is added to the temporal stem's output, and one RMT
      backbone runs on the sum. No ViT is built (the figure's early panel; upstream `ts_fusion`).
    - ``SPATIAL_TO_TEMPORAL`` ("S→T"): the ViT runs first. Its 14×14×512 map is upsampled to the stem grid by
      stride-2 transposed convolutions (4×4, padding 1, channels halving 512→256→128→64, no activation) and added
      to the temporal stem's output before stage 1. The head sees the temporal output only (upstream
      `fusion_before_model`).
    - ``TEMPORAL_TO_SPATIAL`` ("T→S"): the temporal branch runs first. Its final 14×14×512 map, flattened to 196
      tokens, is added to the ViT tokens after the position embedding and *before* the ViT blocks, as the figure
      draws it (upstream adds after the blocks, against its own figure: taken as a bug). The head sees the ViT output
      only.
    """

    LATE = "late"
    EARLY = "early"
    SPATIAL_TO_TEMPORAL = "s_to_t"
    TEMPORAL_TO_SPATIAL = "t_to_s"


def _conv_out(size: int) -> int:
    """Output length of a 3×3, stride-2, padding-1 convolution."""
    return (size - 1) // 2 + 1


@dataclass(frozen=True)
class TemporalCfg:
    """RMT-style temporal branch on apex − onset (a trimmed RMT_T3). One entry per stage in every tuple."""

    dims: tuple[int, ...] = (64, 128, 256, 512)
    depths: tuple[int, ...] = (1, 1, 2, 1)
    num_heads: tuple[int, ...] = (2, 2, 2, 2)
    mlp_ratios: tuple[float, ...] = (3.0, 3.0, 3.0, 3.0)
    masa_modes: tuple[MaSAMode, ...] = (MaSAMode.AXIAL, MaSAMode.AXIAL, MaSAMode.FULL, MaSAMode.FULL)
    decay_init: tuple[float, ...] = (2.0, 2.0, 2.0, 2.0)
    decay_range: tuple[float, ...] = (4.0, 4.0, 6.0, 6.0)
    drop_path_rate: float = 0.1
    norm_eps: float = 1e-6

    def __post_init__(self) -> None:
        n = len(self.dims)
        per_stage = ("depths", "num_heads", "mlp_ratios", "masa_modes", "decay_init", "decay_range")
        for name in per_stage:
            if len(getattr(self, name)) != n:
                raise ValueError(f"TemporalCfg.{name} has {len(getattr(self, name))} entries, dims has {n}")
        for dim, heads in zip(self.dims, self.num_heads):
            if dim % heads or (dim // heads) % 2:
                raise ValueError(f"stage dim {dim} must split into {heads} heads of even width")
        if self.dims[0] % 2:
            raise ValueError("the stem's first conv has dims[0] // 2 channels; dims[0] must be even")

    @property
    def num_stages(self) -> int:
        return len(self.dims)

    @property
    def block_drop_path_rates(self) -> tuple[tuple[float, ...], ...]:
        """Per stage, the drop-path rate of each block: linear from 0 to `drop_path_rate` over all blocks."""
        total = sum(self.depths)
        rates = [self.drop_path_rate * i / (total - 1) if total > 1 else 0.0 for i in range(total)]
        out, start = [], 0
        for depth in self.depths:
            out.append(tuple(rates[start : start + depth]))
            start += depth
        return tuple(out)

    def output_grid(self, input_size: int) -> int:
        """Side of the final feature map: the stem and each down-sampling halve the grid."""
        size = _conv_out(input_size)
        for _ in range(self.num_stages - 1):
            size = _conv_out(size)
        return size

    def stem_grid(self, input_size: int) -> int:
        return _conv_out(input_size)


@dataclass(frozen=True)
class SpatialCfg:
    """Shallow ViT on the onset frame resized to grid×grid."""

    grid: int = 14
    dim: int = 512
    depth: int = 2
    num_heads: int = 4
    mlp_ratio: float = 4.0
    antialias: bool = False  # faithful: off (the reference's likely torchvision 0.16 resizes tensors without it)
    norm_eps: float = 1e-6

    def __post_init__(self) -> None:
        if self.dim % self.num_heads:
            raise ValueError(f"ViT dim {self.dim} does not split into {self.num_heads} heads")


@dataclass(frozen=True)
class TSFmicroCfg:
    """The whole pair classifier. Defaults are the published model (12,789,413 parameters at 5 classes)."""

    num_classes: int = 5
    input_size: int = 224
    in_chans: int = 3
    temporal: TemporalCfg = field(default_factory=TemporalCfg)
    spatial: SpatialCfg = field(default_factory=SpatialCfg)
    embed_dim: int = 1024  # width of the head projection, i.e. of the pre-logits embedding
    fusion: Fusion = Fusion.LATE
    bn_eps: float = 1e-5

    def __post_init__(self) -> None:
        if self.num_classes < 1:
            raise ValueError("num_classes must be positive")
        if self.fusion is Fusion.EARLY:
            return
        if self.fusion is Fusion.SPATIAL_TO_TEMPORAL:
            stem_grid = self.temporal.stem_grid(self.input_size)
            ratio = stem_grid // self.spatial.grid
            if stem_grid % self.spatial.grid or ratio & (ratio - 1):
                raise ValueError("S→T fusion needs the stem grid to be a power-of-two multiple of the ViT grid")
            return
        # late and T→S fusion add the temporal and spatial maps element-wise
        out_grid = self.temporal.output_grid(self.input_size)
        if out_grid != self.spatial.grid:
            raise ValueError(f"temporal output grid {out_grid} differs from spatial grid {self.spatial.grid}")
        if self.temporal.dims[-1] != self.spatial.dim:
            raise ValueError(f"temporal width {self.temporal.dims[-1]} differs from ViT width {self.spatial.dim}")

    @property
    def feature_dim(self) -> int:
        """Channels of the fused map that `forward_features` returns."""
        if self.fusion is Fusion.TEMPORAL_TO_SPATIAL:
            return self.spatial.dim
        return self.temporal.dims[-1]


# --------------------------------------------------------------------------------------------------------------
# Plain-dict form

C = TypeVar("C")


def config_to_dict(cfg: Any) -> dict[str, Any]:
    """A dataclass config as nested plain dicts/lists of str, int, float and bool (enums become their values)."""

    def plain(value: Any) -> Any:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, enum.Enum):
            return value.value
        if isinstance(value, (tuple, list)):
            return [plain(v) for v in value]
        return value

    return plain(cfg)


def _coerce(value: Any, annotation: Any, where: str) -> Any:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(options) != 1:
            raise TypeError(f"{where}: unsupported config field type {annotation!r} (only Optional[X] is)")
        return None if value is None else _coerce(value, options[0], where)
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise ValueError(f"{where}: expected a list, got {type(value).__name__}")
        (item_type, _ellipsis) = typing.get_args(annotation)
        return tuple(_coerce(v, item_type, f"{where}[{i}]") for i, v in enumerate(value))
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        if isinstance(value, annotation):
            return value
        if not isinstance(value, Mapping):
            raise ValueError(f"{where}: expected a mapping, got {type(value).__name__}")
        return config_from_dict(annotation, value, where)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        try:
            return annotation(value)
        except ValueError:
            choices = [m.value for m in annotation]
            raise ValueError(f"{where}: {value!r} is not one of {choices}") from None
    if annotation is bool:
        if not isinstance(value, bool):
            raise ValueError(f"{where}: expected a bool, got {value!r}")
        return value
    if annotation is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{where}: expected an int, got {value!r}")
        return value
    if annotation is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{where}: expected a number, got {value!r}")
        return float(value)
    if annotation is str:
        if not isinstance(value, str):
            raise ValueError(f"{where}: expected a string, got {value!r}")
        return value
    raise TypeError(f"{where}: unsupported config field type {annotation!r}")


def config_from_dict(cls: type[C], data: Mapping[str, Any], where: str | None = None) -> C:
    """Rebuild config `cls` from `config_to_dict` output. Missing fields take defaults; unknown ones raise."""
    where = where or cls.__name__
    if not isinstance(data, Mapping):
        raise ValueError(f"{where}: expected a mapping, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = set(data) - names
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {sorted(unknown)}")
    kwargs = {name: _coerce(value, hints[name], f"{where}.{name}") for name, value in data.items()}
    return cls(**kwargs)


def with_overrides(cfg: C, overrides: Mapping[str, Any]) -> C:
    """`cfg` with fields replaced. A nested config may be overridden by a partial dict,
    e.g. `spatial={"antialias": True}`; enum fields accept their string values."""

    def merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
        merged = dict(base)
        for key, value in extra.items():
            if dataclasses.is_dataclass(value) and not isinstance(value, type):
                value = config_to_dict(value)
            if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
                merged[key] = merge(merged[key], value)
            else:
                merged[key] = config_to_dict(value) if isinstance(value, enum.Enum) else value
        return merged

    return config_from_dict(type(cfg), merge(config_to_dict(cfg), overrides))
