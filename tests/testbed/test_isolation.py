"""The test renderer stays apart: it imports nothing of the training generator or the training code, and nothing but
its command (and the tests) imports it."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def _under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_testbed_imports_no_synth_or_training():
    files = sorted((ROOT / "app" / "testbed").glob("*.py"))
    assert files
    bad = {f.name: sorted(n for n in _imports(f) if _under(n, "app.synth") or _under(n, "app.training"))
           for f in files}
    assert not {k: v for k, v in bad.items() if v}


def test_only_the_testset_command_imports_the_testbed():
    allowed = {ROOT / "app" / "commands" / "testset.py"}
    users = []
    for folder in ("app", "model", "scripts", "packaging"):
        for path in (ROOT / folder).rglob("*.py"):
            if ROOT / "app" / "testbed" in path.parents or path in allowed:
                continue
            if any(_under(n, "app.testbed") for n in _imports(path)):
                users.append(str(path.relative_to(ROOT)))
    assert users == []


def test_testbed_modules_are_small():
    assert all(len(p.read_text().splitlines()) <= 300 for p in (ROOT / "app" / "testbed").glob("*.py"))
