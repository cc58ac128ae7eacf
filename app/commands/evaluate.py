"""`tsfmicro evaluate`: compare predicted events with true ones (MEGC spotting + recognition)."""

from __future__ import annotations

import argparse
import csv
import io
import json
from pathlib import Path

from app.analysis.config import AnalysisConfig
from app.commands.common import command_error
from app.commands.registry import command
from app.core.atomic import atomic_write_text
from app.core.confusion_image import save_confusion_png
from app.core.events_csv import read_events_csv, write_events_csv
from app.core.user_dirs import face_track_cache_dir
from app.core.validation import ColumnError, ValidationError, resolve_video


@command("evaluate", "MEGC spotting metrics and recognition metrics (accuracy, UF1, UAR) of predictions vs truth, "
                     "or of a trained model run on a labelled set")
def _evaluate_command(parser: argparse.ArgumentParser):
    parser.add_argument("--truth", required=True, help="training CSV with the true events")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--pred", help="training CSV with the predicted events")
    source.add_argument("--spotter", choices=("learned", "flow"),
                        help="run a motion spotter on every video of --truth (and of the videos sidecar): learned (the "
                             "bundled learned spotter, the default analysis) or flow (training-free), and score it")
    source.add_argument("--checkpoint", help="run this trained model on every video of --truth (the app's analysis "
                                             "for spotting, the labelled intervals for recognition) and score it")
    parser.add_argument("--spotter-file", metavar="SPOTTER_PT",
                        help="with --spotter learned: measure this spotter file (one train-spotter wrote) instead of "
                             "the bundled one")
    parser.add_argument("--out", help="folder for metrics.json, confusion.csv, confusion.png, spotting_matches.csv "
                                      "(and, with --checkpoint, the predictions as training CSVs)")
    parser.add_argument("--check-videos", action="store_true", help="also reject rows whose video file is missing")
    parser.add_argument("--strict", action="store_true", help="stop if either CSV has a rejected row")
    parser.add_argument("--mode", choices=("full", "fast"), default="full",
                        help="with --checkpoint: analysis mode for spotting (default full: every frame)")
    parser.add_argument("--no-baseline", action="store_true",
                        help="with --checkpoint: do not run the motion spotter beside the model")
    parser.add_argument("--device", default="auto", help="with --checkpoint: auto, cpu, cuda, cuda:N or mps")
    parser.add_argument("--threads", type=int, help="with --checkpoint: torch CPU threads")
    parser.add_argument("--cache", help="with --checkpoint: face-track cache folder (default: the user cache)")
    parser.add_argument("--videos", help="videos sidecar (video, renderer, face, face_kind, fps, n_frames, "
                                         "injected_events) for a breakdown of micro spotting; default: videos.csv "
                                         "beside --truth when present (tsfmicro testset writes one)")
    parser.add_argument("--nuisance", help="nuisance sidecar (video, kind, start_frame, end_frame): where false micro "
                                           "suggestions lie; default: nuisance.csv beside --truth when present")
    parser.add_argument("--parts", help="parts sidecar of long recordings (video, kind, start_frame, end_frame): "
                                        "spotting per kind of part; default: parts.csv beside --truth when present")

    def run(args: argparse.Namespace) -> int:
        # lazy: both import torch (app.training, model.checkpoint); the CLI's start-up never loads it
        from app.training.samples import TrainingDataError
        from model import CheckpointError

        if args.spotter_file and args.spotter != "learned":
            return command_error("evaluate", "--spotter-file needs --spotter learned")
        try:
            if args.checkpoint:
                return _evaluate_checkpoint(args)
            if args.spotter:
                return _evaluate_spotter(args)
            truth, pred, video_key, notes = _load(args)
            sidecars = _sidecars(args)
        except (ColumnError, ValidationError, FileNotFoundError, ValueError, TrainingDataError,
                CheckpointError) as err:
            return command_error("evaluate", str(err))
        metrics, details = _evaluate(truth, pred, video_key)
        print("\n".join(notes + [""] + _report_lines(metrics)))
        _after_spotting(metrics, truth, pred, video_key, sidecars)
        if args.out:
            _write_outputs(Path(args.out), metrics, details)
            print(f"\nwrote metrics.json, confusion.csv, confusion.png, spotting_matches.csv to {args.out}")
        return 0

    return run


def _evaluate_checkpoint(args) -> int:
    # lazy: both import torch, loaded only when this command runs
    from app.analysis.predictor import Predictor
    from app.training.heldout import evaluate_on

    sidecars = _sidecars(args)
    predictor = Predictor.load(args.checkpoint, device=args.device, threads=args.threads)
    cache = args.cache or face_track_cache_dir()
    print(f"evaluating {args.checkpoint} ({predictor.describe()['model_card'].get('data', 'no model card')}) on "
          f"{args.truth}, analysis mode {args.mode}", flush=True)
    result = evaluate_on(args.truth, predictor, mode=args.mode, baseline=not args.no_baseline,
                         face_config=predictor.face_config, cache_dir=cache, log=lambda m: print(m, flush=True))
    key = lambda e: e.video  # noqa: E731 - every event here carries its resolved video path
    model_events = result.model_events + _spot_unlabelled_videos(predictor, args, sidecars, result.truth)
    spotting, details = _evaluate(result.truth, model_events, key)
    recognition, rec_details = _evaluate(result.truth, result.recognised, key)
    metrics = {"checkpoint": str(args.checkpoint), "analysis_mode": args.mode,
               "spotting": spotting["spotting"], "recognition": recognition["recognition"],
               "summary": result.summary()}
    lines = ["", "Model:"] + _report_lines({"spotting": spotting["spotting"],
                                              "recognition": spotting["recognition"]})[:5]
    if result.motion_events is not None:
        baseline, _ = _evaluate(result.truth, result.motion_events, key)
        metrics["motion_spotter_spotting"] = baseline["spotting"]
        lines += ["", "Motion spotter (training-free baseline):"] + _report_lines(baseline)[:5]
    lines += ["", "Recognition on the labelled intervals (onset and apex given, MEGC recognition task):"]
    lines += _report_lines(recognition)[6:]
    if result.recognition_skipped:
        lines += [f"  not classified: {s}" for s in result.recognition_skipped]
    print("\n".join(lines))
    _after_spotting(metrics, result.truth, model_events, key, sidecars)
    if args.out:
        out = Path(args.out)
        _write_outputs(out, metrics, {"spotting": details["spotting"], "recognition": rec_details["recognition"]})
        write_events_csv(out / "pred_spotting.csv", model_events)
        write_events_csv(out / "pred_recognition.csv", result.recognised)
        if result.motion_events is not None:
            write_events_csv(out / "pred_motion_spotter.csv", result.motion_events)
        print(f"\nwrote metrics.json, confusion.csv/png, spotting_matches.csv and the predictions "
              f"(pred_*.csv) to {out}")
    return 0


def _evaluate_spotter(args) -> int:
    """A motion spotter run on every video of --truth and of the videos sidecar, scored with the breakdown."""
    # lazy: the face pipeline; app.training imports torch
    from app.analysis.motion_spotter import MotionConfig, spot_video
    from app.analysis.sensitivity_check import sensitivity_check, sensitivity_lines
    from app.analysis.stand_out_check import stand_out_check, stand_out_lines
    from app.training.heldout import labelled_truth

    sidecars = _sidecars(args)
    data, truth = labelled_truth(args.truth)
    fps = {e.video: e.fps for e in truth}
    fps.update({row.key: row.fps for row in sidecars[0] if row.key not in fps})
    config = MotionConfig(method=args.spotter, spotter_file=args.spotter_file)
    which = f"spotter {args.spotter_file}" if args.spotter_file else f"{args.spotter} motion spotter"
    print(f"evaluating the {which} on {args.truth} ({len(fps)} videos)", flush=True)
    predicted, seen, scores = [], {}, {}
    for n, (video, rate) in enumerate(sorted(fps.items()), start=1):
        result = spot_video(video, config, fps=rate, video_name=video)
        predicted += result.events
        seen[video] = result.sensitivity
        if result.relative is not None:
            scores[video] = (result.relative, result.fps)
        print(f"  video {n}/{len(fps)}: {Path(video).name}", flush=True)
    key = lambda e: e.video  # noqa: E731 - every event here carries its resolved video path
    metrics, details = _evaluate(truth, predicted, key)
    metrics["spotter"] = args.spotter
    if args.spotter_file:
        metrics["spotter_file"] = str(args.spotter_file)
    print("\n".join([""] + _report_lines(metrics)[:5]))
    _after_spotting(metrics, truth, predicted, key, sidecars)
    check = sensitivity_check(truth, predicted, key, seen)
    if check is not None:
        metrics["sensitivity"] = check
        print("\n" + "\n".join(sensitivity_lines(check)))
    groups = {attribute: {row.key: getattr(row, attribute) for row in sidecars[0]}
              for attribute in ("face_kind", "face_and_kind")} if sidecars[0] else None
    stand_out = stand_out_check(truth, predicted, key, scores, groups)
    if stand_out is not None:
        metrics["stand_out"] = stand_out
        print("\n" + "\n".join(stand_out_lines(stand_out)))
    if args.out:
        out = Path(args.out)
        _write_outputs(out, metrics, details)
        write_events_csv(out / "pred_spotting.csv", predicted)
        print(f"\nwrote metrics.json, spotting_matches.csv and the predictions (pred_spotting.csv) to {out}")
    return 0


def _resolve(folder: Path, video: str) -> str:
    return str(resolve_video(folder, video))


def _sidecars(args) -> tuple:
    """(videos rows, nuisance rows, parts rows) from --videos / --nuisance / --parts or the files beside --truth;
    empty when absent."""
    # lazy: analysis code, loaded only when this command runs
    from app.analysis.breakdown import read_intervals_csv, read_videos_csv, sidecar

    videos = sidecar(args.videos, args.truth, "videos.csv")
    nuisance = sidecar(args.nuisance, args.truth, "nuisance.csv")
    parts = sidecar(args.parts, args.truth, "parts.csv")
    return (read_videos_csv(videos, _resolve) if videos else [],
            read_intervals_csv(nuisance, _resolve) if nuisance else [],
            read_intervals_csv(parts, _resolve) if parts else [])


def _spot_unlabelled_videos(predictor, args, sidecars, truth) -> list:
    """The model's suggestions on the videos of the videos sidecar that have no truth rows (their false suggestions
    count too)."""
    from app.training.heldout import model_spotting  # lazy: imports torch

    labelled = {e.video for e in truth}
    extra = [v for v in sidecars[0] if v.key not in labelled]
    events = []
    for n, row in enumerate(extra, start=1):
        events += model_spotting(predictor, Path(row.key), row.fps, AnalysisConfig.for_mode(args.mode),
                                 predictor.face_config)
        print(f"  unlabelled video {n}/{len(extra)} (videos.csv): {Path(row.key).name}", flush=True)
    return events


def _after_spotting(metrics: dict, truth, pred, key, sidecars) -> None:
    """Print the confidence check; then the breakdown, stored in metrics["breakdown"], when a sidecar exists."""
    from app.analysis.breakdown import breakdown_lines, spotting_breakdown  # lazy: analysis code, as in _sidecars
    from app.analysis.reliability import confidence_lines

    if metrics["spotting"]["confidence"]:
        print("\n" + "\n".join(confidence_lines(metrics["spotting"]["confidence"])))

    if not any(sidecars):
        return
    metrics["breakdown"] = spotting_breakdown(truth, pred, key, *sidecars)
    print("\n" + "\n".join(breakdown_lines(metrics["breakdown"])))


def _load(args):
    loaded, notes = [], []
    for label, name in (("truth", args.truth), ("pred", args.pred)):
        path = Path(name)
        report = read_events_csv(path, strict=args.strict, check_videos=args.check_videos)
        notes.append(f"{label}: {path}: {report.summary(limit=0)}")
        notes += [f"  rejected: {p}" for p in report.problems]
        kept = [e for e in report.accepted if e.status != "rejected"]
        if len(kept) < len(report.accepted):
            notes.append(f"  ignored {len(report.accepted) - len(kept)} events with status 'rejected'")
        base = path.parent
        loaded.append([(e, str(resolve_video(base, e.video))) for e in kept])
    # Match on the resolved video path, so CSVs in different folders can refer to the same video.
    keyed = {id(event): key for pairs in loaded for event, key in pairs}
    truth = [e for e, _ in loaded[0]]
    pred = [e for e, _ in loaded[1]]
    return truth, pred, (lambda e: keyed[id(e)]), notes


def _evaluate(truth, pred, key):
    # lazy: analysis code, loaded only when this command runs
    from app.analysis.evaluate import SPOTTING_RULE, evaluate_spotting, match_events, recognition_metrics
    from app.analysis.reliability import confidence_check

    spotting = evaluate_spotting(truth, pred, video_key=key)
    pairs = match_events(truth, pred, video_key=key)
    recognition = recognition_metrics([t.emotion for t, _, _ in pairs], [p.emotion for _, p, _ in pairs])
    by_rule = {rule: sum(1 for *_, r in pairs if r == rule) for rule in ("event_id", "iou")}
    metrics = {
        "spotting": {"rule": SPOTTING_RULE, **{kind: _spotting_dict(result) for kind, result in spotting.items()},
                     "confidence": confidence_check(spotting)},
        "recognition": {
            "pairing": f"{by_rule['event_id']} pairs by (video, event_id), then {by_rule['iou']} by MEGC interval "
                       "match (IoU >= 0.5, any type) among the rest",
            "pairs_by_event_id": by_rule["event_id"], "pairs_by_iou": by_rule["iou"],
            "unpaired_truth": len(truth) - len(pairs), "unpaired_pred": len(pred) - len(pairs),
            "n": recognition.n, "accuracy": recognition.accuracy, "uf1": recognition.uf1, "uar": recognition.uar,
            "uar_definition": "mean per-class recall (honest UAR)",
            "classes": recognition.classes, "confusion": recognition.matrix.tolist(),
        },
    }
    return metrics, {"spotting": spotting, "recognition": recognition}


def _spotting_dict(result) -> dict:
    from app.analysis.breakdown import spotting_summary  # lazy: as in _sidecars

    return spotting_summary(result)


def _report_lines(metrics: dict) -> list[str]:
    spot, rec = metrics["spotting"], metrics["recognition"]
    lines = [f"Spotting (rule: {spot['rule']})",
             f"  {'type':<8}{'TP':>5}{'FP':>5}{'FN':>5}{'precision':>11}{'recall':>8}{'F1':>7}   apex error (hits)"]
    for kind in ("micro", "macro", "overall"):
        m = spot[kind]
        apex = ("-" if m["apex_error_frames_mean"] is None else
                f"mean {m['apex_error_frames_mean']:.1f} frames ({1000 * m['apex_error_s_mean']:.0f} ms), "
                f"median {m['apex_error_frames_median']:g}")
        lines.append(f"  {kind:<8}{m['tp']:>5}{m['fp']:>5}{m['fn']:>5}{m['precision']:>11.3f}{m['recall']:>8.3f}"
                     f"{m['f1']:>7.3f}   {apex}")
    lines += ["", f"Recognition (pairing: {rec['pairing']}; unpaired: {rec['unpaired_truth']} true, "
                  f"{rec['unpaired_pred']} predicted)"]
    if not rec["n"]:
        return lines + ["  no matched events: nothing to score"]
    lines.append(f"  N {rec['n']}   accuracy {rec['accuracy']:.3f}   UF1 {rec['uf1']:.3f}   "
                 f"UAR {rec['uar']:.3f} (mean recall)")
    classes = rec["classes"]
    width = max(len(c) for c in classes + ["true \\ pred"]) + 2
    lines.append("  " + "true \\ pred".ljust(width) + "".join(c[:10].rjust(11) for c in classes))
    for name, row in zip(classes, rec["confusion"]):
        lines.append("  " + name.ljust(width) + "".join(str(v).rjust(11) for v in row))
    return lines


def _write_outputs(out: Path, metrics: dict, details: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / "metrics.json", json.dumps(metrics, indent=2) + "\n")
    rec = details["recognition"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["true \\ predicted", *rec.classes])
    for name, row in zip(rec.classes, rec.matrix.tolist()):
        writer.writerow([name, *row])
    atomic_write_text(out / "confusion.csv", buffer.getvalue())
    if rec.classes:
        save_confusion_png(out / "confusion.png", rec.matrix, rec.classes,
                           f"N={rec.n}  acc {rec.accuracy:.3f}  UF1 {rec.uf1:.3f}  UAR {rec.uar:.3f}")
    atomic_write_text(out / "spotting_matches.csv", _matches_csv(details["spotting"]))


def _matches_csv(spotting: dict) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["kind", "outcome", "video", "truth_event_id", "truth_onset_frame", "truth_apex_frame",
                     "truth_offset_frame", "pred_event_id", "pred_onset_frame", "pred_apex_frame",
                     "pred_offset_frame", "iou", "apex_error_frames"])
    blank = ["", "", "", ""]
    for kind in ("micro", "macro"):
        result = spotting[kind]
        for t, p, iou in result.hits:
            writer.writerow([kind, "hit", t.video, t.event_id, t.onset_frame, t.apex_frame, t.offset_frame,
                             p.event_id, p.onset_frame, p.apex_frame, p.offset_frame, f"{iou:.4f}",
                             abs(p.apex_frame - t.apex_frame)])
        for t in result.misses:
            writer.writerow([kind, "miss", t.video, t.event_id, t.onset_frame, t.apex_frame, t.offset_frame,
                             *blank, "", ""])
        for p in result.false_alarms:
            writer.writerow([kind, "false_alarm", p.video, *blank, p.event_id, p.onset_frame, p.apex_frame,
                             p.offset_frame, "", ""])
    return buffer.getvalue()
