"""`hcp run`: Make a quarter's bulletin: validate, compute, execute the notebooks, export HTML/XLSX/PNG."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from ..exitcodes import ERROR, INVALID_INPUT, NOTEBOOK_FAILED, OK, SCHEDULER_UNREACHABLE, USAGE
from . import exit_codes


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "run",
        help="生成季度通报 / make a quarter's bulletin",
        description="生成一个季度的通报：检查输入、计算、执行 notebook，导出 HTML、PDF、Word、"
        "XLSX 和图表到 reports/QUARTER/（先在旁边生成，成功后再替换；运行失败时原有通报保持不变）。\n"
        "Make a quarter's bulletin: validate, compute, execute the notebooks, export "
        "HTML/PDF/Word/XLSX/PNG into reports/QUARTER/ (built aside, then swapped in; a failed run "
        "leaves the previous report untouched).",
        epilog=exit_codes(OK, ERROR, USAGE, INVALID_INPUT, NOTEBOOK_FAILED)
        + "\n  6-10  --send：同 hcp send / as hcp send\n"
        + exit_codes(SCHEDULER_UNREACHABLE).split("\n", 1)[-1],
    )
    parser.add_argument("quarter", metavar="QUARTER", help="季度 / the quarter, e.g. 2022Q2 or 2022年第二季度")
    parser.add_argument("--data", default="data/raw", metavar="DIR",
                        help="存放各季度导出文件夹的根目录（DIR/2022Q2/ 等；也可直接给出本季度文件夹） / folder "
                             "holding one sub-folder of raw exports per quarter, or the quarter's "
                             "own folder (default: data/raw)")
    parser.add_argument("--out", default=None, metavar="DIR",
                        help="通报输出文件夹 / report folder (default: reports/QUARTER)")
    parser.add_argument("--config", default=None, metavar="FILE",
                        help="城市配置 / city configuration YAML (default: data/config/xiamen.yaml)")
    parser.add_argument("--date", default=None, metavar="YYYY-MM-DD", help="通报印发日期 / the bulletin's date")
    parser.add_argument("--mode", choices=("strict", "quarantine"), default=None,
                        help="strict：有无效行即停止；quarantine：剔除无效行（隔离到 rejects 文件夹）后继续 / "
                             "strict: any invalid row stops the run; quarantine: set it aside "
                             "(default: the configuration's)")
    parser.add_argument("--timeout", type=int, default=600, metavar="SECONDS",
                        help="每个 notebook 单元格的执行时限（秒） / per-cell execution limit (default: 600)")
    parser.add_argument("--bulletin", default=None, metavar="FILE",
                        help="不读原始数据，按已保存的计算结果（以前运行的 bulletin.json）生成 / render a saved "
                             "bulletin (bulletin.json of an earlier run) without raw data")
    parser.add_argument("--published", default=None, metavar="FILE",
                        help="录入的已发布通报数字，用于核对附录 / transcribed published bulletin for the "
                             "reconciliation appendix (default: the configuration's city.published "
                             "folder, QUARTER.yaml; absent: no appendix)")
    parser.add_argument("--notebook", default=None, metavar="FILE",
                        help="要执行的 notebook / the notebook to execute (default: notebooks/bulletin.ipynb)")
    parser.add_argument("--kernel", default="hcp", metavar="NAME",
                        help="执行所用的 Jupyter 内核 / Jupyter kernel to execute with (default: hcp)")
    parser.add_argument("--cache", default="data/work/cache", metavar="DIR",
                        help="汇总缓存（按输入文件的 SHA-256），重跑时不再读取原始数据 / keep each quarter's "
                             "aggregates here, keyed by the inputs' SHA-256, so a re-run skips "
                             "loading (default: data/work/cache)")
    parser.add_argument("--no-cache", dest="cache", action="store_const", const=None,
                        help="不用缓存，总是重新读取原始导出文件 / always load and reduce the raw exports")
    parser.add_argument("--allow-partial", action="store_true",
                        help="数据不完整的季度也生成，标为征求意见稿，缺口记入 manifest / publish a quarter that "
                             "fails a completeness gate, marked provisional (征求意见稿 by default) "
                             "with its gaps listed in the manifest")
    parser.add_argument("--engine", choices=("stream", "memory", "dask"), default="stream",
                        help="stream：分批读取大表（默认）；memory：整表读入内存（数字相同，占用内存更多）；"
                             "dask：在 Dask 集群上分文件读取（数字相同，需安装 hcp[cluster]） / "
                             "stream: read the big tables in bounded batches (default); memory: "
                             "whole tables in memory (same figures, more memory); dask: the same "
                             "batches on a Dask cluster, one input file a task (same figures; "
                             "needs the cluster extra, docs/distributed.md)")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="--engine dask 的调度器地址；不给出时用 DASK_SCHEDULER_ADDRESS，"
                             "再没有则在本机启动 2 个工作进程 / the Dask scheduler for --engine "
                             "dask, e.g. tcp://10.0.0.5:8786 (default: DASK_SCHEDULER_ADDRESS, "
                             "else a local cluster of 2 worker processes started for the run)")
    parser.add_argument("--quiet", action="store_true", help="不显示进度 / no progress bar or stage lines")
    parser.add_argument("--send", action="store_true",
                        help="运行成功后按 hcp send 报送 / after a successful run, e-mail the report as "
                             "`hcp send` does")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    if args.cache is None and args.bulletin is None and args.engine == "stream":
        _start_reading(args)
    if args.quiet:
        os.environ["HCP_PROGRESS"] = "0"  # the loading stages' bars too
    _start_kernel(args)
    console = None
    if not args.quiet:
        console = logging.StreamHandler(sys.stderr)
        console.setFormatter(logging.Formatter("hcp: %(message)s"))
        console.addFilter(lambda record: record.levelno < logging.ERROR)  # printed once, below
        logger = logging.getLogger("hcp")
        logger.setLevel(logging.INFO)
        logger.addHandler(console)
    try:
        return _run(args)
    finally:
        # Run in-process (a notebook, the tests), the command leaves no handler behind on a
        # stream that may be closed by the time the next run logs.
        if console is not None:
            logging.getLogger("hcp").removeHandler(console)


def _run(args: argparse.Namespace) -> int:
    from ..exitcodes import OK
    from ..progress import enabled as bars_enabled
    from ..run import RunFailed, check_options, main_run

    try:
        opts = check_options(
            args.quarter, data_dir=args.data, out_dir=args.out, config_path=args.config,
            issue_date=args.date, mode=args.mode, timeout=args.timeout, notebook=args.notebook,
            bulletin_path=args.bulletin, kernel=args.kernel, cache_dir=args.cache,
            published_path=args.published, allow_partial=args.allow_partial,
            progress=not args.quiet and bars_enabled(), engine=args.engine,
            scheduler=args.scheduler,
        )
    except RunFailed as exc:
        print(f"hcp run: {exc}", file=sys.stderr)
        return exc.code
    code = main_run(opts)
    if code == OK and args.send:
        from .send import send

        code = send(str(opts.quarter), report=opts.out_dir, config=args.config, quiet=args.quiet)
    return code


def _start_kernel(args: argparse.Namespace) -> None:
    """Every run executes its notebook: the kernel boots while the run's modules are
    imported (``earlykernel.launch``); a run that stops first lets it go (``cli.main``)."""
    from ..earlykernel import launch
    from ..present.project import PACKAGE_ROOT
    from ..quarters import Quarter, QuarterError

    try:
        Quarter.parse(args.quarter)
    except QuarterError:
        return  # refused at once: no kernel wanted
    launch(args.kernel, PACKAGE_ROOT, PACKAGE_ROOT)


def _start_reading(args: argparse.Namespace) -> None:
    """With no cache to answer from, the run streams the quarter for certain: its decoding
    begins while the run's modules are imported (``early.py``); so does the previous
    quarter's process, when there is one (``earlyworker.py``)."""
    from .. import early, earlyworker
    from ..paths import DataFolderError, data_root
    from ..quarters import Quarter, QuarterError

    try:
        quarter = Quarter.parse(args.quarter)
        root = data_root(args.data, quarter)
    except (QuarterError, DataFolderError):
        return  # ``check_options`` words it
    if (root / str(quarter.previous())).is_dir():  # streamed apart (``earlyworker``)
        earlyworker.start()
    early.start(root / str(quarter))
