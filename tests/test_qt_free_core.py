"""Everything but the Qt shell must import no Qt: batch runs and the CLI need no GUI. Every module
of `app` outside `app.ui` (and the `tsfmicro-studio` launcher) and of `model` is imported."""

import json
import pkgutil
import subprocess
import sys

import app
import model

QT_PACKAGES = ("PySide6", "pyqtgraph", "shiboken6")
GUI_MODULES = ("app.ui", "app.studio", "app.__main__")


def _core_modules() -> list[str]:
    names = []
    for package in (app, model):
        for info in pkgutil.walk_packages(package.__path__, prefix=package.__name__ + "."):
            if not info.name.startswith(GUI_MODULES):
                names.append(info.name)
    return sorted(names)


def test_core_modules_do_not_import_qt():
    modules = _core_modules()
    assert "app.media.video_file" in modules and "model.tsfmicro" in modules and "app.cli" in modules
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {QT_PACKAGES!r})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_model_does_not_import_app():
    code = "import json, sys, model\nprint(json.dumps(sorted(m for m in sys.modules if m == 'app' or m.startswith('app.'))))\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
