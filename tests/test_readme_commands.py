"""Every command and flag README.md's command table names exists in the `tsfmicro` parser, so the README cannot
promise what the program does not take."""

from __future__ import annotations

import re
from pathlib import Path

import app.commands  # noqa: F401  (registers the subcommands)
from app.cli import build_parser

README = Path(__file__).resolve().parents[1] / "README.md"


def _commands_table() -> list[str]:
    text = README.read_text(encoding="utf-8")
    table = text.split("## Commands", 1)[1].split("\n## ", 1)[0]
    return [line for line in table.splitlines() if line.startswith("| `tsfmicro")]


def _subparsers() -> dict:
    parser = build_parser()
    action = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return action.choices


def test_the_readme_lists_every_command_with_flags_its_parser_takes():
    rows = _commands_table()
    assert len(rows) >= 15
    subparsers = _subparsers()
    named = set()
    for row in rows:
        cell = re.split(r"(?<!\\)\|", row)[1]
        for usage in re.findall(r"`tsfmicro ([^`]*)`", cell):
            words = usage.split()
            command = words[0]
            named.add(command)
            assert command in subparsers, f"README names `tsfmicro {command}`, which does not exist"
            options = {o for a in subparsers[command]._actions for o in a.option_strings}
            for flag in re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", usage):
                assert flag in options, f"README: `tsfmicro {command}` has no flag {flag}"
        for bare in re.findall(r"· `(\w[\w-]*)`", cell):  # "· `calibrate` · `ensemble`": further commands
            assert bare in subparsers, f"README names `{bare}`, which is not a tsfmicro command"
            named.add(bare)
    assert set(subparsers) <= named | {"card", "calibrate", "ensemble"}, set(subparsers) - named
