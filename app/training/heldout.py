"""A trained model on a labelled set it was not trained on: what `tsfmicro evaluate --checkpoint` and
`tsfmicro train --test` report.

* Spotting: the app's own recipe (`app.analysis.suggest`, mode "full" by default) over every video of the set: the
  analysis pipeline's curves, the shared proposal decoder's intervals, each interval's emotion named by the pair
  classifier from its onset and apex crops.
* Recognition (the MEGC recognition task): the pair classifier on every labelled interval's own onset and apex
  frames, the same crops training uses.
* Baseline: the default motion spotter (the bundled learned one, `MotionConfig()`'s method) on the same videos, its
  emotions left unnamed, so the model's spotting F1 is read beside it.

Predicted events are returned as lists of `Event`; the metrics are `app.analysis.evaluate`'s.
"""

from __future__ import annotations

import dataclasses
import os
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import numpy as np

from app.analysis.config import AnalysisConfig
from app.analysis.evaluate import evaluate_spotting, recognition_metrics
from app.analysis.pipeline import analyse_video
from app.analysis.predictor import Predictor
from app.analysis.suggest import suggest_events
from app.core.events import Event
from app.face import FaceConfig
from app.media.hashing import file_sha256
from app.training.classes import parse_classes
from app.training.samples import build_samples, load_training_csv

Log = Callable[[str], None]


@dataclass
class HeldOutResult:
    truth: list[Event]
    model_events: list[Event]         # spotted by the model, emotion named by the classifier
    recognised: list[Event]           # the labelled intervals with the classifier's emotion
    motion_events: Optional[list[Event]] = None  # the motion spotter's (baseline), None when not run
    recognition_skipped: list[str] = field(default_factory=list)
    mode: str = "full"

    def summary(self) -> dict[str, float | int | str]:
        """Flat figures for the model card and the report (micro-expressions; macro and overall alongside)."""
        out: dict[str, float | int | str] = {"videos": len({e.video for e in self.truth}),
                                             "events": len(self.truth), "analysis_mode": self.mode}
        for name, events in (("model", self.model_events), ("motion_spotter", self.motion_events)):
            if events is None:
                continue
            spotting = evaluate_spotting(self.truth, events)
            for kind in ("micro", "macro", "overall"):
                counts = spotting[kind].counts
                out[f"{name}_{kind}_f1"] = round(counts.f1, 4)
                out[f"{name}_{kind}_tp_fp_fn"] = f"{counts.tp}/{counts.fp}/{counts.fn}"
            errors = spotting["micro"].apex_errors_frames
            out[f"{name}_micro_apex_error_frames_mean"] = round(statistics.fmean(errors), 3) if errors else -1
            out[f"{name}_micro_apex_error_frames_median"] = float(statistics.median(errors)) if errors else -1
        recognition = recognition_metrics([t.emotion for t in self._recognised_truth()],
                                          [p.emotion for p in self.recognised])
        out.update(recognition_n=recognition.n, recognition_accuracy=round(recognition.accuracy, 4),
                   recognition_uf1=round(recognition.uf1, 4), recognition_uar=round(recognition.uar, 4))
        return out

    def _recognised_truth(self) -> list[Event]:
        by_id = {(t.video, t.event_id): t for t in self.truth}
        return [by_id[(p.video, p.event_id)] for p in self.recognised]


def labelled_truth(csv_path: str | os.PathLike):
    """(the training data of `csv_path`, its accepted events with `video` resolved to the file's path)."""
    data = load_training_csv(csv_path)
    return data, [dataclasses.replace(e, video=str(data.videos[e.video])) for e in data.events]


def model_curves(predictor: Predictor, source, config: AnalysisConfig, face_config: FaceConfig = FaceConfig()):
    """(n, 4) phase probabilities of one open video, by the app's analysis."""
    return np.concatenate([chunk.probs for chunk in analyse_video(source, predictor, config, face_config=face_config)])


def model_spotting(predictor: Predictor, video: Path, fps: float, config: AnalysisConfig,
                   face_config: FaceConfig = FaceConfig()) -> list[Event]:
    """The app's analysis of one video → suggested events (the model's decoding), emotions named as the app
    names them (`app.analysis.suggest`, the same recipe as `tsfmicro analyze`)."""
    return suggest_events(video, "model", fps=fps, predictor=predictor, config=config, face_config=face_config,
                          video_name=str(video), subject=video.stem).events


def evaluate_on(csv_path: str | os.PathLike, predictor: Predictor, *, mode: str = "full", baseline: bool = True,
                face_config: FaceConfig = FaceConfig(), cache_dir: Optional[str | os.PathLike] = None,
                log: Log = lambda message: None) -> HeldOutResult:
    """Spot and recognise every accepted event of the training CSV `csv_path` with `predictor`."""
    data, truth = labelled_truth(csv_path)
    by_video: dict[str, list[Event]] = defaultdict(list)
    for event in truth:
        by_video[event.video].append(event)
    config = AnalysisConfig.for_mode(mode)
    model_events, motion_events = [], ([] if baseline else None)
    for n, (video, events) in enumerate(sorted(by_video.items()), start=1):
        fps = events[0].fps
        model_events += model_spotting(predictor, Path(video), fps, config, face_config)
        if baseline:
            motion_events += suggest_events(video, "learned", fps=fps, face_config=face_config, video_name=video,
                                            name=False).events
        log(f"  held-out video {n}/{len(by_video)}: {Path(video).name}")
    recognised, skipped = recognise_intervals(data, predictor, face_config, cache_dir)
    return HeldOutResult(truth, model_events, recognised, motion_events, skipped, mode)


def held_out_figures(csv_path: str | os.PathLike, predictor: Predictor, *, face_config: FaceConfig = FaceConfig(),
                      cache_dir: Optional[str | os.PathLike] = None, log: Log = lambda message: None) -> dict:
    """`evaluate_on(csv_path)`'s summary with the CSV's path and hash: the model card's `heldout_*` entries, without
    the prefix (`tsfmicro train --test`, `tsfmicro calibrate --test`)."""
    log(f"held-out test set {csv_path}: spotting (analysis mode full, motion spotter beside it) and recognition on "
        "its labelled intervals")
    summary = evaluate_on(csv_path, predictor, face_config=face_config, cache_dir=cache_dir, log=log).summary()
    log("held-out: " + ", ".join(f"{k} {v}" for k, v in summary.items()))
    return {"csv": str(csv_path), "csv_sha256": file_sha256(csv_path), **summary}


def recognise_intervals(data, predictor: Predictor, face_config: FaceConfig,
                        cache_dir: Optional[str | os.PathLike]) -> tuple[list[Event], list[str]]:
    """The classifier on each labelled interval's onset and apex crops (as training makes them, no re-selection).
    Events whose emotion the model does not know are left out and listed."""
    classes = parse_classes(",".join(predictor.class_names), set(predictor.class_names))
    samples, skipped = build_samples(data, classes, reselect_mode="off", face_config=face_config,
                                     cache_dir=cache_dir)
    unknown = [f"{e.event_id}: emotion {e.emotion!r} is not one of the model's classes" for e in data.events
               if classes.label(e.emotion) is None]
    out = []
    for sample in samples:
        probs = predictor.classify_interval(sample.onset, sample.apex)
        best = max(probs, key=probs.get)
        video = str(data.videos[sample.event.video])
        out.append(dataclasses.replace(sample.event, video=video, emotion=best, source="model",
                                       confidence=round(probs[best], 4)))
    return out, [str(s) for s in skipped] + unknown
