"""`Predictor`: a loaded checkpoint on a device, turning aligned crops into pair embeddings, class probabilities
and per-frame phase probabilities.

- Device: CUDA, then Apple MPS, then CPU, unless one is named (`device.select_device`).
- All model work runs under `torch.inference_mode()`, in batches of `batch_size` pairs, with bfloat16 autocast
  on CUDA; the CPU thread count is set explicitly (`torch.set_num_threads`).
- Work is split so a frame's preprocessing and its reference-branch features are computed once: the model's own
  `reference_features(onset)`, then `forward_pair_features(ref, onset, apex)` per pair (`model/tsfmicro.py`).
- A CUDA out-of-memory error halves the batch and retries; at batch 1 the model moves to the CPU. Each step
  issues a `DeviceFallbackWarning` and is recorded in `fallbacks`.
- Checkpoint problems (missing, corrupt, mismatched parts) raise `model.CheckpointError` naming the file.
- Ensembles (a checkpoint with `more_members`): every member sees the same pairs; class probabilities and
  per-frame phase probabilities are the mean of the members' (each spotting head keeps its own state). The
  embedding handed to the head is the members' embeddings side by side, (N, E₁ + … + E_m), and a frame's reference
  features are the members' stacked on dimension 1, so the analysis pipeline needs no change. Members must share
  one architecture (`TSFmicroCfg`) and all have, or all lack, a spotting head.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from pathlib import Path
from typing import Callable, Optional, Sequence, Union

import numpy as np
import torch

from app.analysis.contract import ModelContract
from app.analysis.device import select_device, set_threads
from app.analysis.pairing import PairingPolicy
from app.analysis.proposals import ProposalConfig
from app.face.config import FaceConfig
from model import (
    CheckpointError,
    EmbeddingKind,
    LoadedCheckpoint,
    PreprocessCfg,
    SpottingHead,
    SpottingState,
    TSFmicro,
    load_checkpoint,
    preprocess_crops,
)
from model.retention import RetentionState

DEFAULT_BATCH = {"cpu": 4, "cuda": 32, "mps": 16}

HeadState = Union[SpottingState, tuple[SpottingState, ...]]  # one per member for an ensemble


class DeviceFallbackWarning(RuntimeWarning):
    """Inference continued with a smaller batch or on the CPU after running out of device memory."""


def _resolve_embedding(model: TSFmicro, head: Optional[SpottingHead], pairing: PairingPolicy) -> EmbeddingKind:
    widths = {
        EmbeddingKind.PRE_LOGITS: model.embedding_dim(EmbeddingKind.PRE_LOGITS),
        EmbeddingKind.FUSED_MEAN: model.embedding_dim(EmbeddingKind.FUSED_MEAN),
    }
    if pairing.embedding is not None:
        kind = EmbeddingKind(pairing.embedding)
        if head is not None and widths[kind] != head.cfg.embed_dim:
            raise ValueError(
                f"the spotting head takes {head.cfg.embed_dim}-d embeddings but the model's {kind.value} "
                f"embedding is {widths[kind]}-d"
            )
        return kind
    if head is None:
        return EmbeddingKind.PRE_LOGITS
    for kind, width in widths.items():  # pre-logits first: the default embedding
        if width == head.cfg.embed_dim:
            return kind
    raise ValueError(
        f"the spotting head takes {head.cfg.embed_dim}-d embeddings; the model gives {widths[EmbeddingKind.PRE_LOGITS]}-d "
        f"(pre_logits) or {widths[EmbeddingKind.FUSED_MEAN]}-d (fused_mean)"
    )


def _state_to(state: SpottingState, device: torch.device) -> SpottingState:
    layers = tuple(RetentionState(kv=s.kv.to(device), normaliser=s.normaliser.to(device)) for s in state.layers)
    baseline = None if state.baseline is None else tuple(t.to(device) for t in state.baseline)
    return SpottingState(layers=layers, frames_seen=state.frames_seen, baseline=baseline)


class Predictor:
    """Inference with one pair classifier (and optionally its spotting head), or an ensemble of them, on one device.

    Tensors: crops are RGB uint8 (S, S, 3); model inputs (N, 3, S', S') float32 normalised (S' = the checkpoint's
    preprocess size); embeddings (N, E) float32; phase probabilities (n, 4) over model.PHASES.
    Not thread-safe: one analysis worker owns one Predictor.
    """

    def __init__(
        self,
        model: TSFmicro,
        head: Optional[SpottingHead] = None,
        *,
        class_names: Sequence[str],
        preprocess: PreprocessCfg = PreprocessCfg(),
        pairing: Optional[PairingPolicy] = None,
        decoding=None,
        face_config: Optional[FaceConfig] = None,
        source: str = "<in memory>",
        device: Optional[str | torch.device] = None,
        threads: Optional[int] = None,
        batch_size: Optional[int] = None,
        autocast: bool = True,
        model_card: Optional[dict] = None,
        more_members: Sequence[tuple[TSFmicro, Optional[SpottingHead]]] = (),
    ) -> None:
        if len(class_names) != model.num_classes:
            raise ValueError(f"{len(class_names)} class names for a model with {model.num_classes} outputs")
        if preprocess.size != model.cfg.input_size:
            raise ValueError(f"preprocess size {preprocess.size} differs from the model's input size {model.cfg.input_size}")
        if any(other.cfg != model.cfg for other, _ in more_members):
            raise ValueError("the ensemble's members differ in architecture (TSFmicroCfg); they must share one")
        if any((other_head is None) != (head is None) for _, other_head in more_members):
            raise ValueError("some of the ensemble's members have a spotting head and some do not")
        self.pairing = pairing or PairingPolicy()
        self.decoding = decoding  # a ProposalConfig, or None: the decoder's defaults
        self.face_config = face_config if face_config is not None else FaceConfig()  # the crops it expects
        self.embedding_kind = _resolve_embedding(model, head, self.pairing)
        for other, other_head in more_members:
            if _resolve_embedding(other, other_head, self.pairing) is not self.embedding_kind:
                raise ValueError("the ensemble's spotting heads read different embeddings")
        self.device = device if isinstance(device, torch.device) else select_device(device)
        self.threads = set_threads(threads)
        self.models = tuple(m.to(self.device).eval() for m, _ in ((model, head), *more_members))
        self.heads = tuple(None if h is None else h.to(self.device).eval() for _, h in ((model, head), *more_members))
        self.class_names = tuple(class_names)
        self.preprocess_cfg = preprocess
        self.source = source
        self.model_card = dict(model_card or {})  # what the weights were trained on, shown to the user
        self.batch_size = batch_size or DEFAULT_BATCH.get(self.device.type, 4)
        if self.batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        self.use_autocast = autocast
        self.fallbacks: list[str] = []

    @classmethod
    def from_checkpoint(cls, checkpoint: LoadedCheckpoint, **kwargs) -> "Predictor":
        """Wrap an already loaded checkpoint; inconsistencies between its parts raise CheckpointError."""
        contract = ModelContract.of(checkpoint)
        try:
            return cls(checkpoint.model, checkpoint.spotting_head, class_names=checkpoint.class_names,
                       preprocess=checkpoint.preprocess, pairing=contract.pairing, decoding=contract.decoding,
                       face_config=contract.face,
                       source=str(checkpoint.path),
                       model_card=checkpoint.model_card,
                       more_members=[(m.model, m.spotting_head) for m in checkpoint.more_members], **kwargs)
        except ValueError as error:
            raise CheckpointError(checkpoint.path, f"mismatched contents: {error}") from error

    @classmethod
    def load(
        cls,
        path: os.PathLike | str,
        *,
        device: Optional[str] = None,
        threads: Optional[int] = None,
        batch_size: Optional[int] = None,
        require_head: bool = True,
    ) -> "Predictor":
        """Load a checkpoint file. The device is chosen (and a bad request refused) before the file is read.
        With `require_head`, a checkpoint without a spotting head is refused: per-frame curves need one."""
        chosen = select_device(device)
        checkpoint = load_checkpoint(Path(path), device="cpu")
        if require_head and checkpoint.spotting_head is None:
            raise CheckpointError(path, "has no spotting head; per-frame curves need a checkpoint that includes one")
        return cls.from_checkpoint(checkpoint, device=chosen, threads=threads, batch_size=batch_size)

    # ------------------------------------------------------------------------------------------------ properties

    @property
    def model(self) -> TSFmicro:
        """The (first) pair classifier."""
        return self.models[0]

    @property
    def head(self) -> Optional[SpottingHead]:
        """The (first) spotting head, or None."""
        return self.heads[0]

    @property
    def proposal_config(self):
        """How this model's curves become intervals: the settings chosen for it at training (the checkpoint's
        contract, see `tsfmicro train --val`), else the defaults of `app.analysis.proposals`."""
        return self.decoding if self.decoding is not None else ProposalConfig()

    @property
    def input_size(self) -> int:
        return self.preprocess_cfg.size

    @property
    def embedding_dim(self) -> int:
        """The width of `embed_pairs`' rows: the members' embedding widths added up."""
        return sum(self._member_widths)

    @property
    def _member_widths(self) -> list[int]:
        return [m.embedding_dim(self.embedding_kind) for m in self.models]

    def lag(self, fps: float) -> int:
        return self.pairing.lag(fps)

    def describe(self) -> dict:
        """Plain values for provenance."""
        return {
            "checkpoint": self.source,
            "class_names": list(self.class_names),
            "device": str(self.device),
            "threads": self.threads,
            "batch_size": self.batch_size,
            "autocast_bf16": self.device.type == "cuda" and self.use_autocast,
            "embedding": self.embedding_kind.value,
            "ensemble_members": len(self.models),
            "pairing_policy": self.pairing.to_json(),
            "decoding": self.proposal_config.to_json(),
            "fallbacks": list(self.fallbacks),
            "model_card": dict(self.model_card),
        }

    # ------------------------------------------------------------------------------------------ batched running

    def _autocast(self):
        if self.device.type == "cuda" and self.use_autocast:
            return torch.autocast(device_type="cuda", dtype=torch.bfloat16)
        return contextlib.nullcontext()

    def _fall_back(self, error: BaseException, failed_batch: int) -> None:
        """One recovery step after an out-of-memory error in a batch of `failed_batch` items: halve the batch,
        else (a batch of one failed) move to the CPU, else (already there) re-raise."""
        if self.device.type == "cuda":
            torch.cuda.empty_cache()
        if failed_batch > 1:
            message = f"out of memory on {self.device} at batch {failed_batch}; retrying at batch {failed_batch // 2}"
            self.batch_size = failed_batch // 2
        elif self.device.type != "cpu":
            message = f"out of memory on {self.device} even at batch 1; continuing on the CPU (slower)"
            self.device = torch.device("cpu")
            for part in (*self.models, *self.heads):
                if part is not None:
                    part.to(self.device)
            self.batch_size = DEFAULT_BATCH["cpu"]
        else:
            raise error
        self.fallbacks.append(message)
        warnings.warn(message, DeviceFallbackWarning, stacklevel=3)

    def _run_batched(self, fn: Callable[..., torch.Tensor], *inputs: torch.Tensor) -> torch.Tensor:
        """fn over the inputs' first dimension in batches; retried after out-of-memory (see `_fall_back`)."""
        n = inputs[0].shape[0]
        while True:
            try:
                parts = [fn(*(x[i : i + self.batch_size] for x in inputs)) for i in range(0, n, self.batch_size)]
                return torch.cat(parts)
            except torch.OutOfMemoryError as error:
                self._fall_back(error, min(self.batch_size, n))

    def _reference_batch(self, onset: torch.Tensor, model: TSFmicro) -> torch.Tensor:
        with self._autocast():
            return model.reference_features(onset.to(self.device))

    def _embed_batch(self, onset: torch.Tensor, ref: torch.Tensor, apex: torch.Tensor, model: TSFmicro) -> torch.Tensor:
        with self._autocast():
            onset, apex = onset.to(self.device), apex.to(self.device)
            fused = model.forward_pair_features(ref.to(self.device, onset.dtype), onset, apex)
            return model.embedding_of(fused, self.embedding_kind).float()

    def _logits_batch(self, onset: torch.Tensor, apex: torch.Tensor, model: TSFmicro) -> torch.Tensor:
        with self._autocast():
            return model(onset.to(self.device), apex.to(self.device)).float()

    def _per_member(self, fn: Callable[..., torch.Tensor], *inputs: torch.Tensor) -> list[torch.Tensor]:
        """`fn(*batch, model)` over the inputs in batches, once per member; all results on the device the last one
        ended on (an out-of-memory fallback to the CPU during a later member moves the earlier results too)."""
        return self._on_device([self._run_batched(lambda *batch, model=model: fn(*batch, model), *inputs)
                                for model in self.models])

    def _on_device(self, tensors: list[torch.Tensor]) -> list[torch.Tensor]:
        return [t.to(self.device) for t in tensors]

    # ------------------------------------------------------------------------------------------------ public API

    def preprocess(self, crops: Sequence[np.ndarray]) -> torch.Tensor:
        """RGB uint8 crops → (N, 3, S', S') float32 on the CPU (the one transform, `model.preprocess`)."""
        return preprocess_crops(list(crops), self.preprocess_cfg)

    @torch.inference_mode()
    def reference_features(self, onset: torch.Tensor) -> torch.Tensor:
        """(N, 3, S', S') → each frame's onset-only features (`TSFmicro.reference_features`), on the device; for an ensemble,
        the members' stacked on dimension 1."""
        features = self._per_member(self._reference_batch, onset)
        return features[0] if len(features) == 1 else torch.stack(features, dim=1)

    @torch.inference_mode()
    def embed_pairs(self, onset: torch.Tensor, ref: torch.Tensor, apex: torch.Tensor) -> torch.Tensor:
        """onset, apex (N, 3, S', S'), ref = reference_features(onset) → (N, E) float32 on the device; for an
        ensemble, the members' embeddings side by side."""
        if onset.shape[0] == 0:
            return torch.zeros(0, self.embedding_dim, device=self.device)
        refs = [ref] if len(self.models) == 1 else ref.unbind(dim=1)
        return torch.cat(self._on_device([
            self._run_batched(lambda o, r, a, model=model: self._embed_batch(o, r, a, model), onset, member_ref, apex)
            for model, member_ref in zip(self.models, refs)]), dim=1)

    @torch.inference_mode()
    def classify_pairs(self, onset: torch.Tensor, apex: torch.Tensor) -> torch.Tensor:
        """onset, apex (N, 3, S', S') → class probabilities (N, C) float32 on the CPU (an ensemble's: the mean of
        its members')."""
        probs = [torch.softmax(logits, dim=-1) for logits in self._per_member(self._logits_batch, onset, apex)]
        return torch.stack(probs).mean(dim=0).cpu()

    def classify_interval(self, onset_crop: np.ndarray, apex_crop: np.ndarray) -> dict[str, float]:
        """The pair classifier on an interval's onset and apex crops → {class name: probability}, in label order.
        The apex crop is registered onto the onset crop when the model's pairing policy asks for it."""
        tensors = self.preprocess([onset_crop, self.pairing.current_crop(onset_crop, apex_crop)])
        probs = self.classify_pairs(tensors[:1], tensors[1:])[0]
        return {name: float(p) for name, p in zip(self.class_names, probs)}

    def _require_head(self) -> None:
        if self.head is None:
            raise RuntimeError(f"{self.source}: this checkpoint has no spotting head")

    def initial_head_state(self) -> HeadState:
        """The spotting head's state before a stream's first frame (an ensemble: a tuple, one per member)."""
        self._require_head()
        states = tuple(head.initial_state(1, torch.float32, self.device) for head in self.heads)
        return states[0] if len(states) == 1 else states

    @torch.inference_mode()
    def run_head(
        self, x: torch.Tensor, valid: torch.Tensor, fps: float, state: Optional[HeadState]
    ) -> tuple[np.ndarray, HeadState]:
        """One chunk through the spotting head in its chunkwise (recurrent across calls) form.

        x (n, E) embeddings (zeros where invalid), valid (n,) bool → probabilities (n, 4) float32 numpy, new state.
        One step per decoded frame (the head's Δt = 1/fps); frames the model did not analyse enter with valid = 0.
        An ensemble's heads each read their member's columns of x; the probabilities are their mean.
        """
        self._require_head()
        state = self.initial_head_state() if state is None else state
        states = (state,) if len(self.heads) == 1 else state
        if not isinstance(states, tuple) or len(states) != len(self.heads):
            raise ValueError(f"{self.source}: a head state for {len(self.heads)} ensemble member(s) is needed")
        probs, new_states = [], []
        for head, part, member_state in zip(self.heads, torch.split(x, self._member_widths, dim=1), states):
            member_probs, member_state = head.forward_chunk(
                part[None].to(self.device, torch.float32), valid[None].to(self.device), fps,
                _state_to(member_state, self.device))
            probs.append(member_probs[0].float())
            new_states.append(member_state)
        mean = torch.stack(probs).mean(dim=0).cpu().numpy()
        return mean, new_states[0] if len(new_states) == 1 else tuple(new_states)
