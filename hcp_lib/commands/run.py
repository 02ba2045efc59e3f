"""`hcp run`: Make a quarter's bulletin: validate, compute, execute the notebooks, export HTML/XLSX/PNG."""

from __future__ import annotations

import argparse
import logging
import os
import sys


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "run",
        help="Make a quarter's bulletin: validate, compute, execute the notebooks, export HTML/XLSX/PNG.",
        description="Make a quarter's bulletin: validate, compute, execute the notebooks, export "
        "HTML/XLSX/PNG into reports/QUARTER/ (built aside, then swapped in; a failed run leaves "
        "the previous report untouched). Exit codes: 0 done, 1 error (e.g. the disk is full), "
        "2 bad parameters, 3 invalid, incomplete or implausible inputs, 5 a notebook cell failed.",
    )
    parser.add_argument("quarter", metavar="QUARTER", help="e.g. 2022Q2")
    parser.add_argument("--data", default="data/raw", metavar="DIR",
                        help="folder of raw exports (default: data/raw)")
    parser.add_argument("--out", default=None, metavar="DIR",
                        help="report folder (default: reports/QUARTER)")
    parser.add_argument("--config", default=None, metavar="FILE",
                        help="city configuration YAML (default: data/config/xiamen.yaml)")
    parser.add_argument("--date", default=None, metavar="YYYY-MM-DD", help="the bulletin's date")
    parser.add_argument("--mode", choices=("strict", "quarantine"), default=None,
                        help="strict: any invalid row stops the run; quarantine: set it aside")
    parser.add_argument("--timeout", type=int, default=600, metavar="SECONDS",
                        help="per-cell execution limit (default: 600)")
    parser.add_argument("--bulletin", default=None, metavar="FILE",
                        help="render a saved bulletin (bulletin.json of an earlier run) without raw data")
    parser.add_argument("--published", default=None, metavar="FILE",
                        help="transcribed published bulletin for the reconciliation appendix "
                             "(default: the configuration's city.published folder, QUARTER.yaml; absent: no appendix)")
    parser.add_argument("--notebook", default=None, metavar="FILE",
                        help="the notebook to execute (default: notebooks/bulletin.ipynb)")
    parser.add_argument("--kernel", default="hcp", metavar="NAME",
                        help="Jupyter kernel to execute with (default: hcp)")
    parser.add_argument("--cache", default="data/work/cache", metavar="DIR",
                        help="keep each quarter's aggregates here, keyed by the inputs' SHA-256, "
                             "so a re-run skips loading (default data/work/cache)")
    parser.add_argument("--no-cache", dest="cache", action="store_const", const=None,
                        help="always load and reduce the raw exports")
    parser.add_argument("--allow-partial", action="store_true",
                        help="publish a quarter that fails a completeness gate, marked provisional "
                             "(征求意见稿 by default) with its gaps listed in the manifest")
    parser.add_argument("--engine", choices=("stream", "memory"), default="stream",
                        help="stream: read the big tables in bounded batches (default); memory: "
                             "whole tables in memory (same figures, more memory)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or stage lines")
    parser.add_argument("--send", action="store_true",
                        help="after a successful run, e-mail the report as `hcp send` does")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from ..exitcodes import OK
    from ..progress import enabled as bars_enabled
    from ..run import RunFailed, check_options, main_run

    if args.quiet:
        os.environ["HCP_PROGRESS"] = "0"  # the loading stages' bars too
    if not args.quiet:
        console = logging.StreamHandler(sys.stderr)
        console.setFormatter(logging.Formatter("hcp: %(message)s"))
        console.addFilter(lambda record: record.levelno < logging.ERROR)  # printed once, below
        logger = logging.getLogger("hcp")
        logger.setLevel(logging.INFO)
        logger.addHandler(console)
    try:
        opts = check_options(
            args.quarter, data_dir=args.data, out_dir=args.out, config_path=args.config,
            issue_date=args.date, mode=args.mode, timeout=args.timeout, notebook=args.notebook,
            bulletin_path=args.bulletin, kernel=args.kernel, cache_dir=args.cache,
            published_path=args.published, allow_partial=args.allow_partial,
            progress=not args.quiet and bars_enabled(), engine=args.engine,
        )
    except RunFailed as exc:
        print(f"hcp run: {exc}", file=sys.stderr)
        return exc.code
    code = main_run(opts)
    if code == OK and args.send:
        from .send import send

        code = send(str(opts.quarter), report=opts.out_dir, config=args.config, quiet=args.quiet)
    return code
