"""`hcp validate`: Load and validate the quarters `hcp run` would load; print rows read, accepted, rejected."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..exitcodes import INVALID_INPUT, OK, SCHEDULER_UNREACHABLE, USAGE
from . import exit_codes

HELP = ("读取并检查 hcp run 要读取的各季度导出文件（本季度，以及存在时的上一季度和下一季度文件夹），"
        "列出每个季度读取、通过、剔除的行数，并检查本季度数据是否完整。\n"
        "Load and validate the quarters hcp run would load (the quarter, and beside it the "
        "previous and next quarters' folders when present); print rows read, accepted, rejected "
        "per quarter, and check the quarter is complete.")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("validate", help="检查导出文件 / validate a quarter's exports",
                            description=HELP, epilog=exit_codes(OK, USAGE, INVALID_INPUT, SCHEDULER_UNREACHABLE))
    parser.add_argument("quarter", metavar="QUARTER", help="季度 / the quarter, e.g. 2022Q2 or 2022年第二季度")
    parser.add_argument("--data", type=Path, default=Path("data") / "raw",
                        help="存放各季度文件夹的根目录，同 hcp run；给出本季度文件夹时取其上级 / the folder "
                             "holding one sub-folder per quarter, as hcp run takes it (default: "
                             "data/raw); the quarter's own folder means its parent")
    parser.add_argument("--config", type=Path, default=None,
                        help="城市配置 / city configuration YAML (default: data/config/xiamen.yaml)")
    parser.add_argument("--mode", choices=("strict", "quarantine"), default=None,
                        help="strict：有无效行即失败（退出码 3）；quarantine：剔除无效行（隔离存放）后继续 / "
                             "strict: any rejected row fails (exit 3); quarantine: set rejected "
                             "rows aside and carry on (default: the configuration's)")
    parser.add_argument("--rejects", type=Path, default=None,
                        help="被剔除行的存放文件夹（<table>_rejects.csv；相邻季度的在以季度命名的子文件夹） / "
                             "folder for <table>_rejects.csv of the quarter (the neighbours' in "
                             "sub-folders named by quarter; default in quarantine mode: "
                             "data/work/<QUARTER>/rejects)")
    parser.add_argument("--json", type=Path, default=None,
                        help="把检查结果写成 JSON / write the quarter's load report as JSON (the "
                             "neighbours' under \"neighbours\", the gates under \"gates\")")
    parser.add_argument("--engine", choices=("stream", "dask"), default="stream",
                        help="stream：本机分批读取（默认）；dask：在 Dask 集群上分文件读取（结果相同） / "
                             "stream: bounded batches on this machine (default); dask: the same "
                             "on a Dask cluster, one input file a task (same report)")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="--engine dask 的调度器地址 / the Dask scheduler, as hcp run takes it "
                             "(default: DASK_SCHEDULER_ADDRESS, else a local cluster)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from ..paths import DataFolderError, data_root
    from ..quarters import Quarter, QuarterError

    try:
        quarter = Quarter.parse(args.quarter)
        root = data_root(args.data, quarter)
    except (QuarterError, DataFolderError) as exc:
        print(f"hcp validate: {exc}", file=sys.stderr)
        return USAGE
    if args.engine == "stream":
        from .. import early

        early.start(root / str(quarter))  # decoding begins while the library is imported
    from ..config import ConfigError, load_config

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"hcp validate: {exc}", file=sys.stderr)
        return USAGE
    if args.scheduler and args.engine != "dask":
        print("hcp validate: --scheduler 需与 --engine dask 一起使用 / only with --engine dask",
              file=sys.stderr)
        return USAGE
    if args.engine == "dask":
        from ..distributed import EngineUnavailable, SchedulerUnreachable, connect

        try:
            with connect(args.scheduler) as client:
                return _validate(args, quarter, root, config, client)
        except EngineUnavailable as exc:
            print(f"hcp validate: {exc}", file=sys.stderr)
            return USAGE
        except SchedulerUnreachable as exc:
            print(f"hcp validate: {exc}", file=sys.stderr)
            return SCHEDULER_UNREACHABLE
    return _validate(args, quarter, root, config, None)


def _validate(args: argparse.Namespace, quarter, root: Path, config, client) -> int:
    """Each quarter hcp run loads, streamed (on ``client``'s cluster when given)."""
    from ..gates import check
    from ..load import InputValidationError
    from ..stream import stream_quarter

    mode = args.mode or config.input.default_mode
    rejects = args.rejects
    if rejects is None and mode == "quarantine":
        rejects = Path("data") / "work" / str(quarter) / "rejects"

    # The quarters hcp run loads: this one, the next (look-ahead) and the previous (comparisons).
    plan = [(quarter, "本季度 the quarter")]
    plan += [(q, role) for q, role in ((quarter.next(), "下一季度 next quarter, look-ahead"),
                                       (quarter.previous(), "上一季度 previous quarter, comparisons"))
             if (root / str(q)).is_dir()]
    code, gates, own, neighbours = OK, None, None, {}
    for q, role in plan:
        where = None if rejects is None else (rejects if q == quarter else rejects / str(q))
        try:
            # In bounded batches: the same report as load_quarter's, in a fraction of the memory.
            if client is not None:
                from ..distributed import dask_quarter

                loaded = dask_quarter(root / str(q), q, config, client=client, mode=mode,
                                      rejects_dir=where)
            else:
                loaded = stream_quarter(root / str(q), q, config, mode=mode, rejects_dir=where)
            report = loaded.report
            if q == quarter:
                gates = check(report.to_dict(), loaded.coverage, q, config.gates, mode)
        except InputValidationError as exc:
            report, code = exc.report, INVALID_INPUT
        if len(plan) > 1:
            print(f"== {q}: {role}")
        print(report.summary_text())
        print()
        if q == quarter:
            own = report.to_dict()
        else:
            neighbours[str(q)] = report.to_dict()
    if gates is not None:
        for notice in gates.notices:
            print(f"说明 notice: {notice}")
        if gates.failures:
            code = INVALID_INPUT
            print(f"{quarter} 不完整 incomplete (hcp run would refuse it, exit 3):")
            for failure in gates.failures:
                print(f"  - {failure}")
    if code == INVALID_INPUT:
        failing = [str(q) for q, _ in plan
                   if not (own if q == quarter else neighbours[str(q)])["ok"]]
        if failing:
            print(f"结果 result: problems in {', '.join(failing)}")
    if rejects is not None and any(
            t["rejected"] for r in [own, *neighbours.values()] for t in r["tables"].values()):
        print(f"剔除的行 rejected rows: {rejects / '<table>_rejects.csv'}")
    if args.json is not None:
        document = dict(own or {})
        document["neighbours"] = neighbours
        document["gates"] = ({"failures": gates.failures, "notices": gates.notices}
                             if gates is not None else None)
        try:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(document, ensure_ascii=False, indent=2),
                                 encoding="utf-8")
        except OSError as exc:
            print(f"hcp validate: 无法写入 / cannot write --json {args.json}: {exc.strerror or exc}",
                  file=sys.stderr)
            return USAGE
    return code
