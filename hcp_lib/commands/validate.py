"""`hcp validate`: Load and validate a quarter's raw exports; print rows read, accepted, rejected."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..exitcodes import ERROR, INVALID_INPUT, OK
from ..paths import quarter_folder

HELP = "Load and validate a quarter's raw exports; print rows read, accepted, rejected."


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("validate", help=HELP, description=HELP)
    parser.add_argument("quarter", metavar="QUARTER", help="e.g. 2022Q2")
    parser.add_argument("--data", type=Path, default=None,
                        help="the quarter's input folder, or a folder holding one sub-folder per "
                             "quarter as hcp run takes it (default data/raw)")
    parser.add_argument("--config", type=Path, default=None,
                        help="city configuration YAML (default data/config/xiamen.yaml)")
    parser.add_argument("--mode", choices=("strict", "quarantine"), default=None,
                        help="strict: any rejected row fails (exit 3); quarantine: set rejected "
                             "rows aside and carry on (default: the configuration's)")
    parser.add_argument("--rejects", type=Path, default=None,
                        help="folder for <table>_rejects.csv (default data/work/<QUARTER>/rejects "
                             "in quarantine mode)")
    parser.add_argument("--json", type=Path, default=None, help="write the load report as JSON")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from ..config import ConfigError, load_config
    from ..load import InputValidationError, load_quarter
    from ..quarters import Quarter, QuarterError

    try:
        quarter = Quarter.parse(args.quarter)
    except QuarterError as exc:
        print(f"hcp validate: {exc}", file=sys.stderr)
        return ERROR
    folder = quarter_folder(args.data or Path("data") / "raw", quarter)
    if not folder.is_dir():
        print(f"hcp validate: input folder not found: {folder}", file=sys.stderr)
        return ERROR
    if args.config is not None and not args.config.is_file():
        print(f"hcp validate: configuration not found: {args.config}", file=sys.stderr)
        return ERROR
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"hcp validate: {exc}", file=sys.stderr)
        return ERROR
    mode = args.mode or config.input.default_mode
    rejects = args.rejects
    if rejects is None and mode == "quarantine":
        rejects = Path("data") / "work" / str(quarter) / "rejects"

    try:
        report = load_quarter(folder, quarter, config, mode=mode, rejects_dir=rejects).report
        code = OK
    except InputValidationError as exc:
        report, code = exc.report, INVALID_INPUT
    print(report.summary_text())
    if rejects is not None and any(t.rejected for t in report.tables.values()):
        print(f"\n拒绝的行 rejected rows: {rejects}/<table>_rejects.csv")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=2),
                             encoding="utf-8")
    return code
