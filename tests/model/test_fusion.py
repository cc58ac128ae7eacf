"""The ablation fusion variants (config.Fusion) on the tiny model."""

from __future__ import annotations

import pytest
import torch

from model import Fusion, create_model


@pytest.mark.parametrize("fusion", list(Fusion))
def test_every_variant_trains_all_its_parameters(fusion: Fusion, tiny_pair) -> None:
    model = create_model("tsfmicro_tiny", fusion=fusion, temporal={"drop_path_rate": 0.0}).train()
    logits = model(*tiny_pair)
    assert logits.shape == (2, 5) and torch.isfinite(logits).all()
    logits.square().sum().backward()
    assert [n for n, p in model.named_parameters() if p.grad is None or not p.grad.abs().sum() > 0] == []


def test_variants_build_the_modules_they_need() -> None:
    late = create_model("tsfmicro_tiny")
    early = create_model("tsfmicro_tiny", fusion="early")
    s_to_t = create_model("tsfmicro_tiny", fusion="s_to_t")
    assert late.spatial is not None and late.onset_stem is None and late.spatial_upsampler is None
    assert early.spatial is None and early.onset_stem is not None
    assert len(s_to_t.spatial_upsampler.steps) == 3  # 4×4 ViT grid → 32×32 stem grid


def test_spatial_to_temporal_upsampler_reaches_the_stem_grid() -> None:
    model = create_model("tsfmicro", fusion="s_to_t")
    upsampler = model.spatial_upsampler
    widths = [(s.in_channels, s.out_channels) for s in upsampler.steps]
    assert widths == [(512, 256), (256, 128), (128, 64)]
    assert upsampler(torch.zeros(1, 14, 14, 512)).shape == (1, 112, 112, 64)


def test_temporal_to_spatial_feeds_the_vit_before_its_blocks(tiny_pair) -> None:
    model = create_model("tsfmicro_tiny", fusion="t_to_s").eval()
    seen = {}
    model.spatial.blocks[0].register_forward_pre_hook(lambda m, args: seen.__setitem__("tokens", args[0]))
    with torch.no_grad():
        fused = model.forward_features(*tiny_pair)
        onset, apex = tiny_pair
        expected = model.spatial.embed(onset) + model.temporal(apex - onset).flatten(1, 2)
    assert torch.allclose(seen["tokens"], expected)
    assert fused.shape == (2, 4, 4, 64)


def test_late_fusion_is_the_sum_of_both_branches(tiny_model, tiny_pair) -> None:
    onset, apex = tiny_pair
    with torch.no_grad():
        expected = tiny_model.temporal(apex - onset) + tiny_model.spatial(onset)
        assert torch.equal(tiny_model.forward_features(onset, apex), expected)


@pytest.mark.parametrize("fusion", list(Fusion))
def test_reference_pair_split_equals_forward_features(fusion: Fusion) -> None:
    """The two entry points a streaming analysis calls apart (a reference frame's features once, then each pair)
    give the full forward's fused map and embeddings."""
    torch.manual_seed(0)
    model = create_model("tsfmicro_tiny", fusion=fusion).eval()
    onset, apex = torch.randn(3, 3, 64, 64), torch.randn(3, 3, 64, 64)
    with torch.inference_mode():
        split = model.forward_pair_features(model.reference_features(onset), onset, apex)
        whole = model.forward_features(onset, apex)
        torch.testing.assert_close(split, whole, rtol=1e-5, atol=1e-5)
        for kind in ("pre_logits", "fused_mean"):
            torch.testing.assert_close(model.embedding_of(split, kind), model.forward_embedding(onset, apex, kind),
                                       rtol=1e-5, atol=1e-5)
