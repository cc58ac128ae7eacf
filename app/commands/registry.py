"""The registry of `tsfmicro` subcommands. A command module registers itself with `@command(name, help)`;
`app.cli` builds the parser from what is registered (`app.commands` imports every command module).

This module imports nothing of the app, so command modules that import it import nothing back from `app.cli`."""

from __future__ import annotations

import argparse
from typing import Callable

Runner = Callable[[argparse.Namespace], int]
Builder = Callable[[argparse.ArgumentParser], Runner]

COMMANDS: dict[str, tuple[str, Builder]] = {}  # name → (help, builder), in registration order


def command(name: str, help: str):
    """Register a subcommand: the decorated function builds its parser and returns its runner."""

    def register(build: Builder) -> Builder:
        COMMANDS[name] = (help, build)
        return build

    return register
