"""Training the per-frame spotting head on top of a trained pair classifier (docs/training.md, "The spotting head").

1. Embeddings: per video, every frame t is paired with r(t) = max(0, t − k), k from the pairing policy
   (`app.analysis.PairingPolicy`); the pair goes through the classifier (frozen, eval mode) via the inference
   `Predictor`, so training sees exactly the embeddings the app computes. A pair is valid when both frames have an
   ok face, as in the analysis pipeline; invalid frames enter the head with a zero embedding and valid = 0.
2. Targets per frame from the labelled intervals, apex half-width a = ⌊0.02·fps + 0.5⌋:
   onset f_on ≤ t < f_ap − a; apex |t − f_ap| ≤ a; offset f_ap + a < t ≤ f_off; none elsewhere.
   Frames inside an unreviewed (`suggested`) event are ignored (they are neither event nor non-event).
3. The head trains with the parallel form on windows of `head_window_s` seconds (at most `MAX_WINDOW` frames),
   class-weighted cross-entropy (weights ∝ 1 / frequency, on the training subjects).
4. Subject-disjoint check: the head is trained on the training subjects of a seeded subject hold-out split and
   scored on the held-out subjects (per-frame UAR over the phases; MEGC spotting F1 of the decoded proposals);
   the stored head is then retrained on every subject with the same settings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from app.analysis.evaluate import spotting_counts, uar
from app.analysis.pairing import PairingPolicy
from app.analysis.proposals import propose_intervals
from app.analysis.registration import registration_thumb
from app.core.events import Event
from app.training.crops import VideoCrops
from model import PHASES, SpottingHead, SpottingHeadCfg

IGNORE = -100
MAX_WINDOW = 1024
NONE, ONSET, APEX, OFFSET = range(4)


@dataclass(frozen=True, eq=False)
class HeadSequence:
    video: Path
    subject: str
    fps: float
    x: torch.Tensor  # (T, E) float32, zero where not valid
    valid: torch.Tensor  # (T,) bool
    target: torch.Tensor  # (T,) int64 phase index, IGNORE where unknown
    intervals: tuple[tuple[int, int], ...]  # labelled (onset, offset), for the spotting score

    @property
    def n_frames(self) -> int:
        return len(self.target)


def apex_half_width(fps: float, half_width_s: float = 0.02) -> int:
    return math.floor(half_width_s * fps + 0.5)


def phase_targets(n_frames: int, events: Sequence[Event], fps: float, half_width_s: float = 0.02,
                  unreviewed: Sequence[Event] = ()) -> np.ndarray:
    """(n_frames,) int64 over PHASES (none 0, onset 1, apex 2, offset 3); IGNORE inside unreviewed events.
    Where labelled intervals overlap, apex wins over onset/offset; unreviewed intervals never override a label."""
    a = apex_half_width(fps, half_width_s)
    target = np.full(n_frames, NONE, dtype=np.int64)
    t = np.arange(n_frames)
    for event in unreviewed:
        target[(t >= event.onset_frame) & (t <= event.offset_frame)] = IGNORE
    for event in events:
        on, ap, off = event.onset_frame, event.apex_frame, event.offset_frame
        target[(t >= on) & (t < ap - a)] = ONSET
        target[(t > ap + a) & (t <= off)] = OFFSET
    for event in events:
        target[np.abs(t - event.apex_frame) <= a] = APEX
    return target


@torch.no_grad()
def video_embeddings(predictor, crops: VideoCrops, lag: int, batch: int = 32) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-frame pair embeddings (T, E) and validity (T,) of one video, streamed (memory ∝ lag + batch)."""
    n = crops.n_frames
    x = torch.zeros(n, predictor.embedding_dim)
    valid = torch.zeros(n, dtype=torch.bool)
    pairing = predictor.pairing
    ring: dict[int, Optional[tuple[np.ndarray, Optional[np.ndarray], torch.Tensor]]] = {}  # crop, thumb, tensor
    pending: list[tuple[int, torch.Tensor, torch.Tensor]] = []

    def flush() -> None:
        if not pending:
            return
        onset = torch.stack([p[1] for p in pending])
        apex = torch.stack([p[2] for p in pending])
        embedding = predictor.embed_pairs(onset, predictor.reference_features(onset), apex).float().cpu()
        rows = torch.tensor([p[0] for p in pending])
        x[rows] = embedding
        valid[rows] = True
        pending.clear()

    for index, crop, ok in crops.iter_crops():
        if index >= n:
            break
        ring[index] = None
        if ok:
            thumb = registration_thumb(crop) if pairing.register != "none" else None
            ring[index] = (crop, thumb, predictor.preprocess([crop])[0])
        ref = ring.get(PairingPolicy.reference(index, lag))
        if ring[index] is not None and ref is not None:
            current = ring[index][2]
            if pairing.register != "none":
                current = predictor.preprocess([pairing.current_crop(ref[0], crop, ref[1], ring[index][1])])[0]
            pending.append((index, ref[2], current))
        ring.pop(index - lag, None)  # frame `index` was the last to need frame index − k as its reference
        if len(pending) >= batch:
            flush()
    flush()
    return x, valid


# --------------------------------------------------------------------------------------------------- training


def class_weights(sequences: Sequence[HeadSequence]) -> torch.Tensor:
    """Inverse-frequency weights over the phases of the sequences' known frames (`phase_weights`)."""
    counts = torch.zeros(len(PHASES))
    for seq in sequences:
        known = seq.target[seq.target != IGNORE]
        counts += torch.bincount(known, minlength=len(PHASES)).float()
    return phase_weights(counts)


def phase_weights(counts: torch.Tensor) -> torch.Tensor:
    """Per-phase counts (4,) → inverse-frequency weights, mean 1 over the phases present; absent phases weigh 0."""
    counts = counts.float()
    present = counts > 0
    weights = torch.zeros(len(counts))
    weights[present] = counts[present].sum() / (present.sum() * counts[present])
    return weights


def _windows(sequences: Sequence[HeadSequence], window_s: float, generator: torch.Generator) -> list[tuple[int, int, int]]:
    out = []
    for i, seq in enumerate(sequences):
        length = max(1, min(MAX_WINDOW, int(round(window_s * seq.fps))))
        if seq.n_frames <= length:
            out.append((i, 0, seq.n_frames))
            continue
        offset = int(torch.randint(0, length, (1,), generator=generator))
        starts = ([0] if offset else []) + list(range(offset, seq.n_frames, length))
        for start in starts:
            stop = offset if start == 0 and offset else min(seq.n_frames, start + length)
            out.append((i, start, stop))
    return out


def _batch(sequences: Sequence[HeadSequence], items: Sequence[tuple[int, int, int]], device: torch.device):
    length = max(stop - start for _, start, stop in items)
    dim = sequences[0].x.shape[1]
    x = torch.zeros(len(items), length, dim)
    valid = torch.zeros(len(items), length, dtype=torch.bool)
    target = torch.full((len(items), length), IGNORE, dtype=torch.long)
    fps = torch.zeros(len(items))
    for row, (i, start, stop) in enumerate(items):
        seq, n = sequences[i], stop - start
        x[row, :n], valid[row, :n], target[row, :n] = seq.x[start:stop], seq.valid[start:stop], seq.target[start:stop]
        fps[row] = seq.fps
    return x.to(device), valid.to(device), target.to(device), fps.to(device)


def train_head(
    sequences: Sequence[HeadSequence],
    *,
    epochs: int,
    lr: float,
    weight_decay: float,
    window_s: float,
    batch_size: int,
    seed: int,
    device: torch.device,
    baseline_s: float = 0.0,
    on_epoch: Callable[[int, float], None] = lambda epoch, loss: None,
) -> SpottingHead:
    """A freshly initialised head (seeded) trained on `sequences` for `epochs` epochs; returned in eval mode."""
    torch.manual_seed(seed)
    head = SpottingHead(SpottingHeadCfg(embed_dim=sequences[0].x.shape[1], baseline_s=baseline_s)).to(device)
    optimizer = torch.optim.AdamW(head.parameters(), lr=lr, weight_decay=weight_decay)
    weights = class_weights(sequences).to(device)
    generator = torch.Generator().manual_seed(seed)
    for epoch in range(1, epochs + 1):
        head.train()
        items = _windows(sequences, window_s, generator)
        order = torch.randperm(len(items), generator=generator).tolist()
        total, count = 0.0, 0
        for start in range(0, len(order), batch_size):
            x, valid, target, fps = _batch(sequences, [items[j] for j in order[start : start + batch_size]], device)
            logits = head(x, valid, fps)
            if not (target != IGNORE).any():
                continue
            loss = F.cross_entropy(logits.reshape(-1, len(PHASES)), target.reshape(-1), weight=weights,
                                   ignore_index=IGNORE)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total, count = total + float(loss.detach()), count + 1
        on_epoch(epoch, total / max(1, count))
    return head.eval()


@torch.no_grad()
def head_probabilities(head: SpottingHead, seq: HeadSequence, device: torch.device) -> np.ndarray:
    """(T, 4) phase probabilities in the streaming (chunkwise) form the app uses; NaN where the pair is invalid."""
    probs, _ = head.forward_chunk(seq.x[None].to(device), seq.valid[None].to(device), seq.fps)
    out = probs[0].float().cpu().numpy().astype(np.float64)
    out[~seq.valid.numpy()] = np.nan
    return out


def evaluate_head(head: SpottingHead, sequences: Sequence[HeadSequence], device: torch.device) -> dict[str, float]:
    """Per-frame UAR over the phases (frames with a known target and a valid pair) and MEGC spotting F1 of the
    decoded proposals (default `ProposalConfig`) against the labelled intervals."""
    matrix = np.zeros((len(PHASES), len(PHASES)), dtype=np.int64)
    truth, pred = {}, {}
    for k, seq in enumerate(sequences):
        probs = head_probabilities(head, seq, device)
        known = (seq.target.numpy() != IGNORE) & seq.valid.numpy()
        np.add.at(matrix, (seq.target.numpy()[known], probs[known].argmax(axis=1)), 1)
        truth[k] = list(seq.intervals)
        pred[k] = [(p.onset, p.offset) for p in propose_intervals(probs, seq.fps)]
    counts = spotting_counts(truth, pred)
    return {"frame_uar": uar(matrix), "frames": int(matrix.sum()), "spotting_f1": counts.f1,
            "spotting_tp": counts.tp, "spotting_fp": counts.fp, "spotting_fn": counts.fn}
