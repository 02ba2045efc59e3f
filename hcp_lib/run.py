"""``hcp run``: one quarter's report, built aside and swapped into place, or nothing changed.

Stages: check the parameters (papermill would only warn) and the report folder, compute the
bulletin once (which validates the inputs) and check that the quarter is complete (gates) and
its figures plausible, execute the notebook with papermill under the ``hcp`` kernel (started
first, so it boots while the bulletin is computed; charts, e-mail body, PDF and Word are made
in a thread meanwhile), export the HTML copies with nbconvert, write the manifest, then
rename the finished folder over the previous report. A failure at any stage leaves the previous report as it was. The whole
run holds a lock beside the report folder, so runs into one folder take turns.
"""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import json
import logging
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from . import __version__, earlyworker
from .config import Config, ConfigError, load_config
from .exitcodes import ERROR, INVALID_INPUT, NOTEBOOK_FAILED, OK, SCHEDULER_UNREACHABLE, USAGE
from .outdir import OutDirRefused, check_out_dir, is_report_of
from .paths import DataFolderError, data_root
from .present.io import SAVED_NAME
from .present.project import PACKAGE_ROOT, default_notebook
from .quarters import Quarter, QuarterError
from .runlock import build_prefix, clean_leftovers, run_lock

log = logging.getLogger("hcp.run")
DEFAULT_NOTEBOOK = default_notebook()
DEFAULT_KERNEL = "hcp"
DEFAULT_TIMEOUT = 600
SWITCH_INTERVAL = 0.0005
"""Seconds a thread holds the GIL while another waits (Python's default is 0.005). While the
notebook executes, the main thread relays the kernel's messages and the background thread
draws; a shorter interval keeps each message from waiting up to 5 ms for the drawing."""
PACKAGES = ("hcp", "pandas", "numpy", "pyarrow", "matplotlib", "mplfonts", "jinja2", "xlsxwriter",
            "typst", "python-docx", "fonttools", "uharfbuzz",
            "papermill", "nbconvert", "nbformat", "nbclient", "ipykernel", "pydantic", "pyyaml")


class RunFailed(Exception):
    """A run that stops with an exit code and a message for the operator."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


RUN_CACHE = ".run-cache"
"""With ``--no-cache``: the run's own aggregate cache, inside its build folder."""


@dataclass
class RunOptions:
    quarter: Quarter
    data_dir: Path
    out_dir: Path
    config_path: Path | None
    config: Config
    issue_date: date | None
    mode: str
    timeout: int
    notebook: Path = DEFAULT_NOTEBOOK
    bulletin_path: Path | None = None
    kernel: str = DEFAULT_KERNEL
    progress: bool = False
    cache_dir: Path | None = None
    published_path: Path | None = None  # None: the configuration's city.published/QUARTER.yaml
    allow_partial: bool = False  # publish an incomplete quarter, marked provisional
    engine: str = "memory"  # "memory": whole tables; "stream": bounded batches (same figures)
    scheduler: str | None = None  # engine "dask": the scheduler's address (None: a local cluster)


@dataclass
class RunResult:
    out_dir: Path
    html: Path
    timings: dict[str, float] = field(default_factory=dict)


def check_options(
    quarter: str,
    data_dir: str | Path = "data/raw",
    out_dir: str | Path | None = None,
    config_path: str | Path | None = None,
    issue_date: str | None = None,
    mode: str | None = None,
    timeout: int = DEFAULT_TIMEOUT,
    notebook: str | Path | None = None,
    bulletin_path: str | Path | None = None,
    kernel: str = DEFAULT_KERNEL,
    progress: bool = False,
    cache_dir: str | Path | None = None,
    published_path: str | Path | None = None,
    allow_partial: bool = False,
    engine: str = "memory",
    scheduler: str | None = None,
) -> RunOptions:
    """Every parameter checked before anything runs; raises RunFailed(USAGE) naming the fault."""
    try:
        q = Quarter.parse(quarter)
    except QuarterError as exc:
        raise RunFailed(USAGE, str(exc)) from exc
    try:
        config = load_config(config_path or None)
    except ConfigError as exc:
        raise RunFailed(USAGE, str(exc)) from exc
    when = None
    if issue_date:
        try:
            when = date.fromisoformat(issue_date)
        except ValueError as exc:
            raise RunFailed(USAGE, f"--date {issue_date!r}: 日期格式应为 / expected YYYY-MM-DD") from exc
    mode = mode or config.input.default_mode
    if mode not in ("strict", "quarantine"):
        raise RunFailed(USAGE, f"--mode {mode!r}: expected strict or quarantine")
    if timeout <= 0:
        raise RunFailed(USAGE, f"--timeout {timeout}: must be a positive number of seconds")
    bulletin = Path(bulletin_path).resolve() if bulletin_path else None
    if bulletin is not None and not bulletin.is_file():
        raise RunFailed(USAGE, f"--bulletin {bulletin_path}: 文件不存在 / no such file")
    data = Path(data_dir).resolve()
    if bulletin is None:
        try:
            data = data_root(data, q).resolve()
        except DataFolderError as exc:
            raise RunFailed(USAGE, str(exc)) from exc
    nb = Path(notebook).resolve() if notebook else DEFAULT_NOTEBOOK
    if not nb.is_file():
        raise RunFailed(USAGE, f"找不到 notebook / notebook not found: {nb}")
    published = Path(published_path).resolve() if published_path else None
    if published is not None and not published.is_file():
        raise RunFailed(USAGE, f"--published {published_path}: 文件不存在 / no such file")
    if scheduler and engine != "dask":
        raise RunFailed(USAGE, f"--scheduler {scheduler}: 需与 --engine dask 一起使用 / "
                               "only with --engine dask")
    if engine == "dask" and bulletin is None:
        from .distributed import INSTALL_HINT, available

        if not available():
            raise RunFailed(USAGE, INSTALL_HINT)
    out = Path(out_dir or Path("reports") / str(q)).resolve()
    try:
        check_out_dir(out, q, data if data.is_dir() else None)
    except OutDirRefused as exc:
        raise RunFailed(USAGE, str(exc)) from exc
    return RunOptions(q, data, out, Path(config_path).resolve() if config_path else None, config,
                      when, mode, int(timeout), nb, bulletin, kernel, progress,
                      Path(cache_dir).resolve() if cache_dir else None, published,
                      bool(allow_partial), engine, scheduler or None)


def run(opts: RunOptions) -> RunResult:
    """Build the report for ``opts``; raises RunFailed with the exit code on failure."""
    try:
        opts.out_dir.parent.mkdir(parents=True, exist_ok=True)
        with run_lock(opts.out_dir, wait_message=f"waiting for another run into {opts.out_dir}"):
            clean_leftovers(opts.out_dir)
            check_out_dir(opts.out_dir, opts.quarter, opts.data_dir if opts.bulletin_path is None
                          else None)
            return _run_locked(opts)
    except OutDirRefused as exc:
        raise RunFailed(USAGE, str(exc)) from exc
    except OSError as exc:
        raise RunFailed(ERROR, _disk_message(exc)) from exc


def _run_locked(opts: RunOptions) -> RunResult:
    build = Path(tempfile.mkdtemp(prefix=build_prefix(opts.out_dir), dir=opts.out_dir.parent))
    umask = os.umask(0)
    os.umask(umask)
    build.chmod(0o777 & ~umask)  # mkdtemp makes it private; a report is as readable as any folder
    timings: dict[str, float] = {}
    handler = _file_log(build / "run.log")
    scratch = None
    if opts.cache_dir is None and opts.bulletin_path is None:
        # --no-cache: a cache of the run's own, so the notebook's 趋势分析 takes the earlier
        # quarter the run has just reduced instead of loading its exports again. It lives in
        # the build folder (a killed run's leftovers are cleaned with it) and goes before the
        # manifest lists the outputs.
        scratch = build / RUN_CACHE
        opts = dataclasses.replace(opts, cache_dir=scratch)
    try:
        log.info("hcp %s: report for %s into %s", __version__, opts.quarter, opts.out_dir)
        executed = build / f"bulletin-{opts.quarter}.ipynb"
        html = build / f"bulletin-{opts.quarter}.html"
        # The previous quarter's process, kept for the charts and the e-mail body; let go
        # (and waited for) before the report is published or abandoned.
        with earlyworker.kept_after_quarter(), _kernel(opts) as kernel:
            with _stage("inputs", timings, "checking inputs and computing the bulletin"):
                manifest_inputs = _compute(opts, build, timings)
            (build / "inputs.json").write_text(  # the notebook's 数据说明 and provisional mark read it
                json.dumps(manifest_inputs, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            with _background(opts, build) as background:
                with _stage("execute", timings, f"executing {opts.notebook.name} (kernel "
                                                f"{opts.kernel}); charts, e-mail body, PDF and "
                                                "Word meanwhile"):
                    _execute(opts, executed, build, kernel)
                with _stage("export", timings, "exporting the HTML copies"):
                    _export(opts, executed, build, background, timings)
        if scratch is not None:
            shutil.rmtree(scratch)
        with _stage("manifest", timings, "writing manifest.json"):
            _write_manifest(opts, build, manifest_inputs, timings)
        log.info("report complete; publishing")
    except BaseException as exc:
        exc = _as_run_failed(exc)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
        _abandon(build, opts.out_dir, handler, exc)
        raise exc  # noqa: B904 - the cause is set by _as_run_failed
    _close_log(handler)  # detached from the loggers it was added to, before the folder moves
    _publish(build, opts.out_dir, opts.quarter)
    return RunResult(opts.out_dir, opts.out_dir / html.name, timings)


def _shows_trends(config: Config) -> bool:
    """Whether a copy shows 趋势分析 (then the previous quarter's rows are computed with it)."""
    return any("trends" in copy.sections
               for copy in (config.documents.leadership, config.documents.analyst) if copy)


def _as_run_failed(exc: BaseException) -> BaseException:
    """A fault turned into one message and an exit code; the traceback goes to run.log only."""
    if isinstance(exc, RunFailed | KeyboardInterrupt | SystemExit | GeneratorExit):
        return exc
    if isinstance(exc, OSError):
        log.error("the run stopped on a file system error", exc_info=exc)
        failed = RunFailed(ERROR, _disk_message(exc))
    elif isinstance(exc, Exception):
        log.error("unexpected error", exc_info=exc)
        failed = RunFailed(ERROR, f"unexpected error: {type(exc).__name__}: {exc} "
                                  "(the traceback is in run.log)")
    else:
        return exc
    failed.__cause__ = exc
    return failed


def _disk_message(exc: OSError) -> str:
    """A file system error in words: which path, and what to do."""
    where = f" {exc.filename}" if exc.filename else ""
    if exc.errno == errno.ENOSPC:
        return f"磁盘已满 / the disk is full: cannot write{where}; free some space and run again"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return f"cannot write{where}: {exc.strerror} (a read-only or protected folder?)"
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        return f"cannot create{where}: a file is in the way ({exc.strerror})"
    return f"cannot write{where}: {exc.strerror or exc}"


# -- stages -------------------------------------------------------------------------------------
def _compute(opts: RunOptions, build: Path, timings: dict[str, float]) -> dict[str, Any]:
    """The bulletin computed once (validating the inputs), checked complete and plausible,
    and saved for the notebook."""
    from .present.io import BulletinFileError, load_bulletin, save_bulletin

    target = build / SAVED_NAME
    if opts.bulletin_path:
        try:
            bulletin = load_bulletin(opts.bulletin_path)
        except BulletinFileError as exc:
            raise RunFailed(INVALID_INPUT, f"--bulletin: {exc}") from exc
        except OSError as exc:
            raise RunFailed(INVALID_INPUT, f"--bulletin {opts.bulletin_path}: "
                                           f"{exc.strerror or exc}") from exc
        if Quarter.parse(bulletin.quarter) != opts.quarter:
            raise RunFailed(USAGE, f"--bulletin holds {bulletin.quarter}, not {opts.quarter}")
        shutil.copyfile(opts.bulletin_path, target)
        log.info("using the saved bulletin %s", opts.bulletin_path)
        return {"bulletin": {"path": str(opts.bulletin_path), "sha256": _sha256(target)},
                "issue_date": bulletin.issue_date.isoformat(),
                "status": "complete", "notices": []}
    from .pipeline import compute

    rejects = build / "rejects"
    gated: dict[str, Any] = {}

    def gate(reports: list, covered: dict[str, list[str]]) -> None:
        gated["status"], gated["notices"], gated["gaps"] = _gates(opts, reports, covered)

    try:
        done = compute(
            str(opts.quarter), opts.data_dir, opts.config, issue_date=opts.issue_date,
            mode=opts.mode, cache_dir=opts.cache_dir,
            rejects_dir=rejects if opts.mode == "quarantine" else None, before_compute=gate,
            trend_rows=_shows_trends(opts.config),
            **({"engine": opts.engine} if opts.engine != "memory" else {}),
            **({"scheduler": opts.scheduler} if opts.scheduler else {}),
        )
    except _input_errors() as exc:
        raise RunFailed(INVALID_INPUT, _summary(exc)) from exc
    except _cluster_errors() as exc:
        from .distributed import SchedulerUnreachable

        code = SCHEDULER_UNREACHABLE if isinstance(exc, SchedulerUnreachable) else USAGE
        raise RunFailed(code, str(exc)) from exc
    timings.update({f"pipeline.{k}": round(float(v), 3) for k, v in (done.timings or {}).items()})
    loaded = input_tables(done.reports)
    for r in loaded:
        log.info("input %s %s: read %s, accepted %s, rejected %s", r["quarter"], r["table"],
                 r["read"], r["accepted"], r["rejected"])
    if not gated:  # a pipeline that offers no hook: gate before anything is saved
        gate(done.reports, done.coverage)
    status, notices, gaps = gated["status"], gated["notices"], gated["gaps"]
    _plausible(opts, done.bulletin)
    save_bulletin(done.bulletin, target)
    inputs: dict[str, Any] = {
        "issue_date": done.bulletin.issue_date.isoformat(),
        "tables": loaded,
        "accepted": sum(int(r.get("accepted", 0) or 0) for r in loaded),
        "rejected": sum(int(r.get("rejected", 0) or 0) for r in loaded),
        "status": status,
        "notices": notices,
    }
    if gaps:
        inputs["gaps"] = gaps
    if rejects.is_dir():
        inputs["rejects"] = sorted(p.relative_to(build).as_posix() for p in rejects.rglob("*.csv"))
    return inputs


def _gates(opts: RunOptions, reports: list, covered: dict[str, list[str]]
           ) -> tuple[str, list[str], list[str]]:
    """The completeness gates on this quarter: (status, notices, gaps let through)."""
    from .gates import COMPLETE, PROVISIONAL, check

    own = next((r for r in reports if str(r.quarter) == str(opts.quarter)), None)
    report = own.to_dict() if own is not None else {"tables": {}}
    outcome = check(report, covered, opts.quarter, opts.config.gates, opts.mode)
    for notice in outcome.notices:
        log.info("notice: %s", notice)
    if outcome.ok:
        return COMPLETE, outcome.notices, []
    if not opts.allow_partial:
        gaps = "\n".join(f"  - {f}" for f in outcome.failures)
        raise RunFailed(INVALID_INPUT,
                        f"the inputs for {opts.quarter} are incomplete; nothing is published:\n"
                        f"{gaps}\n(--allow-partial publishes it marked provisional, 征求意见稿)")
    for gap in outcome.failures:
        log.warning("published although incomplete (--allow-partial): %s", gap)
    notices = [f"数据不完整：{gap.split(' (')[0]}。" for gap in outcome.failures] + outcome.notices
    return PROVISIONAL, notices, outcome.failures


def _plausible(opts: RunOptions, bulletin: Any) -> None:
    from .plausibility import check

    found = check(bulletin, opts.config.plausibility)
    if found:
        lines = "\n".join(f"  - {f.line()}" for f in found)
        raise RunFailed(INVALID_INPUT,
                        f"the figures for {opts.quarter} look implausible; nothing is published:\n"
                        f"{lines}\n(each check can be switched off under plausibility: in the "
                        "configuration)")


def input_tables(reports: list) -> list[dict]:
    """One manifest entry per quarter and table: files with rows and SHA-256, and the counts."""
    rows = []
    for report in reports:
        for table in report.to_dict()["tables"].values():
            rows.append({"quarter": report.quarter, "folder": report.folder, **table})
    return rows


def _cluster_errors() -> tuple[type[BaseException], ...]:
    """The distributed engine's own failures: no dask installed, no scheduler answering."""
    if "hcp_lib.distributed" not in sys.modules:
        return ()
    from .distributed import EngineUnavailable, SchedulerUnreachable

    return (EngineUnavailable, SchedulerUnreachable)


def _input_errors() -> tuple[type[BaseException], ...]:
    """Exceptions meaning "the inputs are invalid" (exit 3)."""
    from .load import InputValidationError

    return (ConfigError, InputValidationError)


def _summary(exc: BaseException) -> str:
    summary = getattr(exc, "summary", None)
    text = summary() if callable(summary) else str(exc)
    return f"输入无效 / the inputs are invalid:\n{text}"


@contextmanager
def _kernel(opts: RunOptions) -> Iterator[Any]:
    """The notebook's kernel, started first (``earlykernel``) and stopped at the end."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    from .earlykernel import started

    try:
        spec = KernelSpecManager().get_kernel_spec(opts.kernel)
        log.info("kernel %s: %s", opts.kernel, " ".join(spec.argv[:1]))
        with started(opts.kernel, PACKAGE_ROOT, PACKAGE_ROOT) as kernel:
            yield kernel
    except NoSuchKernel as exc:
        raise RunFailed(ERROR, f"未安装 Jupyter 内核 / Jupyter kernel {opts.kernel!r} is not "
                               f"installed; install it with `hcp kernel install --name "
                               f"{opts.kernel}` (make does this)") from exc


def _execute(opts: RunOptions, executed: Path, build: Path, kernel: Any) -> None:
    import papermill as pm

    from .earlykernel import stop

    parameters = {
        "quarter": str(opts.quarter),
        "data_dir": str(opts.data_dir),
        "out_dir": str(build),
        "config_path": str(opts.config_path or ""),
        "issue_date": opts.issue_date.isoformat() if opts.issue_date else "",
        "bulletin_path": str(build / SAVED_NAME),
        "mode": opts.mode,
        "published_path": str(opts.published_path or ""),
        "cache_dir": str(opts.cache_dir or ""),
    }
    try:
        pm.execute_notebook(
            str(opts.notebook), str(executed), parameters=parameters,
            kernel_name=opts.kernel, language="python", execution_timeout=opts.timeout,
            progress_bar=opts.progress, log_output=False, cwd=str(PACKAGE_ROOT),
            km=kernel,  # started before the inputs (``_kernel``)
            # Written once at the end (and on a failing cell), not twice per cell.
            request_save_on_cell_execute=False,
        )
        # Every cell has run and every file is closed: the kernel is stopped at once instead
        # of waiting up to a second for a graceful exit, and its core is free for the export.
        stop(kernel)
    except pm.PapermillExecutionError as exc:
        raise RunFailed(NOTEBOOK_FAILED,
                        f"notebook {opts.notebook.name} failed at cell {exc.cell_index} "
                        f"(`{_first_line(exc.source)}`): {exc.ename}: {exc.evalue}") from exc
    except Exception as exc:  # timeouts, a dead kernel: the notebook did not complete
        if type(exc).__name__ in ("CellTimeoutError", "DeadKernelError", "TimeoutError"):
            raise RunFailed(NOTEBOOK_FAILED,
                            f"notebook {opts.notebook.name} did not complete: "
                            f"{type(exc).__name__}: {exc}") from exc
        raise


@contextmanager
def _background(opts: RunOptions, build: Path) -> Iterator[Any]:
    """Charts, e-mail body, PDF and Word made in a thread while the notebook executes
    (``documents.background``); stopped and waited for when the run fails first."""
    from .slowimports import skip_unused

    skip_unused()
    # The main thread's imports first, so the thread does not compete with them for the GIL,
    # and IPython whole before matplotlib (in the thread) looks it up in sys.modules: the
    # kernel spec look-up imports it.
    import IPython  # noqa: F401
    import papermill  # noqa: F401

    from .documents.background import Background

    switch = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    background = Background(build, opts.config, opts.published_path,
                            apart=earlyworker.kept()).start()
    try:
        yield background
    except BaseException:
        background.stop()
        raise
    finally:
        sys.setswitchinterval(switch)


def _export(opts: RunOptions, executed: Path, build: Path, background: Any,
            timings: dict[str, float]) -> None:
    """The HTML copies from the executed notebook, then what the thread made meanwhile."""
    from .documents.export import export_from_notebook
    from .present import drawn
    from .present.io import load_bulletin

    background.wait_for_imports()
    exported = export_from_notebook(executed, build, load_bulletin(build / SAVED_NAME),
                                    opts.config, opts.cache_dir)
    start = time.perf_counter()
    beside = background.wait()
    timings["export.wait"] = round(time.perf_counter() - start, 3)
    drawn.clear(build)
    timings.update({f"export.{k}": v for k, v in {**beside.seconds, **exported.seconds}.items()})


def _first_line(source: str) -> str:
    """The cell's first line of code (comments skipped), to name the cell in a message."""
    lines = [ln.strip() for ln in source.splitlines() if ln.strip()]
    code = [ln for ln in lines if not ln.startswith("#")]
    return (code or lines or [""])[0]


def _write_manifest(opts: RunOptions, build: Path, inputs: dict[str, Any],
                    timings: dict[str, float]) -> None:
    outputs = [
        {"path": p.relative_to(build).as_posix(), "bytes": p.stat().st_size, "sha256": _sha256(p)}
        for p in sorted(build.rglob("*")) if p.is_file() and p.name != "run.log"
    ]
    manifest = {
        "hcp_version": __version__,
        "quarter": str(opts.quarter),
        "status": inputs.get("status", "complete"),
        "issue_date": inputs.get("issue_date"),  # as printed: --date, the schedule, or today
        "created": datetime.now().astimezone().isoformat(timespec="seconds"),
        "parameters": {
            "quarter": str(opts.quarter),
            "data_dir": str(opts.data_dir),
            "out_dir": str(opts.out_dir),
            "config": str(opts.config.source),
            "issue_date": opts.issue_date.isoformat() if opts.issue_date else None,
            "mode": opts.mode,
            "timeout": opts.timeout,
            "notebook": str(opts.notebook),
            "kernel": opts.kernel,
            "bulletin": str(opts.bulletin_path) if opts.bulletin_path else None,
            "published": str(opts.published_path) if opts.published_path else None,
            "allow_partial": opts.allow_partial,
        },
        "inputs": inputs,
        "reconciliation": _reconciliation(build / f"reconcile-{opts.quarter}.json"),
        "python": platform.python_version(),
        "packages": _versions(),
        "git": _git(PACKAGE_ROOT),
        "timings_seconds": dict(timings),
        "outputs": outputs,
    }
    (build / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def _reconciliation(record: Path) -> dict[str, Any] | None:
    """The appendix's counts by status, as the notebook wrote them; None when not computed."""
    if not record.is_file():
        return None
    return json.loads(record.read_text(encoding="utf-8"))


# -- helpers ------------------------------------------------------------------------------------
@contextmanager
def _stage(name: str, timings: dict[str, float], what: str) -> Iterator[None]:
    log.info("[%s] %s", name, what)
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = round(time.perf_counter() - start, 3)
        log.info("[%s] %.1f s", name, timings[name])


def _file_log(path: Path) -> logging.Handler:
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    for name in ("hcp", "papermill"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.INFO)
        logger.addHandler(handler)
    return handler


def _close_log(handler: logging.Handler) -> None:
    for name in ("hcp", "papermill"):
        logging.getLogger(name).removeHandler(handler)
    handler.close()


def _abandon(build: Path, target: Path, handler: logging.Handler, exc: BaseException) -> None:
    """Keep the failed build as ``<target>.failed`` for inspection; the report stays as it was."""
    log.error("run failed: %s", exc)
    _close_log(handler)
    failed = target.with_name(target.name + ".failed")
    try:
        if failed.exists():
            if not _is_failed_build(failed):
                raise OSError(f"{failed} is not a failed hcp run; left alone")
            shutil.rmtree(failed)
        build.rename(failed)
        if isinstance(exc, RunFailed):
            state = "is unchanged" if target.exists() else "was not created"
            exc.args = (f"{exc.args[0]}\n(the failed run is kept in {failed}; "
                        f"{target} {state})",)
    except OSError:
        shutil.rmtree(build, ignore_errors=True)


def _is_failed_build(folder: Path) -> bool:
    """A folder hcp itself kept after a failed run: it has the run's log."""
    return folder.is_dir() and (folder / "run.log").is_file()


def _publish(build: Path, target: Path, quarter: Quarter) -> None:
    """Swap the finished folder in: the old report moves aside, the new one takes its name.

    Only a previous report of the same quarter (by its manifest), or an empty folder, is
    replaced; anything else was refused before the run and is refused again here.
    """
    old = None
    if target.exists():
        if any(target.iterdir()) and not is_report_of(target, quarter):
            raise OutDirRefused(f"--out {target} is no longer an hcp report of {quarter}")
        old = target.with_name(f".{target.name}.old-{os.getpid()}-{int(time.time())}")
        target.rename(old)
    try:
        build.rename(target)
    except OSError:
        if old is not None:
            old.rename(target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    stale = target.with_name(target.name + ".failed")
    if _is_failed_build(stale):
        shutil.rmtree(stale, ignore_errors=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _versions() -> dict[str, str]:
    found = {}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def _git(root: Path) -> dict[str, Any] | None:
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                                text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain"],
                               capture_output=True, text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": commit, "dirty": bool(dirty.strip())}


def main_run(opts: RunOptions) -> int:
    """Run and report on the terminal; returns the exit code."""
    previous = _terminate_cleanly()
    try:
        result = run(opts)
    except RunFailed as exc:
        print(f"hcp run: {exc}", file=sys.stderr)
        return exc.code
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    print(f"report: {result.out_dir}")
    print(f"leadership HTML: {result.html}")
    return OK


def _terminate_cleanly() -> Any:
    """SIGTERM (a scheduler's stop) unwinds like Ctrl-C: the build is kept as ``.failed``."""

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt("terminated")

    try:
        return signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread
        return None
