"""Shapes, parameter counts and gradients of the pair classifier: the full model (the published 12,789,413
parameters, counted per part) and the tiny test variant."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from model import Fusion, MaSAMode, TSFmicroCfg, create_model, list_models, model_cfg
from model.config import config_from_dict, config_to_dict


def count(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_full_model_parameter_count_is_the_published_one(full_model) -> None:
    assert count(full_model) == 12_789_413


def test_full_model_parameter_count_per_part(full_model) -> None:
    temporal, spatial, head = full_model.temporal, full_model.spatial, full_model.head
    assert count(temporal.stem) == 65_952
    assert [count(block) for block in temporal.stages[0].blocks] == [45_952]
    assert [count(block) for block in temporal.stages[1].blocks] == [173_824]
    assert sum(count(block) for block in temporal.stages[2].blocks) == 1_350_656
    assert [count(block) for block in temporal.stages[3].blocks] == [2_661_376]
    downsamples = [count(stage.downsample) for stage in temporal.stages[:3]]
    assert downsamples == [74_112, 295_680, 1_181_184]
    assert temporal.stages[3].downsample is None
    assert count(head.proj) == 525_312 and count(head.norm) == 2_048 and count(head.classifier) == 1_025 * 5
    assert count(spatial.patch_embed) == 2_048 and spatial.pos_embed.numel() == 100_352
    assert sum(count(block) for block in spatial.blocks) == 6_304_768 and count(spatial.norm) == 1_024


@pytest.mark.parametrize("num_classes", [3, 7])
def test_parameter_count_grows_by_1025_per_class(num_classes: int) -> None:
    model = create_model("tsfmicro_tiny", num_classes=num_classes)
    assert count(model.head.classifier) == (model.cfg.embed_dim + 1) * num_classes


def test_full_model_tensor_shapes_per_stage(full_model, full_pair) -> None:
    seen: dict[str, tuple[int, ...]] = {}

    def record(name):
        return lambda module, args, output: seen.__setitem__(name, tuple(output.shape))

    handles = [full_model.temporal.stem.register_forward_hook(record("stem"))]
    handles += [s.register_forward_hook(record(f"stage{i}")) for i, s in enumerate(full_model.temporal.stages)]
    handles.append(full_model.spatial.register_forward_hook(record("spatial")))
    try:
        with torch.no_grad():
            fused = full_model.forward_features(*full_pair)
            embedding = full_model.forward_head(fused, pre_logits=True)
            logits = full_model.forward_head(fused)
    finally:
        for handle in handles:
            handle.remove()
    assert seen == {
        "stem": (1, 112, 112, 64),
        "stage0": (1, 56, 56, 128),
        "stage1": (1, 28, 28, 256),
        "stage2": (1, 14, 14, 512),
        "stage3": (1, 14, 14, 512),
        "spatial": (1, 14, 14, 512),
    }
    assert fused.shape == (1, 14, 14, 512)
    assert embedding.shape == (1, 1024)
    assert logits.shape == (1, 5)
    assert torch.isfinite(logits).all()


def test_tiny_variant_sizes_and_shapes(tiny_model, tiny_pair) -> None:
    cfg = tiny_model.cfg
    assert cfg.input_size == 64 and cfg.temporal.dims == (8, 16, 32, 64) and cfg.temporal.depths == (1, 1, 1, 1)
    assert set(cfg.temporal.num_heads) == {2} and cfg.spatial.dim == 64 and cfg.spatial.depth == 1
    assert cfg.spatial.grid == 4
    with torch.no_grad():
        fused = tiny_model.forward_features(*tiny_pair)
        logits = tiny_model(*tiny_pair)
    assert fused.shape == (2, 4, 4, 64)
    assert logits.shape == (2, 5) and torch.isfinite(logits).all()
    assert torch.equal(logits, tiny_model.forward_head(fused))


def test_every_parameter_gets_a_gradient_in_one_backward_pass(full_model, full_pair) -> None:
    model = create_model("tsfmicro", num_classes=5, temporal={"drop_path_rate": 0.0}).train()
    model.load_state_dict(full_model.state_dict())
    model(*full_pair).square().sum().backward()
    missing = [name for name, p in model.named_parameters() if p.grad is None or not p.grad.abs().sum() > 0]
    assert missing == []


def test_embedding_kinds(tiny_model, tiny_pair) -> None:
    with torch.no_grad():
        pre_logits = tiny_model.forward_embedding(*tiny_pair)
        fused_mean = tiny_model.forward_embedding(*tiny_pair, kind="fused_mean")
    assert pre_logits.shape == (2, tiny_model.embedding_dim("pre_logits")) == (2, 128)
    assert fused_mean.shape == (2, tiny_model.embedding_dim("fused_mean")) == (2, 64)


def test_reference_layout_details() -> None:
    cfg = TSFmicroCfg()
    assert cfg.temporal.masa_modes == (MaSAMode.AXIAL, MaSAMode.AXIAL, MaSAMode.FULL, MaSAMode.FULL)
    rates = cfg.temporal.block_drop_path_rates
    assert [len(stage) for stage in rates] == [1, 1, 2, 1]
    assert [r for stage in rates for r in stage] == pytest.approx([0.0, 0.025, 0.05, 0.075, 0.1])
    assert cfg.spatial.antialias is False and cfg.fusion is Fusion.LATE


def test_drop_path_is_active_only_in_training(tiny_pair) -> None:
    model = create_model("tsfmicro_tiny", temporal={"drop_path_rate": 0.9})
    model.eval()
    with torch.no_grad():
        assert torch.equal(model(*tiny_pair), model(*tiny_pair))
    block = model.temporal.stages[-1].blocks[0]
    block.train()
    x = torch.ones(64, 3)
    kept = block.drop_path(x)
    survivor = 1 / (1 - block.drop_path.drop_prob)
    assert all(row.tolist() in ([0.0] * 3, [pytest.approx(survivor)] * 3) for row in kept)
    assert 0 < int((kept[:, 0] == 0).sum()) < 64


# registry and config --------------------------------------------------------------------------------------------


def test_registry_lists_and_creates_models() -> None:
    assert list_models() == ["tsfmicro", "tsfmicro_tiny"]
    model = create_model("tsfmicro_tiny", num_classes=3, spatial={"antialias": True}, fusion="t_to_s")
    assert model.cfg.num_classes == 3 and model.cfg.spatial.antialias and model.cfg.fusion is Fusion.TEMPORAL_TO_SPATIAL
    assert model.cfg.spatial.dim == 64  # untouched nested fields keep the variant's values
    with pytest.raises(KeyError, match="unknown model"):
        create_model("resnet50")
    with pytest.raises(ValueError, match="unknown field"):
        model_cfg("tsfmicro", colour="blue")


def test_configs_are_frozen_and_round_trip_through_plain_dicts() -> None:
    cfg = model_cfg("tsfmicro_tiny", fusion=Fusion.SPATIAL_TO_TEMPORAL)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.num_classes = 9  # type: ignore[misc]
    plain = config_to_dict(cfg)
    assert plain["temporal"]["masa_modes"] == ["axial", "axial", "full", "full"]
    assert config_from_dict(TSFmicroCfg, plain) == cfg


def test_inconsistent_configs_are_rejected() -> None:
    with pytest.raises(ValueError, match="entries"):
        model_cfg("tsfmicro", temporal={"depths": (1, 1, 1)})
    with pytest.raises(ValueError, match="grid"):
        model_cfg("tsfmicro", input_size=256)
    with pytest.raises(ValueError, match="even width"):
        model_cfg("tsfmicro", temporal={"num_heads": (2, 2, 2, 3)})
