"""Training augmentation of the reference recipe, on the 6-channel stack [onset, apex] of normalised tensors, so both
frames get the same random parameters. In order: horizontal flip (p = 0.5); rotation within ±`rotation_deg`
(nearest neighbour, fill 0); random crop back to the input size after zero padding of `padding` px.

It runs after normalisation, so "fill 0" is the ImageNet mean colour, as in the reference. The reference pads
15 px at 224 (4 px for 3 classes); the padding is given at 224 px and scaled to the model's input size (64 px for
the tiny model → 4 px). Randomness comes only from the `torch.Generator` passed in, so a run is repeatable.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from model.preprocess import gaussian_blur

REFERENCE_SIZE = 224


def scaled_padding(padding_at_224: int, size: int) -> int:
    return int(round(padding_at_224 * size / REFERENCE_SIZE))


def augment_pairs(
    stack: torch.Tensor, generator: torch.Generator, rotation_deg: float = 3.0, padding: int = 15
) -> torch.Tensor:
    """stack (B, 6, S, S) float → augmented (B, 6, S, S). `padding` is in pixels at the stack's own size."""
    batch, channels, height, width = stack.shape
    # Draw every random number first, in a fixed order, on the CPU generator.
    flip = torch.rand(batch, generator=generator) < 0.5
    angles = (torch.rand(batch, generator=generator) * 2 - 1) * rotation_deg
    offsets = torch.randint(0, 2 * padding + 1, (batch, 2), generator=generator)
    out = torch.where(flip.view(-1, 1, 1, 1).to(stack.device), stack.flip(-1), stack)
    if rotation_deg > 0:
        out = _rotate(out, angles.to(stack.device))
    if padding > 0:
        padded = F.pad(out, (padding, padding, padding, padding))
        rows = offsets[:, 0].view(-1, 1) + torch.arange(height).view(1, -1)  # (B, H)
        cols = offsets[:, 1].view(-1, 1) + torch.arange(width).view(1, -1)  # (B, W)
        index = torch.arange(batch).view(-1, 1, 1)
        out = padded.permute(0, 2, 3, 1)[index, rows.view(batch, -1, 1), cols.view(batch, 1, -1)]
        out = out.permute(0, 3, 1, 2).contiguous()
    return out


def _rotate(images: torch.Tensor, degrees: torch.Tensor) -> torch.Tensor:
    """Rotate each image about its centre by its angle (counter-clockwise, degrees), nearest, zeros outside."""
    radians = degrees * (math.pi / 180.0)
    cos, sin = torch.cos(radians), torch.sin(radians)
    zeros = torch.zeros_like(cos)
    # affine_grid maps output coordinates to input coordinates: the inverse rotation.
    theta = torch.stack((torch.stack((cos, -sin, zeros), -1), torch.stack((sin, cos, zeros), -1)), 1)
    height, width = images.shape[-2:]
    if height != width:  # keep the rotation a rotation in pixel units on non-square inputs
        theta[:, 0, 1] *= height / width
        theta[:, 1, 0] *= width / height
    grid = F.affine_grid(theta.to(images.dtype), list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, mode="nearest", padding_mode="zeros", align_corners=False)


SHAPE_GRID = 5           # control points per side of the random displacement field
SHAPE_DISPLACEMENT = 0.1   # largest control-point shift at strength 1, in units of the half image size
SHAPE_SCALE = 0.1          # largest change of width and of height at strength 1 (independently)


def augment_shape(stack: torch.Tensor, generator: torch.Generator, strength: float) -> torch.Tensor:
    """Face-shape changes that keep the motion (not in the reference recipe; `--shape-aug`): per sample, one smooth
    warp applied to both frames alike — the width and the height scaled independently by up to ±10 %·strength, plus a
    displacement field interpolated (bicubic) from a 5 × 5 grid of random shifts of up to 10 %·strength of the half
    size. Proportions change (eye spacing, face width, nose and mouth positions) as they do between people, while
    what moves between the two frames still moves. `stack` (B, 6, S, S); `strength` 0 returns it unchanged and
    draws no random numbers."""
    if strength <= 0:
        return stack
    batch, _, height, width = stack.shape
    scale = 1 + (torch.rand(batch, 2, generator=generator) * 2 - 1) * SHAPE_SCALE * strength
    shifts = (torch.rand(batch, 2, SHAPE_GRID, SHAPE_GRID, generator=generator) * 2 - 1) * SHAPE_DISPLACEMENT * strength
    device, dtype = stack.device, stack.dtype
    theta = torch.zeros(batch, 2, 3, dtype=dtype)
    theta[:, 0, 0], theta[:, 1, 1] = 1 / scale[:, 0], 1 / scale[:, 1]  # grid maps output to input coordinates
    grid = F.affine_grid(theta.to(device), list(stack.shape), align_corners=False)
    field = F.interpolate(shifts.to(device, dtype), size=(height, width), mode="bicubic", align_corners=True)
    grid = grid + field.permute(0, 2, 3, 1)
    return F.grid_sample(stack, grid, mode="bilinear", padding_mode="border", align_corners=False)


def augment_appearance(stack: torch.Tensor, generator: torch.Generator, strength: float) -> torch.Tensor:
    """Appearance changes that keep the motion (not in the reference recipe; `--appearance-aug`): per sample, the
    same random colour gain and offset per channel, contrast, Gaussian blur (σ up to 1.5·strength px), optional
    greyscale and, with probability 0.5, inverted intensities on both frames, then independent sensor noise per
    frame. Inversion flips the sign of the frame difference and of the image gradients together, so only what does
    not depend on whether a feature is darker or lighter than its surroundings (the motion) stays informative. `stack` is (B, 6, S, S) normalised
    [onset, apex]; `strength` 0 returns it unchanged, 1 is the full range. A model trained on one face leans on that
    face's look; these draws stand in for other faces, cameras and lighting."""
    if strength <= 0:
        return stack
    batch = stack.shape[0]
    gain = 1 + (torch.rand(batch, 3, generator=generator) * 2 - 1) * 0.4 * strength
    offset = (torch.rand(batch, 3, generator=generator) * 2 - 1) * 0.4 * strength
    contrast = 1 + (torch.rand(batch, generator=generator) * 2 - 1) * 0.5 * strength
    sigma = torch.rand(batch, generator=generator) * 1.5 * strength
    grey = torch.rand(batch, generator=generator) < 0.2 * strength
    noise_sd = torch.rand(batch, generator=generator) * 0.08 * strength
    invert = torch.rand(batch, generator=generator) < 0.5
    noise = torch.randn(stack.shape, generator=generator)
    device = stack.device
    gain, offset = gain.repeat(1, 2).to(device)[..., None, None], offset.repeat(1, 2).to(device)[..., None, None]
    out = stack * gain + offset
    mean = out.mean(dim=(1, 2, 3), keepdim=True)
    out = (out - mean) * contrast.to(device).view(-1, 1, 1, 1) + mean
    out = gaussian_blur(out, sigma.to(device))
    grey_values = torch.cat([out[:, :3].mean(1, keepdim=True).expand(-1, 3, -1, -1),
                             out[:, 3:].mean(1, keepdim=True).expand(-1, 3, -1, -1)], dim=1)
    out = torch.where(grey.to(device).view(-1, 1, 1, 1), grey_values, out)
    out = torch.where(invert.to(device).view(-1, 1, 1, 1), -out, out)
    return out + noise.to(device) * noise_sd.to(device).view(-1, 1, 1, 1)
