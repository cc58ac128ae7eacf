"""The epoch loop of the pair classifier: batches, augmentation, AdamW step; and batched prediction.

`SampleTensors` holds every sample preprocessed once with `model.preprocess` (the only preprocessing):
onset and apex (N, 3, S, S) float32, i.e. about 1.2 MB per sample at S = 224, and the labels (N,).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from app.training.augment import augment_appearance, augment_pairs
from model import PreprocessCfg, preprocess_crops


@dataclass(frozen=True)
class SampleTensors:
    onset: torch.Tensor
    apex: torch.Tensor
    labels: torch.Tensor

    def __len__(self) -> int:
        return len(self.labels)

    @classmethod
    def from_samples(cls, samples: Sequence, preprocess: PreprocessCfg) -> "SampleTensors":
        onset = preprocess_crops([s.onset for s in samples], preprocess)
        apex = preprocess_crops([s.apex for s in samples], preprocess)
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
    on_batch: Callable[[int, float], None] = lambda n, loss: None,
) -> float:
    """One pass over `indices` (this process's share, in order) in batches; returns the mean training loss."""
    model.train()
    total, count = 0.0, 0
    for start in range(0, len(indices), batch_size):
        batch = torch.as_tensor(indices[start : start + batch_size], dtype=torch.long)
        stack = torch.cat((data.onset[batch], data.apex[batch]), dim=1).to(device, non_blocking=True)
        stack = augment_pairs(stack, generator, rotation_deg, padding)
        stack = augment_appearance(stack, generator, appearance)
        onset, apex = stack[:, :3], stack[:, 3:]
        labels = data.labels[batch].to(device, non_blocking=True)
        loss = F.cross_entropy(model(onset, apex), labels)
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

