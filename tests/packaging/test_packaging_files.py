"""Quick checks of the packaging files: spec, desktop entry, icon, entry script (no build)."""

from __future__ import annotations

import configparser
import subprocess
import sys
from pathlib import Path

import cv2
import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"


def test_desktop_entry_has_exec_icon_categories():
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(PACKAGING / "tsfmicro-studio.desktop", encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Exec"].split()[0] == "tsfmicro-studio"
    assert entry["Icon"] == "tsfmicro-studio"
    categories = entry["Categories"].rstrip(";").split(";")
    assert "AudioVideo" in categories and "Video" in categories
    assert entry["Categories"].endswith(";")


@pytest.mark.parametrize(("name", "size"), [("tsfmicro-studio.png", 256), ("tsfmicro-studio-128.png", 128),
                                            ("tsfmicro-studio-48.png", 48)])
def test_icons_are_square_pngs_with_alpha(name, size):
    image = cv2.imread(str(ROOT / "resources" / "icons" / name), cv2.IMREAD_UNCHANGED)
    assert image is not None
    assert image.shape == (size, size, 4)
    assert image[0, 0, 3] == 0 and image[size // 2, size // 2, 3] == 255  # transparent corner, opaque middle


def test_spec_lists_data_explicitly_and_excludes_heavy_modules():
    spec = (PACKAGING / "app.spec").read_text(encoding="utf-8")
    assert 'find_spec("face_recognition_models")' in spec
    assert "import face_recognition_models" not in spec
    assert '"dlib_models"' in spec  # where app/resources.py looks when frozen
    for excluded in ('"scipy"', '"tensorboard"', '"pyqtgraph.opengl"', '"ray"', '"PySide6.QtNetwork"'):
        assert excluded in spec
    assert 'name="TSFmicroStudio"' in spec and 'name="tsfmicro-studio"' in spec


def test_no_symlinks_in_bundled_resources():
    assert not [p for p in (ROOT / "resources").rglob("*") if p.is_symlink()]


def test_entry_script_runs_the_cli_like_python_dash_m():
    """The frozen executable stands in for `python -m app.cli ...` (batch dialog, training job)."""
    result = subprocess.run([sys.executable, str(PACKAGING / "entry.py"), "-m", "app.cli", "--version"],
                            capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("tsfmicro ")
