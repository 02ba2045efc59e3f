"""``hcp run``: one quarter's report, built aside and swapped into place, or nothing changed.

Stages: check the parameters (papermill would only warn), compute the bulletin once (which
validates the inputs), execute the notebook with papermill under the ``hcp`` kernel, export
the leadership HTML with nbconvert, write the manifest, then rename the finished folder over
the previous report. A failure at any stage leaves the previous report as it was.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import shutil
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

from . import __version__
from .config import Config, ConfigError, load_config
from .exitcodes import ERROR, INVALID_INPUT, NOTEBOOK_FAILED, OK, USAGE
from .present.project import PACKAGE_ROOT, default_notebook
from .quarters import Quarter, QuarterError

log = logging.getLogger("hcp.run")
DEFAULT_NOTEBOOK = default_notebook()
DEFAULT_KERNEL = "hcp"
DEFAULT_TIMEOUT = 600
PACKAGES = ("hcp", "pandas", "numpy", "pyarrow", "matplotlib", "mplfonts", "jinja2", "xlsxwriter",
            "typst", "python-docx", "fonttools",
            "papermill", "nbconvert", "nbformat", "nbclient", "ipykernel", "pydantic", "pyyaml")


class RunFailed(Exception):
    """A run that stops with an exit code and a message for the operator."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


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
            raise RunFailed(USAGE, f"--date {issue_date!r}: expected YYYY-MM-DD") from exc
    mode = mode or config.input.default_mode
    if mode not in ("strict", "quarantine"):
        raise RunFailed(USAGE, f"--mode {mode!r}: expected strict or quarantine")
    if timeout <= 0:
        raise RunFailed(USAGE, f"--timeout {timeout}: must be a positive number of seconds")
    data = Path(data_dir).resolve()
    bulletin = Path(bulletin_path).resolve() if bulletin_path else None
    if bulletin is not None and not bulletin.is_file():
        raise RunFailed(USAGE, f"--bulletin {bulletin_path}: no such file")
    if bulletin is None and not data.is_dir():
        raise RunFailed(USAGE, f"--data {data_dir}: no such folder (run `hcp demo` for sample data)")
    nb = Path(notebook).resolve() if notebook else DEFAULT_NOTEBOOK
    if not nb.is_file():
        raise RunFailed(USAGE, f"notebook not found: {nb}")
    published = Path(published_path).resolve() if published_path else None
    if published is not None and not published.is_file():
        raise RunFailed(USAGE, f"--published {published_path}: no such file")
    out = Path(out_dir or Path("reports") / str(q)).resolve()
    return RunOptions(q, data, out, Path(config_path).resolve() if config_path else None, config,
                      when, mode, int(timeout), nb, bulletin, kernel, progress,
                      Path(cache_dir).resolve() if cache_dir else None, published)


def run(opts: RunOptions) -> RunResult:
    """Build the report for ``opts``; raises RunFailed with the exit code on failure."""
    opts.out_dir.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=f".{opts.out_dir.name}.building-", dir=opts.out_dir.parent))
    umask = os.umask(0)
    os.umask(umask)
    build.chmod(0o777 & ~umask)  # mkdtemp makes it private; a report is as readable as any folder
    timings: dict[str, float] = {}
    handler = _file_log(build / "run.log")
    try:
        log.info("hcp %s: report for %s into %s", __version__, opts.quarter, opts.out_dir)
        with _stage("inputs", timings, "checking inputs and computing the bulletin"):
            manifest_inputs = _compute(opts, build, timings)
        (build / "inputs.json").write_text(  # the notebook's 数据说明 and provisional mark read it
            json.dumps(manifest_inputs, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        executed = build / f"bulletin-{opts.quarter}.ipynb"
        with _stage("execute", timings, f"executing {opts.notebook.name} (kernel {opts.kernel})"):
            _execute(opts, executed, build)
        html = build / f"bulletin-{opts.quarter}.html"
        with _stage("export", timings, "exporting the copies (HTML, PDF, Word)"):
            from .documents.export import export_documents
            from .present.io import load_bulletin

            exported = export_documents(executed, build, load_bulletin(build / "bulletin.pkl"),
                                        opts.config, opts.published_path, opts.cache_dir)
            timings.update({f"export.{k}": v for k, v in exported.seconds.items()})
        with _stage("manifest", timings, "writing manifest.json"):
            _write_manifest(opts, build, manifest_inputs, timings)
        log.info("report complete; publishing")
    except BaseException as exc:
        _abandon(build, opts.out_dir, handler, exc)
        raise
    _close_log(handler)  # detached from the loggers it was added to, before the folder moves
    _publish(build, opts.out_dir)
    return RunResult(opts.out_dir, opts.out_dir / html.name, timings)


# -- stages -------------------------------------------------------------------------------------
def _compute(opts: RunOptions, build: Path, timings: dict[str, float]) -> dict[str, Any]:
    """The bulletin computed once (validating the inputs) and saved for the notebook."""
    from .present.io import load_bulletin, save_bulletin

    target = build / "bulletin.pkl"
    if opts.bulletin_path:
        try:
            bulletin = load_bulletin(opts.bulletin_path)
        except (OSError, TypeError, EOFError, ValueError) as exc:
            raise RunFailed(INVALID_INPUT, f"--bulletin {opts.bulletin_path}: {exc}") from exc
        if Quarter.parse(bulletin.quarter) != opts.quarter:
            raise RunFailed(USAGE, f"--bulletin holds {bulletin.quarter}, not {opts.quarter}")
        shutil.copyfile(opts.bulletin_path, target)
        log.info("using the saved bulletin %s", opts.bulletin_path)
        return {"bulletin": {"path": str(opts.bulletin_path), "sha256": _sha256(target)},
                "issue_date": bulletin.issue_date.isoformat()}
    from .pipeline import build_bulletin_with_report

    try:
        bulletin, reports, stage_times = build_bulletin_with_report(
            str(opts.quarter), opts.data_dir, opts.config, issue_date=opts.issue_date,
            mode=opts.mode, cache_dir=opts.cache_dir,
        )
    except _input_errors() as exc:
        raise RunFailed(INVALID_INPUT, _summary(exc)) from exc
    save_bulletin(bulletin, target)
    timings.update({f"pipeline.{k}": round(float(v), 3) for k, v in (stage_times or {}).items()})
    loaded = input_tables(reports)
    for r in loaded:
        log.info("input %s %s: read %s, accepted %s, rejected %s", r["quarter"], r["table"],
                 r["read"], r["accepted"], r["rejected"])
    return {
        "issue_date": bulletin.issue_date.isoformat(),
        "tables": loaded,
        "accepted": sum(int(r.get("accepted", 0) or 0) for r in loaded),
        "rejected": sum(int(r.get("rejected", 0) or 0) for r in loaded),
    }


def input_tables(reports: list) -> list[dict]:
    """One manifest entry per quarter and table: files with rows and SHA-256, and the counts."""
    rows = []
    for report in reports:
        for table in report.to_dict()["tables"].values():
            rows.append({"quarter": report.quarter, "folder": report.folder, **table})
    return rows


def _input_errors() -> tuple[type[BaseException], ...]:
    """Exceptions meaning "the inputs are invalid" (exit 3)."""
    from .load import InputValidationError

    return (ConfigError, InputValidationError)


def _summary(exc: BaseException) -> str:
    summary = getattr(exc, "summary", None)
    text = summary() if callable(summary) else str(exc)
    return f"the inputs are invalid:\n{text}"


def _execute(opts: RunOptions, executed: Path, build: Path) -> None:
    import papermill as pm
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(opts.kernel)
    except NoSuchKernel as exc:
        raise RunFailed(ERROR, f"Jupyter kernel {opts.kernel!r} is not installed; install it with "
                               f"`{sys.executable} -m ipykernel install --sys-prefix --name "
                               f"{opts.kernel}` (make does this)") from exc
    log.info("kernel %s: %s", opts.kernel, " ".join(spec.argv[:1]))
    parameters = {
        "quarter": str(opts.quarter),
        "data_dir": str(opts.data_dir),
        "out_dir": str(build),
        "config_path": str(opts.config_path or ""),
        "issue_date": opts.issue_date.isoformat() if opts.issue_date else "",
        "bulletin_path": str(build / "bulletin.pkl"),
        "mode": opts.mode,
        "published_path": str(opts.published_path or ""),
    }
    try:
        with _kernel_sees_this_package():
            pm.execute_notebook(
                str(opts.notebook), str(executed), parameters=parameters,
                kernel_name=opts.kernel, language="python", execution_timeout=opts.timeout,
                progress_bar=opts.progress, log_output=False, cwd=str(PACKAGE_ROOT),
                # A local kernel on loopback; its start-up transport warning is noise here.
                extra_arguments=["--IPKernelApp.log_level=ERROR"],
            )
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


def _first_line(source: str) -> str:
    """The cell's first line of code (comments skipped), to name the cell in a message."""
    lines = [ln.strip() for ln in source.splitlines() if ln.strip()]
    code = [ln for ln in lines if not ln.startswith("#")]
    return (code or lines or [""])[0]


@contextmanager
def _kernel_sees_this_package() -> Iterator[None]:
    """Let the kernel import the same ``hcp_lib`` as this process (a checkout, a worktree)."""
    before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(PACKAGE_ROOT), before) if p)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = before


def _write_manifest(opts: RunOptions, build: Path, inputs: dict[str, Any],
                    timings: dict[str, float]) -> None:
    outputs = [
        {"path": str(p.relative_to(build)), "bytes": p.stat().st_size, "sha256": _sha256(p)}
        for p in sorted(build.rglob("*")) if p.is_file() and p.name != "run.log"
    ]
    manifest = {
        "hcp_version": __version__,
        "quarter": str(opts.quarter),
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
            shutil.rmtree(failed)
        build.rename(failed)
        if isinstance(exc, RunFailed):
            exc.args = (f"{exc.args[0]}\n(the failed run is kept in {failed}; "
                        f"{target} is unchanged)",)
    except OSError:
        shutil.rmtree(build, ignore_errors=True)


def _publish(build: Path, target: Path) -> None:
    """Swap the finished folder in: the old report moves aside, the new one takes its name."""
    old = None
    if target.exists():
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
    if stale.exists():
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
    try:
        result = run(opts)
    except RunFailed as exc:
        print(f"hcp run: {exc}", file=sys.stderr)
        return exc.code
    print(f"report: {result.out_dir}")
    print(f"leadership HTML: {result.html}")
    return OK
