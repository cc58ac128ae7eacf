"""`tsfmicro`: the command-line interface. Each subcommand lives in its own module of `app.commands`, registered
with `app.commands.registry.command`."""

from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence

import app.commands  # noqa: F401  (registers the subcommands)
from app import __version__
from app.commands.registry import COMMANDS
from app.media import VideoError


def build_parser() -> argparse.ArgumentParser:
    """The parser of every registered subcommand (importing `app.commands`, above, registered them all)."""
    parser = argparse.ArgumentParser(prog="tsfmicro", description="TSFmicro Studio command line")
    parser.add_argument("--version", action="version", version=f"tsfmicro {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (help_text, build) in COMMANDS.items():
        sub_parser = sub.add_parser(name, help=help_text, description=help_text)
        sub_parser.set_defaults(run=build(sub_parser))
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
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
    sys.exit(main())
