"""The checkpoint a run writes: the final classifier, the spotting head, the contract (face crops, pairing, decoding:
`app.analysis.contract`) and the model card (plain values only)."""

from __future__ import annotations

import datetime
import json
import platform
from pathlib import Path

import torch

from app import __version__
from app.training.report import fold_metrics, pooled_metrics
from app.training.samples import class_counts
from model import save_checkpoint

LIMITS = ("Trained on the data named here only; expect lower accuracy on other cameras, populations, lighting and "
          "frame rates. Recognition metrics are per labelled interval (onset/apex given), not on spotted events. "
          "The spotting head's held-out check uses subjects its backbone was trained on. Not a diagnostic tool.")
SYNTHETIC_NOTE = "Synthetic training data: metrics say nothing about accuracy on real micro-expressions."


def _is_synthetic(events) -> bool:
    return any("synth" in (e.annotator + e.source + e.notes).lower() for e in events[:50])


def data_line(data) -> str:
    """One line for status bars and the about box: what the weights were trained on."""
    events = data.events
    subjects = sorted({e.subject for e in events})
    micro = sum(e.kind == "micro" for e in events)
    named = ", ".join(subjects[:5]) + (", ..." if len(subjects) > 5 else "")
    text = (f"{len(events)} labelled events ({micro} micro, {len(events) - micro} macro) in {len(data.videos)} "
            f"videos of {len(subjects)} subject(s) ({named}), {data.csv_path.name}")
    return f"synthetic data (tsfmicro synth): {text}" if _is_synthetic(events) else text


def model_card(trainer, result) -> dict[str, str | int | float]:
    cfg = result.config
    pooled = pooled_metrics(result)
    card: dict[str, str | int | float] = {
        "data": data_line(result.data),
        "model": cfg.model,
        "trained_with": f"tsfmicro {__version__} train",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command_line": trainer.command_line,
        "data_csv": str(result.data.csv_path),
        "data_sha256": result.data.csv_sha256,
        "events_accepted": len(result.data.events),
        "samples": len(result.samples),
        "samples_skipped": len(result.skipped),
        "skipped": "; ".join(str(s) for s in result.skipped[:20]) + (" ..." if len(result.skipped) > 20 else ""),
        "subjects": len({s.subject for s in result.samples}),
        "class_names": json.dumps(list(result.classes.names)),
        "class_set": result.classes.describe(),
        "class_counts": json.dumps(class_counts(result.samples, result.classes)),
        "protocol": cfg.protocol_label,
        "paper_protocol": int(cfg.paper_protocol),
        "folds": len(result.folds),
        "seed": cfg.seed,
        "train_config": json.dumps(cfg.to_dict(), sort_keys=True),
        "final_model": f"trained on all subjects for {result.final_epochs} epochs",
        "metrics": json.dumps(pooled, sort_keys=True),
        "fold_metrics": json.dumps(fold_metrics(result)),
        "spotting_head": json.dumps(result.head_metrics, sort_keys=True) if result.head_metrics else "none",
        "processes": trainer.ctx.world_size,
        "device": str(trainer.ctx.device),
        "software": f"python {platform.python_version()}, torch {torch.__version__}",
        "limits": LIMITS,
    }
    prefix = cfg.protocol
    if "honest" in pooled:
        for key in ("accuracy", "uf1", "uar"):
            card[f"{prefix}_{key}"] = pooled["honest"][key]
    if "paper_protocol" in pooled:
        for key in ("accuracy", "uf1", "uar_mean_precision"):
            card[f"paper_protocol_{prefix}_{key}"] = pooled["paper_protocol"][key]
    for key, value in result.decoding.items():
        card[f"decoding_{key}"] = value
    for key, value in result.heldout.items():
        card[f"heldout_{key}"] = value
    if _is_synthetic(result.data.events):
        card["limits"] = LIMITS + " " + SYNTHETIC_NOTE
    return card


def write_checkpoint(trainer, result, model, head) -> Path:
    return save_checkpoint(
        trainer.out, model.cpu().eval(), model_name=result.config.model, class_names=result.classes.names,
        preprocess=trainer.preprocess, contract=trainer.contract.to_dict(), model_card=model_card(trainer, result),
        spotting_head=head)
