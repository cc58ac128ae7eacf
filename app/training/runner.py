"""`Trainer`: one training run, end to end.

CSV → samples → folds (a fresh model each, honest or paper-protocol selection) → pooled metrics → the final model
on every subject → the spotting head → one checkpoint with its model card. Resumable after every epoch
(`state.py`), distributed under torchrun (`distributed.py`); rank 0 writes every file and prints.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

import numpy as np
import torch

from app.analysis.contract import ModelContract
from app.analysis.pairing import PairingPolicy
from app.analysis.predictor import Predictor
from app.face import FaceConfig
from app.training import card, head_stage
from app.training import distributed as D
from app.training.augment import scaled_padding
from app.training.calibrate import calibrate_decoding
from app.training.classes import ClassMap, parse_classes
from app.training.config import TrainConfig
from app.training.folds import Fold, holdout_fold, loso_folds, subjects_of
from app.training.heldout import held_out_figures
from app.training.loop import MotionBatches, SampleTensors, confusion, end_of_epoch_schedule, make_optimizer, make_scheduler, predict, train_epoch
from app.training.motion_pairs import WithPhaseHead, build_motion_pairs
from app.training.progress import Progress
from app.training.samples import PairSample, Skipped, TrainingData, TrainingDataError, build_samples, load_training_csv
from app.training.seeds import derive_seed
from app.training.selection import EpochEval, improves, paper_should_stop, select_on_validation
from app.training.state import ResumeError, existing_partial, load_partial, partial_path, restore_rng_state, rng_state, save_partial
from model import PreprocessCfg, create_model, model_cfg

EpochHook = Callable[[str, int, int], None]  # (stage, fold index, epoch) after the partial state is saved


@dataclass
class FoldResult:
    index: int
    name: str
    test_subjects: list[str]
    val_subjects: list[str]
    epochs_run: int
    selected_epoch: int
    matrix: list[list[int]]  # test confusion of the fold's kept model
    predictions: list[list[float]]  # [sample index, predicted label, confidence]
    losses: list[float]
    paper_table: Optional[list[list]] = None  # [[epoch, matrix], ...] (paper protocol only)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class TrainResult:
    checkpoint: Optional[Path]
    config: TrainConfig
    classes: ClassMap
    samples: list[PairSample]
    skipped: list[Skipped]
    folds: list[FoldResult]
    final_epochs: int
    head_metrics: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    data: Optional[TrainingData] = None
    heldout: dict[str, Any] = field(default_factory=dict)  # figures on --test (a set not trained on)
    decoding: dict[str, Any] = field(default_factory=dict)  # how the decoding was chosen on --val


class Trainer:
    def __init__(
        self,
        csv_path: str | os.PathLike,
        out: str | os.PathLike,
        config: TrainConfig = TrainConfig(),
        *,
        classes: Optional[str] = None,
        command_line: str = "",
        skip_invalid: bool = False,
        resume: bool = False,
        restart: bool = False,
        face_config: FaceConfig = FaceConfig(),
        on_epoch_end: Optional[EpochHook] = None,
        test_csv: Optional[str | os.PathLike] = None,
        val_csv: Optional[str | os.PathLike] = None,
    ) -> None:
        self.csv_path = Path(csv_path)
        self.test_csv = None if test_csv is None else Path(test_csv)
        self.val_csv = None if val_csv is None else Path(val_csv)
        self.out = Path(out)
        self.config = config
        self.classes_spec = classes
        self.command_line = command_line
        self.skip_invalid = skip_invalid
        self.resume = resume
        self.restart = restart
        self.face_config = face_config
        self.on_epoch_end = on_epoch_end or (lambda stage, fold, epoch: None)
        self.ctx = D.DistContext()
        self.progress = Progress(1, enabled=False)

    # ----------------------------------------------------------------------------------------------- helpers

    def log(self, message: str) -> None:
        if self.ctx.is_main and self.config.progress:
            self.progress.message(message)

    def evaluate(self, model: torch.nn.Module, indices: Sequence[int], purpose: str) -> tuple[np.ndarray, np.ndarray]:
        """Rank 0 predicts `indices` (purpose: "val", "test" or "paper-test"); every rank gets the result.
        The one place where held-out data is looked at (tests wrap it to check who looks at what)."""
        result = None
        if self.ctx.is_main:
            result = predict(D.unwrap(model), self.tensors, indices, batch_size=self.config.batch_size,
                             device=self.ctx.device)
        return D.broadcast_object(self.ctx, result)

    def _matrix(self, indices: Sequence[int], predicted: np.ndarray) -> np.ndarray:
        return confusion(self.tensors.labels[list(indices)].numpy(), predicted, len(self.classes.names))

    def _indices(self, subjects: Sequence[str]) -> list[int]:
        wanted = set(subjects)
        return [i for i, s in enumerate(self.samples) if s.subject in wanted]

    def _fresh_model(self, key: Any) -> torch.nn.Module:
        torch.manual_seed(derive_seed(self.config.seed, "init", key))
        return create_model(self.config.model, num_classes=len(self.classes.names)).to(self.ctx.device)

    # ------------------------------------------------------------------------------------------------- stages

    def prepare(self) -> None:
        """Read the CSV, build the class set and the samples (face tracking: local rank 0 first, filling the cache)."""
        cfg = self.config
        self.data = load_training_csv(self.csv_path, skip_invalid=self.skip_invalid)
        for note in self.data.notes:
            self.log(note)
        self.classes = parse_classes(self.classes_spec, {e.emotion for e in self.data.events})
        self.rcfg = cfg.resolved(len(self.classes.names))
        self.input_size = model_cfg(cfg.model).input_size
        self.preprocess = PreprocessCfg(size=self.input_size, normalize=cfg.input_norm)
        self.contract = ModelContract(
            face=self.face_config,
            pairing=PairingPolicy(cfg.pairing_tau_s, "pre_logits", register=cfg.pair_registration))
        if not self.ctx.is_local_main:
            D.barrier(self.ctx)
        self.log(f"face tracking and crops for {len(self.data.videos)} video(s)"
                 f"{'' if cfg.cache_dir else ' (no cache)'}")
        self.samples, self.skipped = build_samples(
            self.data, self.classes, reselect_mode=self.rcfg.reselect, face_config=self.face_config,
            cache_dir=cfg.cache_dir, log=self.log,
            on_video=lambda done, total: self.log(f"  video {done}/{total} ready") if done == total or done % 20 == 0 else None)
        if self.ctx.is_local_main:
            D.barrier(self.ctx)
        if not self.samples:
            raise TrainingDataError(f"{self.csv_path}: no usable samples (every event was skipped; see above)")
        present = {s.label for s in self.samples}
        empty = [n for i, n in enumerate(self.classes.names) if i not in present]
        if empty:
            self.log(f"warning: no sample of class(es) {', '.join(empty)}; the model can still predict them")
        self.subjects = subjects_of([s.subject for s in self.samples])
        self.tensors = SampleTensors.from_samples(self.samples, self.preprocess, self.contract.pairing)
        self.motion = None
        if cfg.motion_pairs:
            self.log("motion pairs: (t − k, t) pairs of the training videos with their phase")
            self.motion = build_motion_pairs(self.data, self.preprocess, self.contract.pairing,
                                             per_event=cfg.motion_pairs, seed=derive_seed(cfg.seed, "motion-pairs"),
                                             half_width_s=cfg.apex_half_width_s, face_config=self.face_config,
                                             cache_dir=cfg.cache_dir, log=self.log)
        inner = cfg.selection == "inner-val"
        if cfg.protocol == "none":
            self.folds = []
        elif cfg.protocol == "loso":
            self.folds = loso_folds(self.subjects, inner_val=inner, max_folds=cfg.max_folds)
        else:
            self.folds = [holdout_fold(self.subjects, cfg.holdout_fraction, cfg.seed, inner_val=inner)]

    def fingerprint(self) -> dict[str, Any]:
        return {"data_sha256": self.data.csv_sha256, "classes": self.classes.describe(),
                "config": json.dumps(self.config.result_fields(), sort_keys=True), "samples": len(self.samples),
                "processes": self.ctx.world_size, "device_type": self.ctx.device.type}

    def _load_state(self) -> dict[str, Any]:
        path = partial_path(self.out)
        state = None
        if self.ctx.is_main:
            found = existing_partial(self.out)
            if found and self.restart:
                found.unlink()
                found = None
            if found and not self.resume:
                state = ResumeError(f"{found} holds the state of an interrupted run; pass --resume to continue it "
                                    "or --restart to discard it")
            elif found:
                try:
                    state = load_partial(found, self.fingerprint())
                except ResumeError as error:
                    state = error
            elif self.resume:
                self.log(f"--resume: no saved state at {path}; starting from the beginning")
        state = D.broadcast_object(self.ctx, state)
        if isinstance(state, ResumeError):
            raise state
        return state or {}

    def _save_state(self, state: dict[str, Any]) -> None:
        if self.ctx.is_main:
            save_partial(partial_path(self.out), {"fingerprint": json.dumps(self.fingerprint(), sort_keys=True),
                                                  **state})

    def _train(self, key: Any, stage: str, fold_index: int, train_idx: list[int], epochs: int,
               resume: dict[str, Any], completed: list[dict], evaluate_epoch: Optional[Callable] = None):
        """Train a fresh model on `train_idx` for up to `epochs` epochs, resuming from `resume` when it is this
        stage's state. `evaluate_epoch(model, epoch) → (stop, extra state)` runs after each epoch."""
        cfg, rcfg, ctx = self.config, self.rcfg, self.ctx
        model = self._fresh_model(key)
        trained = model
        motion_idx = [] if self.motion is None else self.motion.indices_of({self.samples[i].subject for i in train_idx})
        if motion_idx:
            torch.manual_seed(derive_seed(cfg.seed, "phase-head", key))
            trained = WithPhaseHead(model).to(ctx.device)
            motion_weights = self.motion.class_weights(motion_idx)
        optimizer = make_optimizer(trained, cfg.lr, rcfg.weight_decay)
        scheduler = make_scheduler(optimizer, cfg.lr_gamma)
        start_epoch, extra = 0, {}
        if resume.get("stage") == stage and resume.get("fold") == fold_index:
            trained.load_state_dict(resume["model"])
            optimizer.load_state_dict(resume["optimizer"])
            scheduler.load_state_dict(resume["scheduler"])
            restore_rng_state(resume["rng"])
            start_epoch, extra = resume["epoch"], resume.get("extra", {})
            self.progress.done += start_epoch * len(train_idx)
            self.log(f"resumed {stage} {key} after epoch {start_epoch}")
        wrapped = D.wrap_model(trained, ctx)
        batch = D.per_rank_batch(cfg.batch_size, ctx)
        padding = scaled_padding(rcfg.crop_padding, self.input_size)
        losses = list(extra.get("losses", []))
        if extra.get("stopped"):  # interrupted right after an early stop was decided and saved
            start_epoch = epochs
        for epoch in range(start_epoch + 1, epochs + 1):
            torch.manual_seed(derive_seed(cfg.seed, "torch", key, epoch, ctx.rank))  # drop-path draws
            generator = torch.Generator().manual_seed(derive_seed(cfg.seed, "augment", key, epoch, ctx.rank))
            order = D.epoch_indices(len(train_idx), ctx, derive_seed(cfg.seed, "shuffle", key), epoch)
            status = f"{stage} {key} epoch {epoch}/{epochs}"
            motion = None
            if motion_idx:
                shuffle = torch.Generator().manual_seed(derive_seed(cfg.seed, "motion", key, epoch, ctx.rank))
                motion = MotionBatches(self.motion, [motion_idx[i] for i in torch.randperm(len(motion_idx),
                                       generator=shuffle).tolist()], motion_weights)
            loss = train_epoch(
                wrapped, self.tensors, [train_idx[i] for i in order], batch_size=batch, optimizer=optimizer,
                generator=generator, device=ctx.device, rotation_deg=rcfg.rotation_deg, padding=padding,
                appearance=cfg.appearance_aug, shape=cfg.shape_aug, motion=motion,
                on_batch=lambda n, l: self.progress.advance(n * ctx.world_size, f"{status} loss {l:.3f}"))
            end_of_epoch_schedule(scheduler, epoch, cfg.lr_decay_epochs)
            D.sync_buffers(wrapped, ctx)
            losses.append(loss)
            stop = False
            if evaluate_epoch is not None:
                stop, extra = evaluate_epoch(model, epoch, extra)
            extra["losses"] = losses
            extra["stopped"] = stop
            self._save_state({"completed": completed, "stage": stage, "fold": fold_index, "epoch": epoch,
                              "model": trained.state_dict(), "optimizer": optimizer.state_dict(),
                              "scheduler": scheduler.state_dict(), "rng": rng_state(), "extra": extra})
            self.on_epoch_end(stage, fold_index, epoch)
            if stop:
                self.progress.total -= (epochs - epoch) * len(train_idx)
                self.log(f"{stage} {key}: stopped after epoch {epoch} (paper protocol: test accuracy 1.0)")
                break
        return model, extra

    def _run_fold(self, fold: Fold, resume: dict[str, Any], completed: list[dict]) -> FoldResult:
        cfg = self.config
        train_idx, test_idx = self._indices(fold.train_subjects), self._indices(fold.test_subjects)
        val_idx = self._indices(fold.val_subjects)
        if not train_idx or not test_idx or (fold.val_subjects and not val_idx):
            raise TrainingDataError(f"fold {fold.name}: a split without samples")

        def evaluate_epoch(model, epoch, extra):
            extra = dict(extra)
            if cfg.paper_protocol:
                predicted, _ = self.evaluate(model, test_idx, "paper-test")
                matrix = self._matrix(test_idx, predicted)
                extra["paper_table"] = extra.get("paper_table", []) + [[epoch, matrix.tolist()]]
                return paper_should_stop(EpochEval(epoch, matrix)), extra
            if val_idx:
                predicted, _ = self.evaluate(model, val_idx, "val")
                current = EpochEval(epoch, self._matrix(val_idx, predicted))
                extra["val_table"] = extra.get("val_table", []) + [[epoch, current.matrix.tolist()]]
                best = extra.get("best")
                if improves(current, None if best is None else EpochEval(best["epoch"], np.array(best["matrix"]))):
                    extra["best"] = {"epoch": epoch, "matrix": current.matrix.tolist(),
                                     "state": copy.deepcopy({k: v.cpu() for k, v in model.state_dict().items()})}
            return False, extra

        model, extra = self._train(fold.name, "fold", fold.index, train_idx, cfg.epochs, resume, completed,
                                   evaluate_epoch if (cfg.paper_protocol or val_idx) else None)
        epochs_run = len(extra.get("losses", []))
        selected = epochs_run
        if val_idx:
            table = [EpochEval(e, np.array(m)) for e, m in extra["val_table"]]
            selected = select_on_validation(table)
            model.load_state_dict(extra["best"]["state"])
            assert extra["best"]["epoch"] == selected
        predicted, probs = self.evaluate(model, test_idx, "test")
        matrix = self._matrix(test_idx, predicted)
        predictions = [[i, int(p), float(probs[k, p])] for k, (i, p) in enumerate(zip(test_idx, predicted))]
        return FoldResult(fold.index, fold.name, list(fold.test_subjects), list(fold.val_subjects), epochs_run,
                          selected, matrix.tolist(), predictions, extra.get("losses", []),
                          extra.get("paper_table") if cfg.paper_protocol else None)

    def final_epochs(self, folds: Sequence[FoldResult]) -> int:
        """Epochs of the model trained on every subject: the configured count, or with inner validation the
        median of the epochs the folds selected (no test subject is involved in either)."""
        if self.config.selection == "inner-val" and folds:
            return max(1, int(round(statistics.median(f.selected_epoch for f in folds))))
        return self.config.epochs

    # ------------------------------------------------------------------------------------------------- run

    def run(self) -> TrainResult:
        cfg = self.config
        self.ctx = D.init_distributed(cfg.device)
        try:
            if cfg.threads:
                torch.set_num_threads(cfg.threads)
            torch.backends.cudnn.deterministic = True
            torch.backends.cudnn.benchmark = False
            self.progress = Progress(1, enabled=self.ctx.is_main and cfg.progress)
            self.log(f"training on {self.ctx.describe()}; {cfg.protocol_label}")
            self.prepare()
            state = self._load_state()
            completed: list[dict] = list(state.get("completed", []))
            per_fold = sum(len(self._indices(f.train_subjects)) for f in self.folds) * cfg.epochs
            self.progress.total = per_fold + len(self.samples) * cfg.epochs
            self.progress.done = sum(len(self._indices(self.folds[c["index"]].train_subjects)) * cfg.epochs
                                     for c in completed)
            self.log(f"{len(self.samples)} samples of {len(self.subjects)} subjects, classes "
                     f"{self.classes.describe()}; {len(self.folds)} fold(s) × {cfg.epochs} epochs, then the final "
                     f"model on all subjects")
            for fold in self.folds[len(completed):]:
                result = self._run_fold(fold, state, completed)
                completed.append(result.to_dict())
                m = _fold_line(result, self.classes.names)
                self.log(f"fold {fold.index + 1}/{len(self.folds)} {m}")
            folds = [FoldResult(**c) for c in completed]
            final_epochs = self.final_epochs(folds)
            self.progress.total = self.progress.done + len(self.samples) * final_epochs
            if state.get("stage") == "head":
                final = self._fresh_model("final")
                final.load_state_dict(state["final_model"])
            else:
                final, _ = self._train("final", "final", -1, list(range(len(self.samples))), final_epochs, state,
                                       completed)
                self._save_state({"completed": completed, "stage": "head", "final_model": final.state_dict()})
            self.progress.close()
            head, head_metrics = None, {}
            if cfg.train_head and cfg.head_epochs > 0:
                head, head_metrics = head_stage.run_head_stage(self, final)
            result = TrainResult(None, self.rcfg, self.classes, self.samples, self.skipped, folds, final_epochs,
                                 head_metrics, list(self.data.notes), self.data)
            if self.ctx.is_main:
                if self.val_csv is not None and head is not None:
                    result.decoding = self._calibrate(final, head)
                if self.test_csv is not None:
                    result.heldout = self._test(final, head)
                result.checkpoint = card.write_checkpoint(self, result, final, head)
                partial_path(self.out).unlink(missing_ok=True)
            D.barrier(self.ctx)
            return result
        finally:
            self.progress.close()
            D.shutdown(self.ctx)


    def _predictor(self, final: torch.nn.Module, head):
        return Predictor(final, head, class_names=self.classes.names, preprocess=self.preprocess,
                         pairing=self.contract.pairing, decoding=self.contract.decoding,
                         device=self.ctx.device, threads=torch.get_num_threads())

    def _calibrate(self, final: torch.nn.Module, head) -> dict[str, Any]:
        """Choose the curve decoding on the --val set; it goes into the checkpoint (its contract's `decoding`)."""
        try:
            chosen, info = calibrate_decoding(self.val_csv, self._predictor(final, head),
                                              face_config=self.face_config, log=self.log)
        except ValueError as error:  # nothing found there: the trained weights are kept with the default decoding
            self.log(f"warning: {error}")
            return {}
        self.contract = dataclasses.replace(self.contract, decoding=chosen)
        return info

    def _test(self, final: torch.nn.Module, head) -> dict[str, Any]:
        """The finished model (classifier + head) on the --test set, through the app's own analysis."""
        return held_out_figures(self.test_csv, self._predictor(final, head), face_config=self.face_config,
                                cache_dir=self.config.cache_dir, log=self.log)


def _fold_line(result: FoldResult, names: Sequence[str]) -> str:
    matrix = np.array(result.matrix)
    n, correct = int(matrix.sum()), int(np.trace(matrix))
    chosen = "" if result.selected_epoch == result.epochs_run else f", kept epoch {result.selected_epoch}"
    return (f"{result.name}: {correct}/{n} correct after {result.epochs_run} epoch(s){chosen}")
