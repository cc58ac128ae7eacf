"""Pure parts of batch scoring: INPUT parsing, output names, the settings key, the plot, the progress display,
summary.csv, and one job run in this process (errors, interrupts, atomic outputs)."""

from __future__ import annotations

import csv
import io
import json

import cv2
import numpy as np
import pytest

from app.batch.inputs import InputError, collect_videos
from app.batch.job import JobSpec, WorkerModels, score_video
from app.batch.marker import DONE, is_done
from app.batch.naming import output_names
from app.batch.plot import column_max, render_curves_png
from app.batch.progress import BatchProgress
from app.batch.settings import ScoreSettings, threads_per_worker
from app.batch.summary import SUMMARY_COLUMNS, SummaryRow, summary_text
from app.core.events import Event
from app.media import content_hash

from .conftest import temporaries


# ------------------------------------------------------------------------------------------------------ inputs

def test_folder_is_searched_recursively_for_videos_only(input_tree):
    videos = collect_videos(input_tree)
    assert [v.relative_to(input_tree).as_posix() for v in videos] == [
        "broken.mp4", "day1/p01.mp4", "day2/p01.mp4", "empty_room.mp4", "p02.mp4"]
    assert all(v.is_absolute() for v in videos)


def test_output_folder_inside_input_is_not_scanned(input_tree, tmp_path):
    assert all("day1" not in str(v) for v in collect_videos(input_tree, exclude=input_tree / "day1"))


def test_glob_pattern(input_tree):
    videos = collect_videos(str(input_tree / "**" / "p0*.mp4"))
    assert [v.relative_to(input_tree).as_posix() for v in videos] == ["day1/p01.mp4", "day2/p01.mp4", "p02.mp4"]


def test_list_file_keeps_order_resolves_relative_paths_and_missing_entries(input_tree, tmp_path):
    listing = input_tree / "batch.txt"
    listing.write_text(f"# interviews\np02.mp4\n\n{input_tree / 'day1' / 'p01.mp4'}\nmissing.mp4\np02.mp4\n")
    videos = collect_videos(listing)
    assert videos == [input_tree / "p02.mp4", input_tree / "day1" / "p01.mp4", input_tree / "missing.mp4"]
    listing.unlink()


def test_bad_inputs_are_refused(tmp_path):
    with pytest.raises(InputError, match="no such"):
        collect_videos(tmp_path / "nothing")
    with pytest.raises(InputError, match="no videos found"):
        collect_videos(tmp_path)
    with pytest.raises(InputError, match="no videos found"):
        collect_videos(str(tmp_path / "*.mp4"))


# ------------------------------------------------------------------------------------------------------ naming

def test_output_names_are_unique_readable_and_deterministic(tmp_path):
    videos = [tmp_path / "a" / "day1" / "p01.mp4", tmp_path / "a" / "day2" / "p01.mp4", tmp_path / "x" / "P01.mov",
              tmp_path / "q" / "s.mp4", tmp_path / "q" / "s.mov", tmp_path / "summary.csv.mp4", tmp_path / "w?e.mp4"]
    names = output_names(videos)
    assert names == ["p01__a-day1", "p01__a-day2", "P01__x", "s__mp4", "s__mov", "summary.csv__video", "w_e"]
    assert output_names(videos) == names
    assert len({n.casefold() for n in names}) == len(names)


def test_leftover_collisions_get_a_counter(tmp_path):
    assert output_names([tmp_path / "a" / "v.mp4", tmp_path / "b" / "v.mp4", tmp_path / "v__a.mp4"]) == [
        "v__a", "v__b", "v__a~2"]


# ---------------------------------------------------------------------------------------------------- settings

def test_settings_key_follows_the_model_and_the_options(tiny_checkpoint, other_checkpoint):
    motion = ScoreSettings.create(None)
    model = ScoreSettings.create(tiny_checkpoint)
    assert len({motion.key, model.key, ScoreSettings.create(other_checkpoint).key,
                ScoreSettings.create(tiny_checkpoint, mode="full").key}) == 4
    assert ScoreSettings.create(tiny_checkpoint, device="cpu").key == model.key  # where it runs is not what it is
    assert "motion spotter" in motion.label and "no --checkpoint" in motion.label
    assert threads_per_worker(1, 2) == 2 and threads_per_worker(2, 2) == 1 and threads_per_worker(4, 2) == 1


# -------------------------------------------------------------------------------------------------------- plot

def _event(onset, apex, offset, kind="micro"):
    return Event(video="v.mp4", subject="s", event_id=f"e{onset}", onset_frame=onset, apex_frame=apex,
                 offset_frame=offset, fps=30.0, kind=kind, emotion="none", source="model", status="suggested")


def test_curves_png_is_deterministic_and_marks_events():
    n = 3000
    t = np.arange(n)
    curve = np.where((t > 1000) & (t < 1010), 0.9, 0.1)
    curve[200:260] = np.nan
    face_ok = np.ones(n, bool)
    face_ok[200:260] = False
    args = ({"motion": (curve, (0, 0, 220))}, 30.0, [_event(1000, 1005, 1010), _event(2000, 2050, 2100, "macro")],
            face_ok, "clip.mp4")
    png = render_curves_png(*args)
    assert png == render_curves_png(*args)
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    assert image.shape == (340, 1200, 3)
    assert (np.abs(image.astype(int) - (150, 200, 255)).sum(axis=2) == 0).any()  # a shaded micro span
    peak = column_max(curve, 500)
    assert np.nanmax(peak) == pytest.approx(0.9)  # a 9-frame peak survives the reduction to 500 columns


# ----------------------------------------------------------------------------------------------------- progress

def test_progress_plain_lines_when_not_a_tty():
    stream = io.StringIO()
    progress = BatchProgress(3, 300, stream=stream, tty=False)
    progress.skip()
    progress.frames(1, 50)
    progress.video_done(1, "ok", 100)
    progress.video_done(2, "error", 0, expected=100)
    progress.close()
    lines = stream.getvalue().splitlines()
    assert "\r" not in stream.getvalue()
    assert "3/3 videos (1 error, 1 skipped)" in lines[-1] and "frames 200/300" in lines[-1]
    assert "fps" in lines[-1] and "ETA" in lines[-1]


def test_progress_redraws_one_line_on_a_tty():
    stream = io.StringIO()
    progress = BatchProgress(2, 100, stream=stream, tty=True)
    progress.video_done(0, "ok", 50)
    progress.close()
    assert stream.getvalue().count("\r") >= 2 and stream.getvalue().endswith("\n")


def test_summary_columns():
    text = summary_text([SummaryRow("/v/a.mp4", "a", "ok", 300, 2, 10.0), SummaryRow("/v/b.mp4", "b", "skipped", 90, 1),
                         SummaryRow("/v/c.mp4", "c", "error", error="c.mp4: cannot\nopen")])
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == SUMMARY_COLUMNS == ("path", "output", "status", "frames", "events", "seconds", "fps",
                                                 "error", "floor_pct_eye_span", "warning")
    assert rows[0]["fps"] == "30.0" and rows[1]["seconds"] == "" and rows[2]["error"] == "c.mp4: cannot open"
    assert rows[0]["floor_pct_eye_span"] == rows[0]["warning"] == ""  # no sensitivity: the model engine


def test_summary_names_the_videos_the_spotter_cannot_see_into():
    from app.analysis.relative_evidence import Sensitivity

    quiet, restless = Sensitivity(0.523, "brow_l", 5.0, 0.0), Sensitivity(7.25, "nose_l", 5.0)
    partly = Sensitivity(0.61, "brow_r", 5.0, 0.3)  # a long recording whose liveliest 30 % is blind
    text = summary_text([SummaryRow("/v/a.mp4", "a", "ok", 300, 2, 10.0, sensitivity=quiet.as_dict()),
                         SummaryRow("/v/b.mp4", "b", "skipped", 90, 0, sensitivity=restless.as_dict()),
                         SummaryRow("/v/c.mp4", "c", "ok", 9000, 4, 90.0, sensitivity=partly.as_dict())])
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["floor_pct_eye_span"] == "0.52" and rows[0]["warning"] == ""
    assert rows[1]["floor_pct_eye_span"] == "7.25" and "cannot see faint micro-expressions" in rows[1]["warning"]
    assert rows[2]["floor_pct_eye_span"] == "0.61" and "cannot see faint micro-expressions in 30 % of the frames" in \
        rows[2]["warning"]


# ----------------------------------------------------------------------------------------- one job, in process

@pytest.fixture(scope="module")
def motion_models():
    return WorkerModels(ScoreSettings.create(None), threads=1)


def _job(video, out, settings=None):
    return JobSpec(0, str(video), str(out), content_hash(video), settings or ScoreSettings.create(None))


def test_job_interrupted_mid_video_publishes_nothing_and_a_rerun_completes(synth_clips, tmp_path, motion_models):
    out = tmp_path / "clip"
    job = _job(synth_clips[0], out)
    first = score_video(job, motion_models)
    assert first.status == "ok" and is_done(out, job.video_sha256, job.settings.key)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def interrupt(done, total):
        if done >= 32:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        score_video(job, motion_models, interrupt)
    assert not (out / DONE).exists()          # the marker goes first: the folder is no longer "done"
    assert temporaries(out) == []
    assert is_done(out, job.video_sha256, job.settings.key) is None
    again = score_video(job, motion_models)
    assert again.status == "ok" and {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_job_error_in_the_middle_leaves_no_files(synth_clips, tmp_path, motion_models):
    out = tmp_path / "clip"

    def fail(done, total):
        raise OSError("disk full")

    result = score_video(_job(synth_clips[0], out), motion_models, fail)
    assert result.status == "error" and "OSError: disk full" in result.error
    assert not out.exists()


def test_job_without_any_face_is_an_error(noface_clip, tmp_path, motion_models):
    result = score_video(_job(noface_clip, tmp_path / "room"), motion_models)
    assert result.status == "error" and "no usable face" in result.error
    assert not (tmp_path / "room").exists()


def test_done_marker_has_no_run_specific_values(synth_clips, tmp_path, motion_models):
    job = _job(synth_clips[1], tmp_path / "clip")
    assert score_video(job, motion_models).status == "ok"
    marker = json.loads((tmp_path / "clip" / DONE).read_text())
    assert set(marker) == {"video_sha256", "settings_key", "source_name", "frames", "events", "fps", "files",
                           "settings", "sensitivity"}
    assert str(tmp_path) not in json.dumps(marker)


# ------------------------------------------------------------------------------------------ ray engine, no ray

def test_ray_engine_without_ray_says_how_to_install(monkeypatch):
    import sys

    from app.batch.engines.ray_engine import RayEngine, RayMissingError

    monkeypatch.setitem(sys.modules, "ray", None)  # as if not installed
    with pytest.raises(RayMissingError, match=r"tsfmicro-studio\[cluster\]"):
        RayEngine(address="127.0.0.1:1").check_installed()


class _FakeRay:
    def __init__(self, resources):
        self.resources = resources

    def cluster_resources(self):
        return self.resources


@pytest.mark.parametrize("resources, device, engine_checkpoint, workers, expected", [
    ({"CPU": 8.0}, "auto", True, None, (8, 0.0)),
    ({"CPU": 8.0, "GPU": 2.0}, "auto", True, None, (8, 0.25)),      # 8 actors share 2 GPUs
    ({"CPU": 8.0, "GPU": 2.0}, "auto", True, 2, (2, 1.0)),          # one GPU each
    ({"CPU": 8.0, "GPU": 2.0}, "cpu", True, 2, (2, 0.0)),           # --device cpu: no GPU requested
    ({"CPU": 8.0, "GPU": 2.0}, "auto", False, 2, (2, 0.0)),         # the motion spotter needs no GPU
])
def test_ray_plan_requests_gpus_only_when_useful(tiny_checkpoint, resources, device, engine_checkpoint, workers,
                                                 expected):
    from app.batch.engines.ray_engine import RayEngine

    settings = ScoreSettings.create(tiny_checkpoint if engine_checkpoint else None, device=device)
    assert RayEngine(workers=workers)._plan(_FakeRay(resources), settings, n_jobs=100) == expected
    assert RayEngine(workers=workers)._plan(_FakeRay(resources), settings, n_jobs=1)[0] == 1
