"""A whole test-only set on disk: videos, labels, nuisance and video sidecars, manifest, and the test-only marker.

    DIR/videos/<name>.mp4   H.264 (app.media.writer)
    DIR/labels.csv          the training CSV (micro and macro; source imported, status accepted,
                            notes "testbed renderer (seed S)")
    DIR/nuisance.csv        video, kind (blink|gaze|head), start_frame, end_frame
    DIR/videos.csv          video, renderer (testbed|real), face, face_kind, fps, n_frames, injected_events
    DIR/manifest.json       seed, settings, every video's plan
    DIR/TEST_ONLY_DO_NOT_TRAIN.txt   the marker the training side refuses
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path
from typing import Callable, Sequence

from app.core.atomic import atomic_write_text
from app.core.events import Event
from app.core.events_csv import write_events_csv
from app.core.test_only import TEST_ONLY_NOTES_PREFIX, write_test_only_marker
from app.media import open_video
from app.resources import package_file
from app.testbed.faces import CLIPS, FACE_KINDS, REAL_CLIPS, tracked_clip
from app.testbed.plan import VideoPlan, plan_to_json, plan_video
from app.testbed.render import render_video

VIDEOS_COLUMNS = ("video", "renderer", "face", "face_kind", "fps", "n_frames", "injected_events")
NUISANCE_COLUMNS = ("video", "kind", "start_frame", "end_frame")
MARKER_TEXT = ("TEST ONLY. Written by `tsfmicro testset`: videos rendered by the test-only renderer (app/testbed),\n"
               "designed apart from the training generator. Use them to measure a model (tsfmicro evaluate,\n"
               "--test), never to train it, choose its decoding (--val) or calibrate it: those commands refuse\n"
               "this folder.\n")


def plan_set(seed: int, n_videos: int, faces: Sequence[str], kinds: Sequence[str], seconds: float,
             size: tuple[int, int]) -> list[VideoPlan]:
    """Video k shows the k-th (face, kind) pair, round robin."""
    for face in faces:
        if face not in CLIPS:
            raise ValueError(f"unknown face {face!r}; choose from {', '.join(CLIPS)}")
    for kind in kinds:
        if kind not in FACE_KINDS:
            raise ValueError(f"unknown face kind {kind!r}; choose from {', '.join(FACE_KINDS)}")
    pairs = [(f, k) for f in faces for k in kinds]
    plans = []
    for index in range(n_videos):
        face, kind = pairs[index % len(pairs)]
        frames, _, clip_fps = tracked_clip(face)
        plans.append(plan_video(seed, index, face, kind, seconds, size, clip_fps, len(frames)))
    return plans


def label_events(plan: VideoPlan, notes: str) -> list[Event]:
    return [Event(f"videos/{plan.name}.mp4", plan.face, e.event_id, e.onset, e.apex, e.offset, plan.fps, e.kind,
                  e.emotion, e.action_units, "imported", "accepted", notes=notes) for e in plan.expressions]


def _csv_text(columns: Sequence[str], rows: list[Sequence]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()


def _real_clip_rows(out: Path) -> list[tuple]:
    """Copy the real clips whose packages are installed into DIR/videos; their videos.csv rows."""
    rows = []
    for name, (package, parts) in REAL_CLIPS.items():
        source = package_file(package, *parts)
        if source is None:
            continue
        target = out / "videos" / f"real_{name}{source.suffix}"
        shutil.copyfile(source, target)
        with open_video(target) as video:
            fps = video.probe().fps
            n_frames = sum(1 for _ in video.iter_frames())
        rows.append((f"videos/{target.name}", "real", name, "talking", f"{fps:g}", n_frames, 0))
    return rows


def write_test_set(out: str | os.PathLike, seed: int, n_videos: int = 4, faces: Sequence[str] = ("carphone",),
                   kinds: Sequence[str] = FACE_KINDS, seconds: float = 10.0, size: tuple[int, int] = (640, 480),
                   real_clips: bool = False, log: Callable[[str], None] = lambda message: None) -> Path:
    """Render and write one test-only set; returns the labels CSV's path."""
    out = Path(out)
    (out / "videos").mkdir(parents=True, exist_ok=True)
    write_test_only_marker(out, MARKER_TEXT)
    notes = f"{TEST_ONLY_NOTES_PREFIX} (seed {seed})"
    plans = plan_set(seed, n_videos, faces, kinds, seconds, size)
    events, nuisance_rows, video_rows = [], [], []
    for k, plan in enumerate(plans, start=1):
        video = f"videos/{plan.name}.mp4"
        render_video(plan, out / video)
        events += label_events(plan, notes)
        nuisance_rows += [(video, n.kind, n.start, n.end) for n in plan.nuisances]
        video_rows.append((video, "testbed", plan.face, plan.face_kind, f"{plan.fps:g}", plan.n_frames,
                           len(plan.expressions)))
        log(f"[{k}/{len(plans)}] {video}: {plan.face} ({plan.face_kind}), {plan.n_frames} frames at {plan.fps:g} fps, "
            f"{len(plan.expressions)} expressions, {len(plan.nuisances)} nuisances")
    if real_clips:
        video_rows += _real_clip_rows(out)
    labels = write_events_csv(out / "labels.csv", events)
    atomic_write_text(out / "nuisance.csv", _csv_text(NUISANCE_COLUMNS, nuisance_rows))
    atomic_write_text(out / "videos.csv", _csv_text(VIDEOS_COLUMNS, video_rows))
    manifest = {"renderer": "testbed", "test_only": True, "seed": seed,
                "settings": {"n_videos": n_videos, "faces": list(faces), "kinds": list(kinds), "seconds": seconds,
                             "size": list(size), "real_clips": real_clips},
                "videos": [plan_to_json(p) for p in plans],
                "real_clips": [dict(zip(VIDEOS_COLUMNS, row)) for row in video_rows if row[1] == "real"]}
    atomic_write_text(out / "manifest.json", json.dumps(manifest, indent=1) + "\n")
    return labels
