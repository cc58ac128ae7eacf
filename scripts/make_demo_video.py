"""Render the bundled demo: resources/demo/astronaut_demo.mp4 (10 s, 640x480, 30 fps, H.264) and
its ground truth resources/demo/astronaut_demo.events.csv (3 synthetic micro-expressions and one
macro-expression, from `tsfmicro synth`, seed 8).

Made from scikit-image's public-domain astronaut portrait (NASA), bundled as
resources/faces/astronaut.jpg. Re-run to regenerate: .venv/bin/python scripts/make_demo_video.py
"""

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from app.core.events_csv import read_events_csv, write_events_csv
from app.resources import resource_path
from app.synth.dataset import synthesize_dataset

SEED = 8

if __name__ == "__main__":
    demo = resource_path("demo")
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = synthesize_dataset(tmp, n_videos=1, seed=SEED, duration_s=10.0, faces=["astronaut"], crf=23)
        report = read_events_csv(csv_path, strict=True)
        video = Path(tmp) / report.accepted[0].video
        shutil.copyfile(video, demo / "astronaut_demo.mp4")
        events = [replace(e, video="astronaut_demo.mp4") for e in report.accepted]
        write_events_csv(demo / "astronaut_demo.events.csv", events)
    print(f"wrote {demo / 'astronaut_demo.mp4'} and {len(events)} events to {demo / 'astronaut_demo.events.csv'}")
