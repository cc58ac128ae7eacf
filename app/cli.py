"""`tsfmicro`: the command-line interface. Each subcommand lives in its own module of `app.commands`."""

from __future__ import annotations

import argparse
import sys
from typing import Callable, Optional, Sequence

from app import __version__
from app.media import VideoError

Runner = Callable[[argparse.Namespace], int]
_COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], Runner]]] = {}


def command(name: str, help: str):
    """Register a subcommand: the decorated function builds its parser and returns its runner."""

    def register(build: Callable[[argparse.ArgumentParser], Runner]):
        _COMMANDS[name] = (help, build)
        return build

    return register


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tsfmicro", description="TSFmicro Studio command line")
    parser.add_argument("--version", action="version", version=f"tsfmicro {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (help_text, build) in _COMMANDS.items():
        sub_parser = sub.add_parser(name, help=help_text, description=help_text)
        sub_parser.set_defaults(run=build(sub_parser))
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    import app.commands  # noqa: F401  (registers the subcommands)

    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except VideoError as err:
        print(f"tsfmicro {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"tsfmicro {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    # Run as `python -m app.cli`: delegate to the imported module, whose registry the
    # subcommand modules fill (this file's `__main__` copy has a registry of its own).
    from app.cli import main as _main

    sys.exit(_main())
