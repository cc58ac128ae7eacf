"""Qt-free batch scoring (`tsfmicro score`): many videos → per-video curves, suggested events and a plot, plus
one summary row per video. Resumable, parallel over local processes or a Ray cluster. See docs/batch.md.

One job per module:

- `inputs`: INPUT (folder, glob or list file) → the ordered list of videos.
- `naming`: videos → collision-free output folder names.
- `settings`: what the scores depend on (`ScoreSettings`), its resume key, threads per worker.
- `marker`: the per-video `done.json` marker (written last) and the resume check.
- `job`: one video → frames.csv, events.csv, curves.png, done.json (`score_video`), and the worker-side model
  cache (`WorkerModels`, loaded once per worker process).
- `plot`: curves.png (OpenCV + numpy).
- `summary`: summary.csv and run.json.
- `progress`: the progress bar over videos and frames (stderr).
- `runner`: plan (names, resume), dispatch to an engine, collect, write the summary (`run_batch`).
- `engines.local`: N spawned processes; `engines.ray_engine`: Ray actors (ray is imported only there).

Typical use::

    from app.batch import ScoreSettings, collect_videos, run_batch
    from app.batch.engines.local import LocalEngine
    report = run_batch(collect_videos("interviews/"), "scores/", ScoreSettings.create(checkpoint=None),
                       LocalEngine(workers=2), resume=True)
"""

from app.batch.inputs import InputError, collect_videos
from app.batch.runner import BatchReport, run_batch
from app.batch.settings import ScoreSettings

__all__ = ["BatchReport", "InputError", "ScoreSettings", "collect_videos", "run_batch"]
