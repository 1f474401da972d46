"""The ``staycore`` command.

Example:
    >>> from staycore.cli import main
    >>> main(["--version"])
    staycore 0.1.0
    0
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from staycore import __version__
from staycore.demo import run_demo

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="staycore",
        description="Booking and guest-relationship logic: orders, availability, pricing, "
        "loyalty and churn.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("demo", help="tell the whole story on sample data")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``staycore`` command with ``argv`` (the process arguments by default).

    Returns:
        The process exit status: 0 on success, 2 for a usage error.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    if args.version:
        print(f"staycore {__version__}")
        return 0
    if args.command == "demo":
        try:
            run_demo(sys.stdout)
            sys.stdout.flush()
        except BrokenPipeError:
            # The reader went away (`staycore demo | head`): stop quietly, as Unix tools do,
            # and keep Python from complaining again when it flushes at exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1
        return 0
    parser.print_help(sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
