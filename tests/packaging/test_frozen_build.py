"""Build the one-folder bundle with PyInstaller and run the frozen `--self-test` (CI runs this).

The build takes minutes (about 4 to 10 on two cores); it goes into a temporary folder, so a
developer's dist/ is left alone. Skipped, with the reason, only when PyInstaller is not installed
and cannot be installed (no package registry).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYINSTALLER_PIN = re.search(r'PYINSTALLER_PIN="([^"]+)"', (ROOT / "packaging" / "build.sh").read_text()).group(1)
BUILD_TIMEOUT_S = 1800
SELF_TEST_TIMEOUT_S = 600

pytestmark = pytest.mark.slow


def _ensure_pyinstaller() -> None:
    probe = subprocess.run([sys.executable, "-c", "import PyInstaller"], capture_output=True)
    if probe.returncode == 0:
        return
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", PYINSTALLER_PIN],
                             capture_output=True, text=True, timeout=600)
    if install.returncode != 0:
        pytest.skip(f"PyInstaller is not installed and `pip install {PYINSTALLER_PIN}` failed: "
                    f"{(install.stderr or install.stdout).strip().splitlines()[-1:]}")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    _ensure_pyinstaller()
    out = tmp_path_factory.mktemp("pyinstaller")
    env = {**os.environ, "DIST_DIR": str(out / "dist"), "WORK_DIR": str(out / "work"),
           "VENV": str(Path(sys.executable).parent.parent)}
    try:
        build = subprocess.run(["bash", str(ROOT / "packaging" / "build.sh"), "--no-test"], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the PyInstaller build took more than {BUILD_TIMEOUT_S} s")
    assert build.returncode == 0, (build.stdout + build.stderr)[-6000:]
    assert re.search(r"size \d+ MB", build.stdout), build.stdout
    folder = out / "dist" / "TSFmicroStudio"
    assert (folder / "tsfmicro-studio").is_file()
    yield folder
    shutil.rmtree(out, ignore_errors=True)  # 1 GB; pytest would keep the last three runs' temporary folders


def test_bundle_holds_the_data_files(bundle):
    internal = bundle / "_internal"
    assert (internal / "resources" / "demo" / "astronaut_demo.mp4").is_file()
    assert (internal / "resources" / "icons" / "tsfmicro-studio.png").is_file()
    for name in ("shape_predictor_68_face_landmarks.dat", "shape_predictor_5_face_landmarks.dat",
                 "mmod_human_face_detector.dat"):
        assert (internal / "dlib_models" / name).is_file()
    assert not (internal / "dlib_models" / "dlib_face_recognition_resnet_model_v1.dat").exists()
    assert (internal / "resources" / "models" / "default.pt").is_file()  # the default model and its card
    for data in (internal / "resources", internal / "dlib_models"):
        assert not [p for p in data.rglob("*") if p.is_symlink()]
    for excluded in ("scipy", "ray", "tensorboard", "imageio_ffmpeg", "pyqtgraph/opengl"):
        assert not (internal / excluded).exists(), f"{excluded} should not be bundled"


def test_frozen_self_test_passes(bundle):
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "PYTHONPATH")}
    result = subprocess.run([str(bundle / "tsfmicro-studio"), "--self-test"], capture_output=True, text=True,
                            timeout=SELF_TEST_TIMEOUT_S, cwd=bundle.parent, env=env)
    assert result.returncode == 0, (result.stdout + result.stderr)[-6000:]
    assert "self-test (frozen" in result.stdout
    assert "frozen bundle at" in result.stdout
    assert "default.pt: 64px input" in result.stdout and "synthetic data" in result.stdout
    assert "self-test passed" in result.stdout


def test_frozen_card_command_shows_the_default_model(bundle):
    result = subprocess.run([str(bundle / "tsfmicro-studio"), "-m", "app.cli", "card"], capture_output=True,
                            text=True, timeout=300, cwd=bundle.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "_internal/resources/models/default.pt" in result.stdout and "heldout_model_micro_f1" in result.stdout
    assert "Not validated on real micro-expressions" in result.stdout


def test_frozen_executable_runs_the_command_line(bundle):
    """`sys.executable -m app.cli ...` (how the batch dialog and training job start the CLI) works frozen."""
    demo = bundle / "_internal" / "resources" / "demo" / "astronaut_demo.mp4"
    result = subprocess.run([str(bundle / "tsfmicro-studio"), "-m", "app.cli", "info", str(demo)],
                            capture_output=True, text=True, timeout=300, cwd=bundle.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "astronaut_demo.mp4" in result.stdout
