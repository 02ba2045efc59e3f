"""The ``hcp`` command: one entry point, a subcommand per job.

Whatever goes wrong, the user sees one line and a documented exit code; a traceback is only
ever written to a log (``errorlog.py``).
"""

from __future__ import annotations

import argparse
import atexit
import gc
import importlib
import sys
from collections.abc import Sequence

from . import __version__, blas, early, earlykernel, earlyworker
from .commands import Parser, exit_codes
from .exitcodes import (
    ERROR,
    INVALID_INPUT,
    MAIL_REFUSED,
    NOT_SENDABLE,
    NOTEBOOK_FAILED,
    OK,
    RECONCILE_MISMATCH,
    SMTP_AUTH,
    SMTP_CERTIFICATE,
    SMTP_UNREACHABLE,
    USAGE,
)

COMMANDS = ("validate", "demo", "run", "reconcile", "send", "kernel")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="hcp",
        description="由评价明细、办件明细和台账生成政务服务“好差评”季度通报。\n"
                    "政务服务“好差评” quarterly bulletins from raw rating records.",
        epilog=exit_codes(OK, ERROR, USAGE, INVALID_INPUT, RECONCILE_MISMATCH, NOTEBOOK_FAILED,
                          NOT_SENDABLE, SMTP_UNREACHABLE, SMTP_CERTIFICATE, SMTP_AUTH,
                          MAIL_REFUSED)
        + "\n每个命令都有 --help / every command has --help: hcp run --help",
    )
    parser.add_argument("--version", action="version", version=f"hcp {__version__}",
                        help="显示版本号 / show the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True,
                                title="命令 commands")
    for name in COMMANDS:
        module = importlib.import_module(f"hcp_lib.commands.{name}")
        module.register(sub)
    return parser


def tolerate_unencodable_output() -> None:
    """Let Chinese text reach a terminal or pipe whose encoding cannot hold it.

    Under an ASCII or Latin-1 stdout (``PYTHONIOENCODING=ascii``, a legacy console) a character
    that does not fit is written as a ``\\u`` escape instead of ending the command with a
    UnicodeEncodeError.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and getattr(stream, "errors", None) == "strict":
            reconfigure(errors="backslashreplace")


def exit_quickly() -> None:
    """Let the process end without the interpreter's teardown collections.

    After a run the process holds every module of pandas, matplotlib, nbconvert and Jupyter's
    client; tearing them down, Python runs its cycle collector over all their objects again
    and again, which took 0.4-0.5 s after the command had finished. Registered first, this
    runs last of the exit handlers and freezes the collector: objects are still freed as their
    references go, files and the standard streams are still flushed and closed, and the
    system reclaims the rest at once.
    """
    atexit.register(gc.freeze)


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:  # the process is the command (not a caller handing its own arguments)
        exit_quickly()
    blas.one_thread()  # before any command imports numpy; its children inherit it
    tolerate_unencodable_output()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        print("已中断 / interrupted", file=sys.stderr)
        return ERROR
    except Exception as exc:  # the last line of defence: one message, the traceback logged
        from .errorlog import describe, log_traceback

        where = log_traceback(exc, args.command)
        print(f"hcp {args.command}: {describe(exc)}"
              + (f" 详见日志 (details in {where})" if where else ""), file=sys.stderr)
        return ERROR
    finally:  # what a command began early and did not use (it was refused) is let go
        early.release()
        earlykernel.release()
        earlyworker.release()


if __name__ == "__main__":
    sys.exit(main())
