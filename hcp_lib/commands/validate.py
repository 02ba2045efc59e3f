"""`hcp validate`: Load and validate a quarter's raw exports; print rows read, accepted, rejected."""

from __future__ import annotations

import argparse
import sys

from ..exitcodes import ERROR


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("validate", help="Load and validate a quarter's raw exports; print rows read, accepted, rejected.", description="Load and validate a quarter's raw exports; print rows read, accepted, rejected.")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    print("hcp validate: not available yet in this version", file=sys.stderr)
    return ERROR
