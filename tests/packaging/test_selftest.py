"""`tsfmicro-studio --self-test` from source, its failure reporting, and the about box."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

import app.selftest as selftest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_self_test_from_source_passes():
    env = {**os.environ}
    env.pop("QT_QPA_PLATFORM", None)  # the self-test sets it itself
    result = subprocess.run([sys.executable, "-c", "import sys; from app.studio import main; sys.exit(main())",
                             "--self-test"], capture_output=True, text=True, timeout=600, cwd=ROOT, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    for number, (name, _step) in enumerate(selftest.STEPS, 1):
        assert f"[{number}/{len(selftest.STEPS)}] {name}: ok" in out
    assert "default.pt: 64px input" in out and "synthetic data" in out  # the bundled default model was loaded
    assert "self-test passed" in out


def test_a_failing_step_is_named_and_exits_non_zero(monkeypatch):
    def broken(_run):
        raise RuntimeError("the decoder is missing")

    monkeypatch.setattr(selftest, "STEPS", (("resources", lambda _run: "fine"), ("analysis", broken),
                                            ("window", lambda _run: pytest.fail("ran after a failure"))))
    out, err = io.StringIO(), io.StringIO()
    assert selftest.run_self_test(out=out, err=err) == 1
    assert "[1/3] resources: ok" in out.getvalue()
    assert "self-test FAILED at step 'analysis' (2/3): RuntimeError: the decoder is missing" in err.getvalue()
    assert "self-test passed" not in out.getvalue()


def test_a_wrong_result_fails_its_step(monkeypatch):
    def empty(_run):
        raise selftest.SelfTestFailure("the face pipeline found no face in 120 frames of the demo video")

    monkeypatch.setattr(selftest, "STEPS", (("analysis", empty),))
    err = io.StringIO()
    assert selftest.run_self_test(out=io.StringIO(), err=err) == 1
    assert "FAILED at step 'analysis'" in err.getvalue() and "no face" in err.getvalue()


def test_self_test_leaves_no_temporary_folder(monkeypatch, tmp_path):
    monkeypatch.setattr(selftest.tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(selftest, "STEPS", (("resources", lambda run: str(run.work)),))
    assert selftest.run_self_test(out=io.StringIO(), err=io.StringIO()) == 0
    assert list(tmp_path.iterdir()) == []


@pytest.mark.gui
def test_about_box_names_version_model_and_licences(qtbot, monkeypatch, tmp_path):
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QMessageBox

    from app import __version__
    from app.ui.main_window import ReviewerWindow

    shown = []
    monkeypatch.setattr(QMessageBox, "about", staticmethod(lambda _parent, title, text: shown.append((title, text))))
    window = ReviewerWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window._show_about()
    (title, text), = shown
    assert title == "About TSFmicro Studio"
    assert __version__ in text
    assert "68-point" in text and "NON-COMMERCIAL" in text
    assert "public domain" in text and "LGPLv3" in text and "BSD" in text and "Apache-2.0" in text
    assert "Model card of the bundled default model" in text and "default.pt" in text
    assert "synthetic data" in text and "Not validated on real micro-expressions" in text
