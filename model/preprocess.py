"""The one implementation of the per-frame transform (MODEL_SPEC §1.3): RGB uint8 crops → normalised tensors.

The app and the training code both import this module; nothing else resizes or normalises model inputs.

Resize methods (recorded in every checkpoint through `PreprocessCfg.resize`):

- `BILINEAR_ANTIALIAS` (default): `torch.nn.functional.interpolate(..., mode="bilinear", antialias=True)`.
  This is torch's port of PIL's bilinear filter with support widened on downscale, i.e. the closest available
  equivalent of the reference's torchvision `Resize` on a PIL image. It is not guaranteed bit-identical to PIL
  (PIL works on uint8 with its own rounding); expect differences of about one grey level.
- `BILINEAR`: plain bilinear interpolation without antialiasing (align_corners=False).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch
import torch.nn.functional as F

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class ResizeMethod(str, enum.Enum):
    BILINEAR_ANTIALIAS = "bilinear_antialias"
    BILINEAR = "bilinear"


@dataclass(frozen=True)
class PreprocessCfg:
    """Everything needed to turn a face crop into a model input, stored in checkpoints.

    `crop_spec` and `pairing_policy` are owned by the face-cropping and pairing code; they are carried here
    verbatim (free-form strings, e.g. JSON) so a checkpoint fully describes its input contract.
    """

    size: int = 224
    mean: tuple[float, ...] = IMAGENET_MEAN
    std: tuple[float, ...] = IMAGENET_STD
    channel_order: str = "RGB"
    resize: ResizeMethod = ResizeMethod.BILINEAR_ANTIALIAS
    crop_spec: str = "unspecified"
    pairing_policy: str = "unspecified"

    def __post_init__(self) -> None:
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
        out[i] = (resized - mean) / std
    return out


def preprocess_crop(crop: np.ndarray, cfg: PreprocessCfg = PreprocessCfg()) -> torch.Tensor:
    """One RGB uint8 crop (H, W, 3) → (3, size, size)."""
    return preprocess_crops([crop], cfg)[0]
