"""`hcp demo`: Write the embedded synthetic dataset (2022Q1, 2022Q2, 2022Q3 to the bulletin's date)."""

from __future__ import annotations

import argparse
import sys

from ..exitcodes import ERROR


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("demo", help="Write the embedded synthetic dataset (2022Q1, 2022Q2, 2022Q3 to the bulletin's date).", description="Write the embedded synthetic dataset (2022Q1, 2022Q2, 2022Q3 to the bulletin's date).")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    print("hcp demo: not available yet in this version", file=sys.stderr)
    return ERROR
