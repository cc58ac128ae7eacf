"""What a run reports: pooled and per-fold metrics (honest, or labelled paper protocol), the printed summary, and
the held-out predictions as a training CSV for `tsfmicro evaluate`."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any, Optional

import numpy as np

from app.core.events_csv import write_events_csv
from app.training.selection import EpochEval, metrics_of, paper_fold, pooled_honest, pooled_paper


def pooled_metrics(result) -> dict[str, Any]:
    """{"honest": pooled metrics of the kept models} (in paper mode: "last_epoch" instead) and, in paper mode,
    {"paper_protocol": ...}."""
    if not result.folds:
        return {}
    matrices = [np.array(f.matrix) for f in result.folds]
    out: dict[str, Any] = {}
    if result.config.paper_protocol:
        out["last_epoch"] = pooled_honest(matrices)
        out["paper_protocol"] = pooled_paper([_paper(f) for f in result.folds])
    else:
        out["honest"] = pooled_honest(matrices)
    return out


def _paper(fold):
    return paper_fold([EpochEval(e, np.array(m)) for e, m in fold.paper_table])


def fold_metrics(result) -> list[dict[str, Any]]:
    rows = []
    for fold in result.folds:
        row = {"fold": fold.name, "test_subjects": ",".join(fold.test_subjects), **metrics_of(np.array(fold.matrix)),
               "epochs_run": fold.epochs_run, "kept_epoch": fold.selected_epoch}
        if fold.val_subjects:
            row["val_subjects"] = ",".join(fold.val_subjects)
        if fold.paper_table:
            paper = _paper(fold)
            row.update({"paper_max_correct": paper.max_correct, "paper_best_accuracy_epoch": paper.best_accuracy_epoch,
                        "paper_best_f1_epoch": paper.best_f1_epoch})
        rows.append(row)
    return rows


def summary_lines(result) -> list[str]:
    cfg = result.config
    lines = [f"protocol: {cfg.protocol_label}"]
    if result.skipped:
        lines.append(f"skipped {len(result.skipped)} event(s) without a face at onset or apex:")
        lines += [f"  {s}" for s in result.skipped]
    pooled = pooled_metrics(result)
    what = "LOSO" if cfg.protocol == "loso" else "hold-out"
    partial = f" (first {len(result.folds)} folds only)" if cfg.max_folds else ""
    if cfg.protocol == "none" and not result.heldout:
        lines.append("no held-out evaluation (--protocol none): these data give no accuracy estimate")
    if "honest" in pooled:
        m = pooled["honest"]
        lines.append(f"pooled {what}{partial}, honest: N {m['n']}  accuracy {m['accuracy']:.4f}  UF1 {m['uf1']:.4f}  "
                     f"UAR {m['uar']:.4f} (mean recall)")
    if "paper_protocol" in pooled:
        m, last = pooled["paper_protocol"], pooled["last_epoch"]
        lines.append(f"pooled {what}{partial}, PAPER PROTOCOL (selected on the test subject; not an honest estimate): "
                     f"N {m['n']}  accuracy {m['accuracy']:.4f}  UF1 {m['uf1']:.4f}  "
                     f"'UAR' {m['uar_mean_precision']:.4f} (mean precision, as the reference prints it)")
        lines.append(f"pooled {what}{partial}, last epoch of the paper-protocol run (training stopped on test "
                     f"accuracy): N {last['n']}  accuracy {last['accuracy']:.4f}  UF1 {last['uf1']:.4f}  "
                     f"UAR {last['uar']:.4f}")
    if result.head_metrics.get("frame_uar") is not None:
        h = result.head_metrics
        lines.append(f"spotting head, held-out subject(s) {h['held_out_subjects']}: per-frame UAR {h['frame_uar']:.4f}, "
                     f"MEGC spotting F1 {h['spotting_f1']:.4f}")
    if result.heldout:
        h = result.heldout
        lines.append(f"test set {h['csv']} ({h['videos']} videos, {h['events']} events, never trained on), micro-"
                     f"expression spotting F1 {h['model_micro_f1']:.4f} (motion spotter "
                     f"{h.get('motion_spotter_micro_f1', float('nan')):.4f}), apex error median "
                     f"{h['model_micro_apex_error_frames_median']:g} frames; recognition on its labelled intervals: "
                     f"UF1 {h['recognition_uf1']:.4f}, UAR {h['recognition_uar']:.4f}; all figures in the model card")
    if result.checkpoint is not None:
        lines.append(f"wrote {result.checkpoint} (final model: all {len(set(s.subject for s in result.samples))} "
                     f"subjects, {result.final_epochs} epochs)")
    return lines


def write_predictions(path: str | os.PathLike, result) -> list[Path]:
    """The held-out test predictions of every fold as a training CSV (emotion = predicted class, confidence = its
    probability, source=model, status=suggested), video paths relative to the new file. When the class set maps
    emotions (e.g. positive=happiness), the true events with their class names go to `<stem>.truth.csv` too, so
    `tsfmicro evaluate --truth ... --pred ...` compares like with like. Returns the files written."""
    path = Path(path)
    names = result.classes.names
    base = path.resolve().parent
    pred_events, truth_events = [], []
    for fold in result.folds:
        for index, label, confidence in fold.predictions:
            sample = result.samples[int(index)]
            video = Path(os.path.relpath(sample.video, base)).as_posix()
            true_event = replace(sample.event, video=video, extra={})
            pred_events.append(replace(true_event, emotion=names[int(label)], source="model", status="suggested",
                                       confidence=float(min(1.0, max(0.0, confidence))), annotator="tsfmicro train",
                                       notes=f"held-out prediction, fold {fold.name}, {label_of(result)}"))
            truth_events.append(replace(true_event, emotion=names[sample.label]))
    written = [write_events_csv(path, pred_events)]
    mapped = any(member != name for member, name in result.classes.members.items())
    if mapped:
        written.append(write_events_csv(truth_path(path), truth_events))
    return written


def label_of(result) -> str:
    if result.config.paper_protocol:
        return "PAPER PROTOCOL run (last epoch of a run early-stopped on the test subject)"
    return "honest"


def truth_path(predictions: Path) -> Path:
    return predictions.with_name(predictions.stem + ".truth.csv")


def evaluate_hint(result, predictions: Optional[Path]) -> Optional[str]:
    if predictions is None:
        return None
    mapped = any(member != name for member, name in result.classes.members.items())
    truth = truth_path(predictions) if mapped else result.data.csv_path
    return f"tsfmicro evaluate --truth {truth} --pred {predictions}"
