"""`hcp reconcile`: Check every published figure of a bulletin against the computed one."""

from __future__ import annotations

import argparse
import sys

from ..exitcodes import ERROR


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("reconcile", help="Check every published figure of a bulletin against the computed one.", description="Check every published figure of a bulletin against the computed one.")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    print("hcp reconcile: not available yet in this version", file=sys.stderr)
    return ERROR
