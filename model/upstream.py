"""State-dict key mapping to and from the reference implementation.

The reference `ts_micro` (Cross-Innovation-Lab/TSFmicro, commit 539eb2b) names its modules `vit_pos` (spatial ViT)
and `main_branch` (temporal RMT + head). Only the names differ; every tensor keeps its shape and layout, because
this package evaluates the same maths with the same parameter shapes. The mapping:

- drops the reference's dead ViT parameters (`cls_token`, the 5-way `head`, `to_Mask`);
- checks the deterministic per-stage buffers `Relpos.angle` / `Relpos.decay` against the config, then drops them
  (this package recomputes them and does not store them);
- renames everything else by the rules in `_RULES`, which are used in both directions.

Only the faithful late-fusion model has an upstream counterpart.
"""

from __future__ import annotations

import re
from typing import Mapping

import torch

from .config import Fusion, TSFmicroCfg
from .masa import head_log_decays, rotary_frequencies
from .tsfmicro import TSFmicro

STEM_UNITS = 4
UPSTREAM_STEM_STRIDE = 3  # upstream stem is one Sequential: conv, BN, GELU, conv, BN, GELU, ...
UPSTREAM_VIT_HEAD_CLASSES = 5  # hard-coded in the reference ViT's dead head
BUFFER_RTOL = 1e-6

_PLACEHOLDERS = {"s": r"(?P<s>\d+)", "b": r"(?P<b>\d+)", "p": r"(?P<p>[A-Za-z_]+)", "rest": r"(?P<rest>.+)"}
_UPSTREAM_BLOCK = "main_branch.layers.{s}.blocks.{b}"
_OUR_BLOCK = "temporal.stages.{s}.blocks.{b}"

# (upstream template, our template); template fields: {s} stage, {b} block, {p} tensor leaf name, {rest} sub-path
_RULES: tuple[tuple[str, str], ...] = (
    ("vit_pos.patch_embed.proj.{p}", "spatial.patch_embed.{p}"),
    ("vit_pos.pos_embed", "spatial.pos_embed"),
    ("vit_pos.blocks.{b}.{rest}", "spatial.blocks.{b}.{rest}"),
    ("vit_pos.norm.{p}", "spatial.norm.{p}"),
    *(
        rule
        for i in range(STEM_UNITS)
        for rule in (
            (f"main_branch.patch_embed.proj.{UPSTREAM_STEM_STRIDE * i}.{{p}}", f"temporal.stem.convs.{i}.{{p}}"),
            (f"main_branch.patch_embed.proj.{UPSTREAM_STEM_STRIDE * i + 1}.{{p}}", f"temporal.stem.norms.{i}.{{p}}"),
        )
    ),
    (f"{_UPSTREAM_BLOCK}.pos.{{rest}}", f"{_OUR_BLOCK}.cpe.{{rest}}"),
    (f"{_UPSTREAM_BLOCK}.retention_layer_norm.{{p}}", f"{_OUR_BLOCK}.masa_norm.{{p}}"),
    (f"{_UPSTREAM_BLOCK}.retention.{{rest}}", f"{_OUR_BLOCK}.masa.{{rest}}"),
    (f"{_UPSTREAM_BLOCK}.final_layer_norm.{{p}}", f"{_OUR_BLOCK}.ffn_norm.{{p}}"),
    (f"{_UPSTREAM_BLOCK}.ffn.{{rest}}", f"{_OUR_BLOCK}.ffn.{{rest}}"),
    ("main_branch.layers.{s}.downsample.reduction.{p}", "temporal.stages.{s}.downsample.conv.{p}"),
    ("main_branch.layers.{s}.downsample.norm.{p}", "temporal.stages.{s}.downsample.norm.{p}"),
    ("main_branch.proj.{p}", "head.proj.{p}"),
    ("main_branch.norm.{p}", "head.norm.{p}"),
    ("main_branch.head.{p}", "head.classifier.{p}"),
)

_DEAD_KEY = re.compile(r"^vit_pos\.(cls_token|head\.(weight|bias)|to_Mask\.0\.(weight|bias))$")
_RELPOS_KEY = re.compile(r"^main_branch\.layers\.(?P<s>\d+)\.Relpos\.(?P<buffer>angle|decay)$")


class UpstreamConversionError(ValueError):
    """A state dict that does not fit the reference layout or this config."""


def _compile(template: str) -> re.Pattern[str]:
    pattern = re.escape(template)
    for name, group in _PLACEHOLDERS.items():
        pattern = pattern.replace(re.escape(f"{{{name}}}"), group)
    return re.compile(f"^{pattern}$")


_FROM_UPSTREAM = tuple((_compile(up), ours) for up, ours in _RULES)
_TO_UPSTREAM = tuple((_compile(ours), up) for up, ours in _RULES)


def _rename(key: str, rules: tuple[tuple[re.Pattern[str], str], ...]) -> str | None:
    for pattern, template in rules:
        match = pattern.match(key)
        if match:
            return template.format(**match.groupdict())
    return None


def relpos_buffers(cfg: TSFmicroCfg, stage: int) -> dict[str, torch.Tensor]:
    """The reference's per-stage `Relpos` buffers for this config: angle (d_h,) with each θ_m repeated for its
    channel pair, and decay = log γ (N,)."""
    t = cfg.temporal
    heads = t.num_heads[stage]
    head_dim = t.dims[stage] // heads
    return {
        "angle": rotary_frequencies(head_dim).repeat_interleave(2),
        "decay": head_log_decays(heads, t.decay_init[stage], t.decay_range[stage]),
    }


def _require_late_fusion(cfg: TSFmicroCfg) -> None:
    if cfg.fusion is not Fusion.LATE:
        raise UpstreamConversionError(f"only late fusion has an upstream counterpart, not {cfg.fusion.value!r}")


def _check_relpos(key: str, value: torch.Tensor, cfg: TSFmicroCfg, stage: int, buffer: str) -> None:
    if stage >= cfg.temporal.num_stages:
        raise UpstreamConversionError(f"{key}: stage {stage} does not exist in this config")
    expected = relpos_buffers(cfg, stage)[buffer]
    matches = value.shape == expected.shape and torch.allclose(
        value.detach().to("cpu", torch.float64), expected.double(), rtol=BUFFER_RTOL, atol=0.0
    )
    if not matches:
        raise UpstreamConversionError(
            f"{key} {tuple(value.shape)} differs from the value this config implies {tuple(expected.shape)}; "
            "the checkpoint was trained with other heads or decay settings"
        )


def convert_upstream_state_dict(
    state_dict: Mapping[str, torch.Tensor], cfg: TSFmicroCfg | None = None
) -> dict[str, torch.Tensor]:
    """Map a reference `ts_micro` state dict onto `TSFmicro(cfg)`. Load the result with `strict=True`.

    `cfg` defaults to the published config with the class count read from `main_branch.head.weight`.
    Raises `UpstreamConversionError` on an unknown key or a `Relpos` buffer that disagrees with `cfg`.
    """
    if cfg is None:
        head_key = "main_branch.head.weight"
        if head_key not in state_dict:
            raise UpstreamConversionError(f"{head_key} missing: not a reference ts_micro state dict")
        cfg = TSFmicroCfg(num_classes=int(state_dict[head_key].shape[0]))
    _require_late_fusion(cfg)
    converted: dict[str, torch.Tensor] = {}
    for key, value in state_dict.items():
        if _DEAD_KEY.match(key):
            continue
        relpos = _RELPOS_KEY.match(key)
        if relpos:
            _check_relpos(key, value, cfg, int(relpos["s"]), relpos["buffer"])
            continue
        ours = _rename(key, _FROM_UPSTREAM)
        if ours is None:
            raise UpstreamConversionError(f"unrecognised upstream key {key!r}")
        converted[ours] = value
    return converted


def to_upstream_state_dict(model: TSFmicro) -> dict[str, torch.Tensor]:
    """The inverse mapping: `model`'s weights under the reference's key names, with the `Relpos` buffers it
    would hold and zero-filled stand-ins for its dead ViT parameters (which the reference never uses)."""
    cfg = model.cfg
    _require_late_fusion(cfg)
    upstream: dict[str, torch.Tensor] = {}
    for key, value in model.state_dict().items():
        name = _rename(key, _TO_UPSTREAM)
        if name is None:
            raise UpstreamConversionError(f"no upstream name for {key!r}")
        upstream[name] = value.detach().clone()
    for stage in range(cfg.temporal.num_stages):
        for buffer, value in relpos_buffers(cfg, stage).items():
            upstream[f"main_branch.layers.{stage}.Relpos.{buffer}"] = value
    dim = cfg.spatial.dim
    upstream["vit_pos.cls_token"] = torch.zeros(1, 1, dim)
    upstream["vit_pos.head.weight"] = torch.zeros(UPSTREAM_VIT_HEAD_CLASSES, dim)
    upstream["vit_pos.head.bias"] = torch.zeros(UPSTREAM_VIT_HEAD_CLASSES)
    upstream["vit_pos.to_Mask.0.weight"] = torch.zeros(1, dim)
    upstream["vit_pos.to_Mask.0.bias"] = torch.zeros(1)
    return upstream
