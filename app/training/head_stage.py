"""The spotting-head stage of a run: per-frame embeddings of every training video from the final classifier, a
subject-disjoint check, then the stored head trained on every subject (see `spotting.py`).

Under torchrun the videos are split across processes for the embeddings (the costly part); rank 0 gathers them
and trains the head (small) alone.
"""

from __future__ import annotations

from collections import defaultdict

import torch

from app.analysis.predictor import Predictor
from app.training import distributed as D
from app.training.crops import VideoCrops
from app.training.seeds import derive_seed
from app.training.folds import holdout_fold, subjects_of
from app.training.spotting import HeadSequence, evaluate_head, phase_targets, train_head, video_embeddings
from model import SpottingHead


def _sequences(trainer, model) -> list[HeadSequence]:
    cfg, data = trainer.config, trainer.data
    pairing = trainer.contract.pairing
    predictor = Predictor(model, None, class_names=trainer.classes.names, preprocess=trainer.preprocess,
                          pairing=pairing, device=trainer.ctx.device, threads=torch.get_num_threads(),
                          batch_size=min(cfg.batch_size, 32))
    events, unreviewed = defaultdict(list), defaultdict(list)
    for event in data.events:
        events[event.video].append(event)
    for event in data.unreviewed:
        unreviewed[event.video].append(event)
    mine = D.shard(sorted(events), trainer.ctx)
    out = []
    for n, video in enumerate(mine, start=1):
        fps = events[video][0].fps
        with VideoCrops(data.videos[video], fps, trainer.face_config, cfg.cache_dir) as crops:
            x, valid = video_embeddings(predictor, crops, pairing.lag(fps))
            n_frames = crops.n_frames
        target = phase_targets(n_frames, events[video], fps, cfg.apex_half_width_s, unreviewed[video])
        intervals = tuple((e.onset_frame, e.offset_frame) for e in events[video])
        out.append(HeadSequence(data.videos[video], events[video][0].subject, fps, x, valid,
                                torch.from_numpy(target), intervals))
        trainer.log(f"  embeddings: video {n}/{len(mine)} ({n_frames} frames, {int(valid.sum())} valid pairs)")
    gathered = D.all_gather_objects(trainer.ctx, out)
    return sorted((s for part in gathered for s in part), key=lambda s: str(s.video))


def run_head_stage(trainer, model) -> tuple[SpottingHead | None, dict]:
    cfg, ctx = trainer.config, trainer.ctx
    trainer.log("spotting head: per-frame embeddings of every training video (classifier frozen, eval mode)")
    sequences = _sequences(trainer, model)
    model.train(False)
    if not ctx.is_main:
        return None, {}
    settings = dict(epochs=cfg.head_epochs, lr=cfg.head_lr, weight_decay=cfg.head_weight_decay,
                    window_s=cfg.head_window_s, batch_size=cfg.head_batch, device=ctx.device,
                    baseline_s=cfg.head_baseline_s)
    metrics: dict = {}
    subjects = subjects_of([s.subject for s in sequences])
    if len(subjects) >= 2:
        split = holdout_fold(subjects, 0.2, cfg.seed)
        train = [s for s in sequences if s.subject in split.train_subjects]
        held = [s for s in sequences if s.subject in split.test_subjects]
        trainer.log(f"spotting head: subject-disjoint check, held-out subject(s) {', '.join(split.test_subjects)}")
        check = train_head(train, seed=derive_seed(cfg.seed, "head-check"), **settings,
                           on_epoch=lambda e, l: _epoch_log(trainer, "check", e, cfg.head_epochs, l))
        metrics = {"held_out_subjects": ",".join(split.test_subjects), **evaluate_head(check, held, ctx.device)}
        trainer.log(f"spotting head on held-out subjects: per-frame UAR {metrics['frame_uar']:.3f}, "
                    f"spotting F1 {metrics['spotting_f1']:.3f} (TP {metrics['spotting_tp']}, FP "
                    f"{metrics['spotting_fp']}, FN {metrics['spotting_fn']})")
    else:
        trainer.log("spotting head: one subject only, no subject-disjoint check possible")
    head = train_head(sequences, seed=derive_seed(cfg.seed, "head"), **settings,
                      on_epoch=lambda e, l: _epoch_log(trainer, "final", e, cfg.head_epochs, l))
    metrics.update({"train_videos": len(sequences), "train_frames": sum(s.n_frames for s in sequences),
                    "epochs": cfg.head_epochs})
    return head.cpu(), metrics


def _epoch_log(trainer, which: str, epoch: int, epochs: int, loss: float) -> None:
    if epoch == epochs or epoch % 10 == 0:
        trainer.log(f"  head ({which}) epoch {epoch}/{epochs} loss {loss:.4f}")
