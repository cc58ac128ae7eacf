"""The core (media, face, model, synth) must not import Qt: batch runs and the CLI need no GUI."""

import json
import subprocess
import sys

CORE = ["app.media", "app.face", "app.synth", "app.cli", "model"]


def test_core_packages_do_not_import_qt():
    code = (
        "import importlib, json, sys\n"
        f"for name in {CORE!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_model_does_not_import_app():
    code = "import json, sys, model\nprint(json.dumps(sorted(m for m in sys.modules if m == 'app' or m.startswith('app.'))))\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
