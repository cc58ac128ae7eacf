"""`tsfmicro-studio --self-test`: prove that an installation (a source checkout or the frozen
PyInstaller folder) can do the application's real work, without a display and without a user.

Steps, in order; the first one that fails stops the run and is named in the message:

1. resources      the bundled demo video, dlib's three model files and the icon are where
                  `app.resources` says (frozen: under `sys._MEIPASS`);
2. model          the bundled default model (`resources/models/default.pt`) when one ships;
                  otherwise `tsfmicro_tiny` with random weights and a spotting head, saved as a
                  checkpoint and loaded back, and the output says plainly that no trained model
                  ships (the step still exercises torch, the checkpoint code and the Predictor);
3. analysis       decode + face pipeline (dlib) + model + spotting head over the start of the
                  demo video (`app.analysis.analyse_video`), written as frames.csv;
4. motion spotter the training-free spotter over the whole demo video (`spot_video`), its
                  suggestions written as events.csv (`write_events_csv`);
5. csv read-back  both CSVs parse back with the expected columns and row counts;
6. window         the real `ReviewerWindow`, offscreen, opens the demo video, shows a frame and
                  renders itself, then closes (all threads stopped).

Everything is written to a temporary folder that is removed afterwards; QSettings and the
project file are isolated there, so a self-test leaves no trace in the user's settings or next
to the bundled demo video. Exit status 0 only when every step passed; 1 otherwise, with
"self-test FAILED at step '<name>': <reason>" on stderr.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Callable, Optional, TextIO

from app import __version__
from app.analysis import FRAMES_CSV_COLUMNS
from app.analysis.model_card import trained_on
from app.core.csv_rows import read_rows
from app.core.events_csv import read_events_csv, write_events_csv
from app.resources import default_model_path, demo_video_path, dlib_model_path, resource_path

ANALYSED_FRAMES = 120  # the analysis step covers the first 4 s of the demo video (two 64-frame chunks)
WINDOW_TIMEOUT_S = 120.0  # opening the demo video counts its frames in a worker thread first
NO_MODEL_NOTE = ("no trained model ships with this version: the self-test uses tsfmicro_tiny with RANDOM weights "
                 "(it exercises torch and the analysis code; its probabilities mean nothing)")


class SelfTestFailure(Exception):
    """A step ran but its result is wrong."""


class _Run:
    def __init__(self, work: Path, out: TextIO) -> None:
        self.work = work
        self.out = out
        self.video: Optional[Path] = None
        self.predictor = None
        self.n_frames_analysed = 0
        self.n_events = 0

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    # -- 1 -------------------------------------------------------------------------------------------
    def resources(self) -> str:
        demo = demo_video_path()
        models = [dlib_model_path(name) for name in ("landmarks68", "landmarks5", "mmod")]
        icon = resource_path("icons", "tsfmicro-studio.png")
        self.video = self.work / demo.name
        shutil.copyfile(demo, self.video)  # the window writes its project beside the video: keep it in work/
        where = f"frozen bundle at {sys._MEIPASS}" if getattr(sys, "_MEIPASS", None) else "source checkout"
        return f"{where}; demo {demo.name}, dlib models {', '.join(p.name for p in models)}, icon {icon.name}"

    # -- 2 -------------------------------------------------------------------------------------------
    def model(self) -> str:
        from app.analysis import Predictor  # lazy: each step imports the stack it proves (torch here)

        path = default_model_path()
        if path is None:
            self.say(f"  NOTE: {NO_MODEL_NOTE}")
            path = self._tiny_checkpoint(self.work / "tsfmicro_tiny_random.pt")
        self.predictor = Predictor.load(path, device="cpu", threads=max(1, min(2, os.cpu_count() or 1)))

        return (f"{path.name}: {self.predictor.model.cfg.input_size}px input, classes "
                f"{', '.join(self.predictor.class_names)}; trained on {trained_on(self.predictor.model_card)}")

    @staticmethod
    def _tiny_checkpoint(path: Path) -> Path:
        # lazy: torch, as in model
        import torch

        from app.analysis.contract import ModelContract
        from model import PreprocessCfg, SpottingHead, SpottingHeadCfg, create_model, save_checkpoint

        torch.manual_seed(0)
        classes = ("negative", "positive", "surprise", "others", "repression")
        model = create_model("tsfmicro_tiny", num_classes=len(classes)).eval()
        head = SpottingHead(SpottingHeadCfg(embed_dim=model.cfg.embed_dim)).eval()
        return save_checkpoint(path, model, model_name="tsfmicro_tiny", class_names=classes,
                               preprocess=PreprocessCfg(size=model.cfg.input_size), contract=ModelContract().to_dict(),
                               model_card={"purpose": "self-test only", "data": "none (random weights)"},
                               spotting_head=head)

    # -- 3 -------------------------------------------------------------------------------------------
    def analysis(self) -> str:
        # lazy: each step imports the stack it proves (decoding, dlib, torch), so a broken install fails at its step
        import numpy as np

        from app.analysis import AnalysisConfig, FramesCsvWriter, analyse_video
        from app.media import open_video

        with open_video(self.video) as video:
            fps = video.probe().fps
            stop = ANALYSED_FRAMES
            found = ok = analysed = 0
            with FramesCsvWriter(self.work / "frames.csv", fps) as csv_out:
                for chunk in analyse_video(video, self.predictor, AnalysisConfig.for_mode("fast"), stop=stop):
                    csv_out.write(chunk)
                    found += int(chunk.face_found.sum())
                    ok += int(chunk.face_ok.sum())
                    analysed += chunk.n_analysed
                    probs = chunk.probs[chunk.face_ok]
                    if probs.size and not np.isfinite(probs).all():
                        raise SelfTestFailure(f"non-finite probabilities in frames {chunk.start}-{chunk.stop - 1}")
            rows = csv_out.rows
        if rows == 0:
            raise SelfTestFailure("no frames were decoded from the demo video")
        if found == 0:
            raise SelfTestFailure(f"the face pipeline found no face in {rows} frames of the demo video")
        if analysed == 0:
            raise SelfTestFailure("the model analysed no frame")
        self.n_frames_analysed = rows
        return f"{rows} frames: face in {found}, face ok in {ok}, {analysed} analysed by the model → frames.csv"

    # -- 4 -------------------------------------------------------------------------------------------
    def motion_spotter(self) -> str:
        from app.analysis.motion_spotter import spot_video  # lazy: the face pipeline (dlib), as in analysis

        result = spot_video(self.video)
        if len(result.motion) == 0 or not result.face_ok.any():
            raise SelfTestFailure(f"the spotter saw {len(result.motion)} frames, face ok in {int(result.face_ok.sum())}")
        write_events_csv(self.work / "events.csv", result.events)
        self.n_events = len(result.events)
        return (f"{len(result.motion)} frames ({result.seconds:.1f} s), face ok in {int(result.face_ok.sum())}, "
                f"{len(result.events)} suggestions → events.csv")

    # -- 5 -------------------------------------------------------------------------------------------
    def csv_read_back(self) -> str:
        with open(self.work / "frames.csv", newline="", encoding="utf-8") as handle:
            rows = read_rows(handle, self.work / "frames.csv")
        if tuple(rows[0]) != FRAMES_CSV_COLUMNS:
            raise SelfTestFailure(f"frames.csv header {rows[0]} != {list(FRAMES_CSV_COLUMNS)}")
        if len(rows) - 1 != self.n_frames_analysed:
            raise SelfTestFailure(f"frames.csv has {len(rows) - 1} rows, expected {self.n_frames_analysed}")
        report = read_events_csv(self.work / "events.csv", check_videos=False)
        n_events = len(report.accepted)
        if n_events != self.n_events or not report.ok:
            raise SelfTestFailure(f"events.csv reads back {n_events} events ({report.summary()}), "
                                  f"{self.n_events} were written")
        return f"frames.csv {len(rows) - 1} rows, events.csv {n_events} events"

    # -- 6 -------------------------------------------------------------------------------------------
    def window(self) -> str:
        # lazy: Qt, imported by this step only (run_self_test sets the offscreen platform first)
        from PySide6.QtCore import QSettings
        from PySide6.QtWidgets import QApplication

        from app.ui.main_window import ReviewerWindow

        qt_app = QApplication.instance() or QApplication(sys.argv[:1])
        platform = qt_app.platformName()
        window = ReviewerWindow(QSettings(str(self.work / "settings.ini"), QSettings.Format.IniFormat))
        try:
            window.show()
            if not window.open_path(self.video) and not window.opener.counting:
                raise SelfTestFailure(f"the window refused the demo video: {window.error_banner.text()}")
            self._wait(lambda: window.document is not None or window.error_banner.isVisible(), WINDOW_TIMEOUT_S)
            if window.document is None:
                raise SelfTestFailure(f"the demo video did not open: {window.error_banner.text() or 'timed out'}")
            target = min(42, window.document.n_frames - 1)
            window.show_frame(target)
            qt_app.processEvents()
            if window.current_frame != target:
                raise SelfTestFailure(f"asked for frame {target}, the window shows {window.current_frame}")
            image = window.grab().toImage()
            if image.isNull() or image.width() < 100:
                raise SelfTestFailure("the window did not render")
            n_frames = window.document.n_frames
        finally:
            window.close()  # stops the face tracker and closes the project
            window.deleteLater()
            qt_app.processEvents()
        return f"ReviewerWindow ({platform}) opened the demo video ({n_frames} frames), showed frame {target}, rendered"

    @staticmethod
    def _wait(condition: Callable[[], bool], timeout_s: float) -> None:
        """Run the Qt event loop until `condition()` holds or the timeout passes (polled every 20 ms)."""
        from PySide6.QtCore import QEventLoop, QTimer  # lazy: Qt, as in window

        loop = QEventLoop()
        deadline = time.monotonic() + timeout_s
        poll = QTimer()
        poll.setInterval(20)
        poll.timeout.connect(lambda: loop.quit() if condition() or time.monotonic() > deadline else None)
        if condition():
            return
        poll.start()
        loop.exec()
        poll.stop()


STEPS = (
    ("resources", _Run.resources),
    ("model", _Run.model),
    ("analysis", _Run.analysis),
    ("motion spotter", _Run.motion_spotter),
    ("csv read-back", _Run.csv_read_back),
    ("window", _Run.window),
)


def run_self_test(out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Run every step; 0 when all passed, 1 at the first failure (named on `err`)."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # no display needed, even where one exists

    started = time.perf_counter()
    print(f"TSFmicro Studio {__version__} self-test ({'frozen' if getattr(sys, 'frozen', False) else 'from source'}, "
          f"Python {sys.version.split()[0]})", file=out, flush=True)
    work = Path(tempfile.mkdtemp(prefix="tsfmicro-selftest-"))
    os.environ["TSFMICRO_DATA_DIR"] = str(work / "data")  # any project file the window writes stays in work/
    run = _Run(work, out)
    try:
        for number, (name, step) in enumerate(STEPS, 1):
            t0 = time.perf_counter()
            try:
                detail = step(run)
            except Exception as error:  # noqa: BLE001  (any failure of any step is reported, named)
                traceback.print_exc(file=err)
                print(f"self-test FAILED at step '{name}' ({number}/{len(STEPS)}): {type(error).__name__}: {error}",
                      file=err, flush=True)
                return 1
            print(f"[{number}/{len(STEPS)}] {name}: ok ({time.perf_counter() - t0:.1f} s) — {detail}", file=out,
                  flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"self-test passed: {len(STEPS)} steps in {time.perf_counter() - started:.1f} s", file=out, flush=True)
    return 0


def main() -> int:
    return run_self_test()


if __name__ == "__main__":
    sys.exit(main())
