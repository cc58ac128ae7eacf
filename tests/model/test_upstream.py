"""Mapping to and from the reference implementation's state-dict keys; its dead keys are dropped."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from model import UpstreamConversionError, convert_upstream_state_dict, create_model, to_upstream_state_dict

REFERENCE_KEYS = Path(__file__).parent / "data" / "upstream_ts_micro_c5_keys.txt"


def reference_key_shapes() -> dict[str, tuple[int, ...]]:
    shapes = {}
    for line in REFERENCE_KEYS.read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        key, shape = line.split()
        shapes[key] = () if shape == "scalar" else tuple(int(d) for d in shape.split("x"))
    return shapes


def test_generated_upstream_keys_match_the_reference_model(full_model) -> None:
    upstream = to_upstream_state_dict(full_model)
    expected = reference_key_shapes()
    assert len(expected) == 210
    assert sorted(upstream) == sorted(expected)
    assert {key: tuple(value.shape) for key, value in upstream.items()} == expected


def test_round_trip_through_upstream_names_gives_identical_logits(full_model, full_pair) -> None:
    converted = convert_upstream_state_dict(to_upstream_state_dict(full_model))
    model = create_model("tsfmicro", num_classes=5).eval()
    model.load_state_dict(converted, strict=True)
    with torch.no_grad():
        assert torch.equal(model(*full_pair), full_model(*full_pair))


def test_dead_keys_are_dropped_and_buffers_checked(full_model) -> None:
    upstream = to_upstream_state_dict(full_model)
    converted = convert_upstream_state_dict(upstream)
    assert not any("cls_token" in k or "to_Mask" in k or "Relpos" in k for k in converted)
    assert len(converted) == len(full_model.state_dict())

    upstream["main_branch.layers.2.Relpos.decay"] = upstream["main_branch.layers.2.Relpos.decay"] * 1.01
    with pytest.raises(UpstreamConversionError, match="Relpos.decay"):
        convert_upstream_state_dict(upstream)


def test_unknown_key_is_rejected(full_model) -> None:
    upstream = to_upstream_state_dict(full_model)
    upstream["main_branch.layers.0.blocks.0.gamma_1"] = torch.ones(1, 1, 1, 64)
    with pytest.raises(UpstreamConversionError, match="gamma_1"):
        convert_upstream_state_dict(upstream)


def test_tiny_variant_round_trips_with_explicit_config(tiny_model, tiny_pair) -> None:
    upstream = to_upstream_state_dict(tiny_model)
    assert upstream["main_branch.layers.0.Relpos.angle"].shape == (4,)
    model = create_model("tsfmicro_tiny").eval()
    model.load_state_dict(convert_upstream_state_dict(upstream, tiny_model.cfg), strict=True)
    with torch.no_grad():
        assert torch.equal(model(*tiny_pair), tiny_model(*tiny_pair))


def test_only_late_fusion_has_an_upstream_counterpart() -> None:
    with pytest.raises(UpstreamConversionError, match="late"):
        to_upstream_state_dict(create_model("tsfmicro_tiny", fusion="early"))
