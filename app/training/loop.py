"""The epoch loop of the pair classifier: batches, augmentation, AdamW step; and batched prediction.

`SampleTensors` holds every sample preprocessed once with `model.preprocess` (the only preprocessing):
onset and apex (N, 3, S, S) float32, i.e. about 1.2 MB per sample at S = 224, and the labels (N,).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Optional, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from app.analysis.pairing import PairingPolicy
from app.training.augment import augment_appearance, augment_pairs, augment_shape
from model import PreprocessCfg, preprocess_crops

if TYPE_CHECKING:
    from app.training.motion_pairs import MotionPairs


@dataclass(frozen=True)
class MotionBatches:
    """Which motion pairs go with which batch of an epoch: `order` (this process's pair indices, shuffled),
    as many per batch as it has labelled samples, cycled; `weights` the phase class weights."""

    pairs: "MotionPairs"
    order: Sequence[int]
    weights: torch.Tensor

    def take(self, start: int, size: int) -> torch.Tensor:
        """Pair indices for the labelled batch that starts at position `start` of the epoch."""
        return torch.as_tensor([self.order[(start + i) % len(self.order)] for i in range(size)], dtype=torch.long)


@dataclass(frozen=True)
class SampleTensors:
    onset: torch.Tensor
    apex: torch.Tensor
    labels: torch.Tensor

    def __len__(self) -> int:
        return len(self.labels)

    @classmethod
    def from_samples(cls, samples: Sequence, preprocess: PreprocessCfg, pairing: PairingPolicy) -> "SampleTensors":
        """Model inputs of the samples' crop pairs; apex crops registered onto their onset crops when `pairing`
        asks for it."""
        onset = preprocess_crops([s.onset for s in samples], preprocess)
        apex = preprocess_crops([pairing.current_crop(s.onset, s.apex) for s in samples], preprocess)
        labels = torch.tensor([s.label for s in samples], dtype=torch.long)
        return cls(onset, apex, labels)


def make_optimizer(model: nn.Module, lr: float, weight_decay: float) -> torch.optim.Optimizer:
    """AdamW on all parameters (no exclusion for norms or biases), as the reference."""
    return torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)


def make_scheduler(optimizer: torch.optim.Optimizer, gamma: float) -> torch.optim.lr_scheduler.ExponentialLR:
    return torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=gamma)


def end_of_epoch_schedule(scheduler, epoch: int, decay_epochs: int) -> None:
    """ExponentialLR is stepped once per epoch for epochs 1..decay_epochs only; then the rate stays constant."""
    if epoch <= decay_epochs:
        scheduler.step()


def train_epoch(
    model: nn.Module,
    data: SampleTensors,
    indices: Sequence[int],
    *,
    batch_size: int,
    optimizer: torch.optim.Optimizer,
    generator: torch.Generator,
    device: torch.device,
    rotation_deg: float,
    padding: int,
    appearance: float = 0.0,
    shape: float = 0.0,
    motion: Optional[MotionBatches] = None,
    on_batch: Callable[[int, float], None] = lambda n, loss: None,
) -> float:
    """One pass over `indices` (this process's share, in order) in batches; returns the mean training loss.

    With `motion`, `model` is a `WithPhaseHead` and every batch also carries as many motion pairs (in
    `motion.order`, cycled), augmented alike; the loss is the class cross-entropy plus the phase cross-entropy."""
    model.train()
    total, count = 0.0, 0
    for start in range(0, len(indices), batch_size):
        batch = torch.as_tensor(indices[start : start + batch_size], dtype=torch.long)
        stack = torch.cat((data.onset[batch], data.apex[batch]), dim=1)
        if motion is not None:
            extra = motion.take(start, len(batch))
            stack = torch.cat((stack, torch.cat((motion.pairs.onset[extra], motion.pairs.apex[extra]), dim=1).float()))
        stack = augment_pairs(stack.to(device, non_blocking=True), generator, rotation_deg, padding)
        stack = augment_shape(stack, generator, shape)
        stack = augment_appearance(stack, generator, appearance)
        onset, apex = stack[:, :3], stack[:, 3:]
        labels = data.labels[batch].to(device, non_blocking=True)
        if motion is None:
            loss = F.cross_entropy(model(onset, apex), labels)
        else:
            logits, phase_logits = model(onset, apex, len(batch))
            loss = F.cross_entropy(logits, labels) + F.cross_entropy(
                phase_logits, motion.pairs.phase[extra].to(device), weight=motion.weights.to(device))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        total += float(loss.detach()) * len(batch)
        count += len(batch)
        on_batch(len(batch), float(loss.detach()))
    return total / max(1, count)


@torch.no_grad()
def predict(model: nn.Module, data: SampleTensors, indices: Sequence[int], *, batch_size: int,
            device: torch.device) -> tuple[np.ndarray, np.ndarray]:
    """Eval-mode predictions in the given order (no shuffling): (labels (n,), probabilities (n, C))."""
    model.eval()
    probs = []
    for start in range(0, len(indices), batch_size):
        batch = torch.as_tensor(indices[start : start + batch_size], dtype=torch.long)
        logits = model(data.onset[batch].to(device), data.apex[batch].to(device))
        probs.append(torch.softmax(logits.float(), dim=-1).cpu())
    if not probs:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)
    p = torch.cat(probs).numpy()
    return p.argmax(axis=1), p


def confusion(true: Sequence[int], pred: Sequence[int], num_classes: int) -> np.ndarray:
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(true, dtype=np.int64), np.asarray(pred, dtype=np.int64)), 1)
    return matrix

