"""The pair classifier names the emotion of an interval: one run on its onset and apex crops, its softmax over the
checkpoint's class names.

Used on the model's suggestions (`tsfmicro analyze`, batch scoring, the reviewer's analysis, held-out evaluation).
Crops come from a `crop_at(frame) -> crop or None` callable, in all of these `FrameCrops`: the face pipeline on the
onset and apex frames only, read frame-exactly, since a streaming analysis keeps no crops.
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Optional, Sequence

import numpy as np

from app.core.events import Event
from app.face import FaceConfig, FacePipeline
from app.resources import default_model_path

CropAt = Callable[[int], Optional[np.ndarray]]


def name_emotions(predictor, crop_at: CropAt, events: Sequence[Event]) -> list[Event]:
    """`events` with `emotion` set to the classifier's choice on each interval's (onset, apex) crops and the
    probabilities in `notes`; an event without a face at either frame keeps its emotion."""
    named = []
    for event in events:
        onset, apex = crop_at(event.onset_frame), crop_at(event.apex_frame)
        if onset is None or apex is None:
            named.append(event)
            continue
        probs = predictor.classify_interval(onset, apex)
        best = max(probs, key=probs.get)
        ranked = ", ".join(f"{name} {p:.2f}" for name, p in sorted(probs.items(), key=lambda kv: -kv[1])[:3])
        named.append(dataclasses.replace(event, emotion=best, notes=f"emotion by the pair classifier: {ranked}"))
    return named


class FrameCrops:
    """Aligned crops of single frames of an open video: each frame is read frame-exactly and goes through its
    own face-pipeline run (detection, landmarks, alignment), so nothing depends on what was decoded before."""

    def __init__(self, source, face_config: FaceConfig = FaceConfig(), fps: float = 30.0) -> None:
        self._source = source
        self._pipeline = FacePipeline(face_config, fps)
        self._cache: dict[int, Optional[np.ndarray]] = {}

    def __call__(self, index: int) -> Optional[np.ndarray]:
        if index not in self._cache:
            frame = self._source.read(index)
            result = next(iter(self._pipeline.run([(index, frame)])))  # a None frame gives "no face"
            self._cache[index] = result.crop  # None when no face was found
        return self._cache[index]


def name_with_bundled_model(source, fps: float, events: Sequence[Event], *, device: str = "auto",
                            threads: Optional[int] = None) -> list[Event]:
    """A spotter's suggestions with their emotion named by the bundled TSFmicro model's pair classifier on each
    interval's onset and apex frames of the open video `source`; the spotter's notes are kept in front of the
    classifier's. Unchanged when this installation has no bundled model or there is nothing to name."""
    from app.analysis.predictor import Predictor  # lazy: torch, loaded only when there is a bundled model

    checkpoint = default_model_path()
    if checkpoint is None or not events:
        return list(events)
    predictor = Predictor.load(checkpoint, device=device, threads=threads)
    named = name_emotions(predictor, FrameCrops(source, fps=fps), events)
    return [n if n.notes == e.notes else dataclasses.replace(n, notes=f"{e.notes}; {n.notes}")
            for e, n in zip(events, named)]
