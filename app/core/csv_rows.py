"""Reading CSV files with the csv module, for every reader of the application.

The csv module refuses a cell longer than 128 KiB by default ("field larger than field limit"),
so one long note a person typed or pasted would make a whole label file unreadable. The limit is
raised here, once for the process, as soon as any reader imports this module; every reader in
`app` goes through `read_rows` or `guarded`, which also turn any other `csv.Error` into an error
that names the file and the line.
"""

from __future__ import annotations

import csv
import os
from typing import Iterable, Iterator, TypeVar

# The largest limit every platform's C long holds (Windows' is 32 bits): in effect, no limit.
FIELD_LIMIT = 2**31 - 1
csv.field_size_limit(FIELD_LIMIT)

Row = TypeVar("Row")


class CsvReadError(ValueError):
    """A file the csv module cannot parse; the message names the file, the line and the problem."""

    def __init__(self, path: str | os.PathLike, line: int, problem: str):
        self.path, self.line, self.problem = str(path), line, problem
        super().__init__(f"{self.path}: line {line}: cannot be read as CSV ({problem})")


def guarded(reader: Iterable[Row], path: str | os.PathLike) -> Iterator[Row]:
    """The rows of a `csv.reader` or `csv.DictReader`; a parse error becomes a `CsvReadError`."""
    try:
        yield from reader
    except csv.Error as err:
        source = getattr(reader, "reader", reader)  # a DictReader updates its own line_num only after a good row
        raise CsvReadError(path, getattr(source, "line_num", 0), str(err)) from None


def read_rows(lines: Iterable[str], path: str | os.PathLike, **reader_args) -> list[list[str]]:
    """All rows of CSV text (`lines`: an open file or any iterable of lines) as lists of cells."""
    return list(guarded(csv.reader(lines, **reader_args), path))
