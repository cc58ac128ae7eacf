"""The per-frame transform: an RGB uint8 crop resized to the input size, then normalised (ImageNet mean/std, or
grey local contrast)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from model import PreprocessCfg, ResizeMethod, preprocess_crop, preprocess_crops


def striped_crop(height: int = 300, width: int = 260) -> np.ndarray:
    rng = np.random.default_rng(0)
    crop = rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8)
    crop[::2] = 255 - crop[::2]  # high frequencies, where antialiasing matters
    return crop


def test_constant_crop_normalises_to_imagenet_z_scores() -> None:
    crop = np.full((50, 40, 3), (255, 0, 128), dtype=np.uint8)
    out = preprocess_crop(crop)
    assert out.shape == (3, 224, 224) and out.dtype == torch.float32
    expected = [(1.0 - 0.485) / 0.229, (0.0 - 0.456) / 0.224, (128 / 255 - 0.406) / 0.225]
    assert out.mean(dim=(1, 2)).tolist() == pytest.approx(expected, abs=1e-5)


def test_preprocessing_is_deterministic_and_batches_mixed_sizes() -> None:
    crops = [striped_crop(), striped_crop(120, 90)]
    first, second = preprocess_crops(crops), preprocess_crops(crops)
    assert first.shape == (2, 3, 224, 224)
    assert torch.equal(first, second)
    assert torch.equal(first[1], preprocess_crop(crops[1]))


def test_resize_methods_differ() -> None:
    crop = striped_crop()
    antialiased = preprocess_crop(crop, PreprocessCfg(resize=ResizeMethod.BILINEAR_ANTIALIAS))
    plain = preprocess_crop(crop, PreprocessCfg(resize=ResizeMethod.BILINEAR))
    assert (antialiased - plain).abs().max() > 0.1
    assert antialiased.std() < plain.std()  # the antialiased downscale smooths the stripes


def test_rejects_non_rgb_uint8_crops() -> None:
    with pytest.raises(ValueError, match="uint8"):
        preprocess_crop(np.zeros((10, 10, 3), dtype=np.float32))
    with pytest.raises(ValueError, match="RGB"):
        preprocess_crop(np.zeros((10, 10), dtype=np.uint8))
    with pytest.raises(ValueError, match="channel_order"):
        PreprocessCfg(channel_order="BGR")


def test_size_follows_config() -> None:
    batch = preprocess_crops(np.zeros((3, 20, 20, 3), dtype=np.uint8), PreprocessCfg(size=64))
    assert batch.shape == (3, 3, 64, 64)


@pytest.mark.parametrize("shape", [(300, 260, 3), (120, 90, 3)])
def test_antialiased_resize_is_within_one_grey_level_of_pil_bilinear(shape: tuple[int, int, int]) -> None:
    """The reference resizes PIL images (PIL bilinear, antialiased on downscale); PIL is only a test-time check."""
    image_module = pytest.importorskip("PIL.Image")
    crop = np.random.default_rng(1).integers(0, 256, size=shape, dtype=np.uint8)
    pil = np.asarray(image_module.fromarray(crop).resize((224, 224), image_module.BILINEAR), dtype=np.float32) / 255
    cfg = PreprocessCfg()
    ours = preprocess_crop(crop, cfg) * torch.tensor(cfg.std).view(3, 1, 1) + torch.tensor(cfg.mean).view(3, 1, 1)
    assert np.abs(ours.permute(1, 2, 0).numpy() - pil).max() <= 1.0 / 255 + 1e-5


def test_local_contrast_is_grey_and_ignores_lighting_and_skin_tone() -> None:
    """`normalize="local_contrast"`: the same face under other lighting, contrast and colour cast gives (nearly) the
    same model input; a motion still shows in the difference of two frames."""
    from skimage import data

    face = data.astronaut()[30:230, 150:350]
    cfg = PreprocessCfg(size=64, normalize="local_contrast")
    base = preprocess_crop(face, cfg)
    assert torch.equal(base[0], base[1]) and torch.equal(base[1], base[2])
    relit = np.clip(face.astype(np.float32) * np.array([0.6, 0.7, 0.9]) + 30, 0, 255).astype(np.uint8)
    assert float((preprocess_crop(relit, cfg) - base).abs().mean()) < 0.1 * float(base.abs().mean())
    imagenet = PreprocessCfg(size=64)
    assert float((preprocess_crop(relit, imagenet) - preprocess_crop(face, imagenet)).abs().mean()) > 0.3
    moved = np.roll(face, 2, axis=0)
    assert float((preprocess_crop(moved, cfg) - base).abs().mean()) > 0.2 * float(base.abs().mean())
    with pytest.raises(ValueError, match="normalize"):
        PreprocessCfg(normalize="zscore")


def test_the_normalisation_travels_with_the_checkpoint(tmp_path) -> None:
    from model import create_model, load_checkpoint, save_checkpoint

    model = create_model("tsfmicro_tiny", num_classes=2)
    cfg = PreprocessCfg(size=64, normalize="local_contrast")
    path = save_checkpoint(tmp_path / "m.pt", model, model_name="tsfmicro_tiny", class_names=("a", "b"),
                           preprocess=cfg, model_card={})
    assert load_checkpoint(path).preprocess == cfg
