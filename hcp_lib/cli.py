"""The ``hcp`` command: one entry point, a subcommand per job.

Whatever goes wrong, the user sees one line and a documented exit code; a traceback is only
ever written to a log (``errorlog.py``).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from . import __version__
from .exitcodes import ERROR

COMMANDS = ("validate", "demo", "run", "reconcile", "send", "kernel")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hcp",
        description="政务服务“好差评” quarterly bulletins from raw rating records.",
    )
    parser.add_argument("--version", action="version", version=f"hcp {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        module = importlib.import_module(f"hcp_lib.commands.{name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return ERROR
    except Exception as exc:  # the last line of defence: one message, the traceback logged
        from .errorlog import describe, log_traceback

        where = log_traceback(exc, args.command)
        print(f"hcp {args.command}: {describe(exc)}"
              + (f" (details in {where})" if where else ""), file=sys.stderr)
        return ERROR


if __name__ == "__main__":
    sys.exit(main())
