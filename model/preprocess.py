"""The one implementation of the per-frame transform: RGB uint8 crops → normalised tensors.

The app and the training code both import this module; nothing else resizes or normalises model inputs.

Resize methods (recorded in every checkpoint through `PreprocessCfg.resize`):

- `BILINEAR_ANTIALIAS` (default): `torch.nn.functional.interpolate(..., mode="bilinear", antialias=True)`.
  This is torch's port of PIL's bilinear filter with support widened on downscale, i.e. the closest available
  equivalent of the reference's torchvision `Resize` on a PIL image. It is not guaranteed bit-identical to PIL
  (PIL works on uint8 with its own rounding); expect differences of about one grey level.
- `BILINEAR`: plain bilinear interpolation without antialiasing (align_corners=False).

Normalisation (`PreprocessCfg.normalize`, recorded in every checkpoint):

- `imagenet` (default, the reference): (RGB − mean) / std per channel.
- `local_contrast` (this project's option, not in the paper): grey level, then local contrast normalisation
  (g − μ) / (σ + 0.02) with μ, σ the Gaussian-weighted local mean and standard deviation (σ_G = size / 16), clipped
  to ±4 and repeated on three channels. The difference of two such frames approximates the motion along the image
  gradient largely independently of skin tone, lighting and sharpness, which is what lets a model trained on few
  faces carry over to other faces.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch
import torch.nn.functional as F

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


NORMALIZATIONS = ("imagenet", "local_contrast")
LCN_SIGMA_FRACTION = 1 / 16
LCN_FLOOR = 0.02
LCN_CLIP = 4.0


class ResizeMethod(str, enum.Enum):
    BILINEAR_ANTIALIAS = "bilinear_antialias"
    BILINEAR = "bilinear"


@dataclass(frozen=True)
class PreprocessCfg:
    """Everything needed to turn a face crop into a model input, stored in checkpoints: the per-frame transform only
    (the face crops, pairing and decoding a model expects are the checkpoint's `contract`, see `model.checkpoint`)."""

    size: int = 224
    mean: tuple[float, ...] = IMAGENET_MEAN
    std: tuple[float, ...] = IMAGENET_STD
    channel_order: str = "RGB"
    resize: ResizeMethod = ResizeMethod.BILINEAR_ANTIALIAS
    normalize: str = "imagenet"

    def __post_init__(self) -> None:
        if self.normalize not in NORMALIZATIONS:
            raise ValueError(f"normalize must be one of {NORMALIZATIONS}, got {self.normalize!r}")
        if self.channel_order != "RGB":
            raise ValueError(f"channel_order must be 'RGB', got {self.channel_order!r}")
        if len(self.mean) != 3 or len(self.std) != 3 or min(self.std) <= 0:
            raise ValueError("mean and std need three entries each, std positive")
        if self.size < 1:
            raise ValueError("size must be positive")


def _as_uint8_rgb(crop: np.ndarray) -> np.ndarray:
    crop = np.asarray(crop)
    if crop.dtype != np.uint8 or crop.ndim != 3 or crop.shape[2] != 3:
        raise ValueError(f"expected an RGB uint8 crop (H, W, 3), got {crop.dtype} {crop.shape}")
    return crop


def preprocess_crops(crops: np.ndarray | Sequence[np.ndarray], cfg: PreprocessCfg = PreprocessCfg()) -> torch.Tensor:
    """RGB uint8 face crops → normalised float32 model inputs.

    crops: one array (N, H, W, 3), or a sequence of (H_i, W_i, 3) arrays of any sizes. → (N, 3, size, size).
    Deterministic: the same crops and cfg always give the same tensor.
    """
    if isinstance(crops, np.ndarray) and crops.ndim == 4:
        crops = list(crops)
    if len(crops) == 0:
        return torch.empty(0, 3, cfg.size, cfg.size)
    mean = torch.tensor(cfg.mean, dtype=torch.float32).view(3, 1, 1)
    std = torch.tensor(cfg.std, dtype=torch.float32).view(3, 1, 1)
    antialias = ResizeMethod(cfg.resize) is ResizeMethod.BILINEAR_ANTIALIAS
    out = torch.empty(len(crops), 3, cfg.size, cfg.size)
    for i, crop in enumerate(crops):
        image = torch.from_numpy(np.ascontiguousarray(_as_uint8_rgb(crop))).permute(2, 0, 1).float() / 255.0
        resized = F.interpolate(
            image[None], size=(cfg.size, cfg.size), mode="bilinear", align_corners=False, antialias=antialias
        )[0]
        out[i] = (resized - mean) / std if cfg.normalize == "imagenet" else local_contrast(resized)
    return out


def local_contrast(image: torch.Tensor) -> torch.Tensor:
    """(3, S, S) RGB in [0, 1] → (3, S, S): the grey image's local contrast normalisation, on three channels."""
    grey = (image * torch.tensor([0.299, 0.587, 0.114]).view(3, 1, 1)).sum(0)[None, None]
    sigma = torch.tensor([max(1.0, image.shape[-1] * LCN_SIGMA_FRACTION)])
    mean = gaussian_blur(grey, sigma)
    spread = gaussian_blur((grey - mean) ** 2, sigma).clamp(min=0).sqrt()
    out = ((grey - mean) / (spread + LCN_FLOOR)).clamp(-LCN_CLIP, LCN_CLIP)
    return out[0].expand(3, -1, -1).contiguous()


def gaussian_blur(images: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
    """(B, C, H, W) → the same, each image blurred by its own σ (B,) in px with a separable Gaussian of radius
    ⌈3σ⌉ (of the largest σ), reflect padding; images with σ < 0.3 are returned unchanged."""
    radius = max(1, int(math.ceil(3 * float(sigma.max()))))
    radius = min(radius, (min(images.shape[-2:]) - 1))
    x = torch.arange(-radius, radius + 1, dtype=images.dtype, device=images.device)
    safe = sigma.to(images.device, images.dtype).clamp(min=1e-3).view(-1, 1)
    kernel = torch.exp(-0.5 * (x.view(1, -1) / safe) ** 2)
    kernel = kernel / kernel.sum(dim=1, keepdim=True)
    identity = (x == 0).to(images.dtype).view(1, -1).expand_as(kernel)
    kernel = torch.where((sigma < 0.3).to(images.device).view(-1, 1), identity, kernel)  # (B, K)
    batch, channels, height, width = images.shape
    flat = images.reshape(1, batch * channels, height, width)
    k = kernel.repeat_interleave(channels, dim=0)
    flat = F.conv2d(F.pad(flat, (radius, radius, 0, 0), mode="reflect"), k.view(-1, 1, 1, 2 * radius + 1),
                    groups=batch * channels)
    flat = F.conv2d(F.pad(flat, (0, 0, radius, radius), mode="reflect"), k.view(-1, 1, 2 * radius + 1, 1),
                    groups=batch * channels)
    return flat.view(batch, channels, height, width)


def preprocess_crop(crop: np.ndarray, cfg: PreprocessCfg = PreprocessCfg()) -> torch.Tensor:
    """One RGB uint8 crop (H, W, 3) → (3, size, size)."""
    return preprocess_crops([crop], cfg)[0]
