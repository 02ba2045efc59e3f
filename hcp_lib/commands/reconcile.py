"""`hcp reconcile`: Check every published figure of a bulletin against the computed one."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..exitcodes import ERROR, INVALID_INPUT, OK, RECONCILE_MISMATCH, USAGE
from . import exit_codes


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "reconcile", help="核对已发布通报的每个数字 / check every published figure",
        description="把已发布通报的每个数字与计算结果并列核对：一致、已知笔误或不一致。\n"
                    "Check every published figure of a bulletin against the computed one: "
                    "match, known erratum or mismatch.",
        epilog=exit_codes(OK, ERROR, USAGE, INVALID_INPUT, RECONCILE_MISMATCH))
    parser.add_argument("quarter", metavar="QUARTER",
                        help="通报的季度 / the bulletin's quarter, e.g. 2022Q2 or 2022年第二季度")
    parser.add_argument("--data", default="data/raw", metavar="DIR",
                        help="存放各季度文件夹的根目录 / folder holding one sub-folder per "
                             "quarter (default: data/raw)")
    parser.add_argument("--config", default=None, metavar="FILE",
                        help="城市配置 / city configuration (default: data/config/xiamen.yaml)")
    parser.add_argument("--published", default=None, metavar="FILE",
                        help="录入的已发布通报数字 / transcribed published figures (default: the "
                             "configuration's city.published folder, QUARTER.yaml)")
    parser.add_argument("--cache", default="data/work/cache", metavar="DIR",
                        help="汇总缓存，与 hcp run 共用 / aggregate cache, as hcp run keeps it "
                             "(default: data/work/cache)")
    parser.add_argument("--no-cache", dest="cache", action="store_const", const=None,
                        help="不用缓存，总是重新读取原始导出文件 / always load and reduce the raw "
                             "exports")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from ..config import ConfigError, load_config
    from ..load import InputValidationError
    from ..paths import DataFolderError, data_root
    from ..quarters import Quarter, QuarterError
    from ..reconcile import PublishedError, ReconcileError, load_published, reconcile

    try:
        quarter = Quarter.parse(args.quarter)
    except QuarterError as exc:
        print(f"hcp reconcile: {exc}", file=sys.stderr)
        return USAGE
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"hcp reconcile: {exc}", file=sys.stderr)
        return USAGE
    path = Path(args.published) if args.published else config.city.published_file(quarter)
    if path is None or not path.is_file():
        where = path or "配置中没有 city.published / no city.published folder in the configuration"
        print(f"hcp reconcile: 没有 {quarter} 的已发布通报数字 / no published figures for "
              f"{quarter}: {where} does not exist",
              file=sys.stderr)
        return ERROR
    try:
        published = load_published(path)
    except PublishedError as exc:
        print(f"hcp reconcile: {exc}", file=sys.stderr)
        return ERROR
    issue_date = next((e.published for e in published.entries if e.id == "header.date"), None)

    from ..pipeline import build_bulletin

    try:
        root = data_root(args.data, quarter)
    except DataFolderError as exc:
        print(f"hcp reconcile: {exc}", file=sys.stderr)
        return USAGE
    try:
        bulletin = build_bulletin(str(quarter), root, config, issue_date=issue_date,
                                  cache_dir=args.cache)
    except InputValidationError as exc:
        print(f"hcp reconcile: 输入无效 / the inputs are invalid:\n{exc.report.summary_text()}",
              file=sys.stderr)
        return INVALID_INPUT
    try:
        result = reconcile(published, bulletin, config)
    except ReconcileError as exc:
        print(f"hcp reconcile: {exc}", file=sys.stderr)
        return ERROR
    frame = result.to_frame()
    print("\t".join(frame.columns))
    for values in frame.itertuples(index=False):
        print("\t".join(_cell(v) for v in values))
    print()
    print(result.summary_text())
    return OK if result.ok else RECONCILE_MISMATCH


def _cell(value: object, width: int = 48) -> str:
    """One tab-separated cell: a single line, long lists cut (the frame keeps them whole)."""
    text = " ".join(str(value).split())
    return text if len(text) <= width else text[: width - 1] + "…"
