"""The inference engine is part of the Qt-free core: a GUI worker and the headless CLI share it."""

import json
import subprocess
import sys

MODULES = ["app.analysis.pipeline", "app.analysis.predictor", "app.analysis.frames_csv", "app.analysis.suggest",
           "app.commands.analyze", "app.bench.model_bench"]


def test_analysis_does_not_import_qt():
    code = (
        "import importlib, json, sys\n"
        f"for name in {MODULES!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_building_the_cli_parser_does_not_load_the_engine():
    """`tsfmicro --help` and other subcommands stay quick: the analyze parser reads only app.analysis.config."""
    code = ("import sys, app.cli, app.commands\napp.cli.build_parser()\n"
            "print(sorted(m for m in ('app.analysis.predictor', 'app.analysis.pipeline', 'app.analysis.device') "
            "if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
