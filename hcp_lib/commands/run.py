"""`hcp run`: Make a quarter's bulletin: validate, compute, execute the notebooks, export HTML/XLSX/PNG."""

from __future__ import annotations

import argparse
import sys

from ..exitcodes import ERROR


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("run", help="Make a quarter's bulletin: validate, compute, execute the notebooks, export HTML/XLSX/PNG.", description="Make a quarter's bulletin: validate, compute, execute the notebooks, export HTML/XLSX/PNG.")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    print("hcp run: not available yet in this version", file=sys.stderr)
    return ERROR
