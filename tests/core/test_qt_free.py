"""The training-CSV, sheet and evaluation modules import no Qt (batch runs and the CLI need no GUI)."""

import json
import subprocess
import sys

MODULES = ["app.core.events_csv", "app.core.validation", "app.core.sheets", "app.core.sheet_import",
           "app.core.confusion_image", "app.analysis.evaluate", "app.analysis.proposals",
           "app.commands.import_sheet", "app.commands.evaluate"]


def test_modules_do_not_import_qt():
    code = (
        "import importlib, json, sys\n"
        f"for name in {MODULES!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
