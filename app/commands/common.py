"""Helpers the `tsfmicro` subcommands share: the error line and reading the input files a command is given."""

from __future__ import annotations

import sys
from typing import Callable, Iterable, Optional, TypeVar

T = TypeVar("T")

ERROR_STATUS = 2  # the exit status of a command that refused its input


def command_error(command: str, message: str) -> int:
    """Print `tsfmicro COMMAND: error: MESSAGE` on stderr and return the exit status for it (2)."""
    print(f"tsfmicro {command}: error: {message}", file=sys.stderr)
    return ERROR_STATUS


def read_inputs(command: str, files: Iterable[str], read: Callable[[str], T],
                errors: tuple[type[BaseException], ...]) -> Optional[list[T]]:
    """`read(file)` of every file, in order; None once a file raises one of `errors`, whose message is then printed
    as the command's error (the files after it are not read)."""
    results = []
    for file in files:
        try:
            results.append(read(file))
        except errors as err:
            command_error(command, str(err))
            return None
    return results
