"""Helpers the `tsfmicro` subcommands share: the error line and reading the input files a command is given."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Callable, Iterable, Optional, TypeVar

if TYPE_CHECKING:  # pragma: no cover
    from app.analysis.relative_evidence import Sensitivity

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


def print_sensitivity(seen: Optional["Sensitivity"]) -> None:
    """The learned spotter's line on what it could see in the video (a warning where faint micro-expressions could
    not stand out); nothing for a spotter without relative evidence."""
    if seen is not None:
        print(f"warning: in this video the spotter {seen.describe()}" if seen.blind
              else f"sensitivity: in this video the spotter {seen.describe()}")
