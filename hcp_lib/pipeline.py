"""Pipeline glue: load a quarter (and its neighbours), reduce, compute the bulletin.

``data_dir/<quarter>`` holds a quarter's input files (``data_dir/2022Q2``). The previous
quarter's folder, when present, gives the comparisons; the next quarter's, when present, the
look-ahead (its evaluations up to the bulletin's date). Reduced aggregates can be cached as
Parquet under ``cache_dir``, keyed by the SHA-256 of the input files and the rules the
reduction reads, so re-running a notebook skips both loading and reducing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from . import earlyworker
from .config import Config
from .figures import Bulletin
from .gates import coverage
from .metrics import compute_bulletin
from .quarters import Quarter
from .reduce import AGGREGATES_VERSION, Aggregates, _end_of, _lookahead, reduce_quarter

CACHE_LAYOUT = 2  # entries carry coverage, rejects and a checksum list
CHECKSUMS = "checksums.json"


ENGINES = ("memory", "stream", "dask")
"""Whole tables in memory, the big tables in bounded batches (``hcp_lib.stream``), or those
batches on a Dask cluster (``hcp_lib.distributed``)."""

@dataclass
class _Reduced:
    aggregates: Aggregates
    reports: list[Any]
    cached: bool


@dataclass
class Computed:
    """A quarter's bulletin with what ``hcp run`` checks before publishing it."""

    bulletin: Bulletin
    reports: list[Any]  # load reports: this quarter, the next, the previous
    timings: dict[str, float]
    coverage: dict[str, list[str]]  # this quarter's days with records, per table


def build_bulletin(
    quarter: Quarter | str,
    data_dir: str | Path,
    config: Config,
    *,
    issue_date: date | None = None,
    mode: str = "strict",
    cache_dir: str | Path | None = None,
) -> Bulletin:
    """The bulletin of ``quarter`` from the input folders under ``data_dir``."""
    bulletin, _, _ = build_bulletin_with_report(
        quarter, data_dir, config, issue_date=issue_date, mode=mode, cache_dir=cache_dir)
    return bulletin


def build_bulletin_with_report(
    quarter: Quarter | str,
    data_dir: str | Path,
    config: Config,
    *,
    issue_date: date | None = None,
    mode: str = "strict",
    cache_dir: str | Path | None = None,
) -> tuple[Bulletin, list[Any], dict[str, float]]:
    """Like ``build_bulletin``, plus the loader's reports and per-stage timings (seconds) for
    the run manifest. Reports come back in load order: this quarter, the next, the previous;
    on a cache hit they are the reports stored when the aggregates were made."""
    done = compute(quarter, data_dir, config, issue_date=issue_date, mode=mode,
                   cache_dir=cache_dir)
    return done.bulletin, done.reports, done.timings


def compute(
    quarter: Quarter | str,
    data_dir: str | Path,
    config: Config,
    *,
    issue_date: date | None = None,
    mode: str = "strict",
    cache_dir: str | Path | None = None,
    rejects_dir: str | Path | None = None,
    before_compute: Callable[[list[Any], dict[str, list[str]]], None] | None = None,
    engine: str = "memory",
    scheduler: str | None = None,
    trend_rows: bool = False,
) -> Computed:
    """The bulletin, the load reports, timings and coverage; in quarantine mode with
    ``rejects_dir``, each quarter's rejected rows are written to ``rejects_dir/<QUARTER>/``.
    ``before_compute(reports, coverage)`` sees the quarter's inputs before any figure is
    computed (the completeness gates: an empty table must stop the run before it divides).
    ``engine``: "stream" (bounded batches, ``hcp_lib.stream``), "memory" (whole tables in
    memory) or "dask" (the batches on a Dask cluster: ``scheduler``'s, else a local one); all
    give the same aggregates and reports. ``trend_rows``: where the previous quarter is
    streamed apart and cached, its 趋势分析 rows are computed there too
    (``analysis.kept_rows``), off the notebook's path."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    q = Quarter.parse(quarter)
    data_dir = Path(data_dir)
    issue = issue_date or config.schedule.issue_date(q) or date.today()
    timings: dict[str, float] = {}
    folder = data_dir / str(q)
    if not folder.is_dir():
        raise FileNotFoundError(f"no input folder for {q}: {folder}")
    nxt = data_dir / str(q.next())
    prev = data_dir / str(q.previous())

    # The two quarters load side by side. A streamed quarter keeps one core and a half busy
    # and holds the GIL for much of it, so an uncached previous quarter streams in a process
    # of its own; the other engines share this one (Dask's client, pyarrow's released GIL).
    with _cluster(engine, scheduler) as client, ThreadPoolExecutor(max_workers=2) as pool:
        current_job = pool.submit(_reduced, folder, q, config, mode, cache_dir, timings,
                                  next_folder=nxt if nxt.is_dir() else None, until=issue,
                                  rejects_dir=rejects_dir, engine=engine, client=client)
        previous_job = (pool.submit(_previous, prev, q.previous(), config, mode, cache_dir,
                                    timings, rejects_dir=rejects_dir, engine=engine,
                                    client=client, trend_rows=trend_rows)
                        if prev.is_dir() else None)
        current = current_job.result()
        previous = previous_job.result() if previous_job else None
    reports = current.reports + (previous.reports if previous else [])
    covered = dict(current.aggregates.meta.get("coverage", {}))
    if before_compute is not None:
        before_compute(reports, covered)
    t0 = time.perf_counter()
    bulletin = compute_bulletin(
        current.aggregates, previous.aggregates if previous else None,
        current.aggregates.small, config, quarter=q, issue_date=issue)
    timings["compute"] = time.perf_counter() - t0
    return Computed(bulletin, reports, timings, covered)


def _cluster(engine: str, scheduler: str | None) -> contextlib.AbstractContextManager[Any]:
    """One Dask client for both quarters (``engine="dask"``), else nothing."""
    if engine != "dask":
        return contextlib.nullcontext()
    from .distributed import connect

    return connect(scheduler)


def _previous(folder: Path, q: Quarter, config: Config, mode: str,
              cache_dir: str | Path | None, timings: dict[str, float], *,
              rejects_dir: str | Path | None, engine: str, client: Any,
              trend_rows: bool = False) -> _Reduced:
    """The previous quarter: from the cache, else streamed in a child process (engine
    "stream"), else as ``_reduced`` loads it."""
    key, hit = _cached(folder, None, None, q, config, mode, cache_dir, timings, rejects_dir)
    if hit is not None:
        return hit
    if engine != "stream":
        return _reduced(folder, q, config, mode, cache_dir, timings, rejects_dir=rejects_dir,
                        engine=engine, client=client, key=key)
    # The process ``hcp run`` started before its imports (``earlyworker``), else one now.
    apart = earlyworker.take() or earlyworker.pool()
    try:
        done, spent = apart.submit(_reduced_apart, folder, q, config, mode, cache_dir,
                                   rejects_dir, key, trend_rows).result()
    except BaseException:
        apart.shutdown(wait=True, cancel_futures=True)
        raise
    earlyworker.finished(apart)
    timings.update(spent)
    return done


def _reduced_apart(folder: Path, q: Quarter, config: Config, mode: str,
                   cache_dir: str | Path | None, rejects_dir: str | Path | None,
                   key: str | None, trend_rows: bool = False
                   ) -> tuple[_Reduced, dict[str, float]]:
    """``_reduced`` in a child process: its result and its timings (and, with
    ``trend_rows`` and a cache, the quarter's kept trend rows)."""
    from .cli import exit_quickly

    exit_quickly()  # the child is spawned for this one task: its exit is the command's
    timings: dict[str, float] = {}
    done = _reduced(folder, q, config, mode, cache_dir, timings, rejects_dir=rejects_dir,
                    engine="stream", key=key)
    if trend_rows and cache_dir is not None and key is not None:
        from .analysis.trends import keep_standalone_rows

        t0 = time.perf_counter()
        keep_standalone_rows(q, done.aggregates, config, Path(cache_dir) / f"{q}-{key[:16]}")
        timings[f"trend_rows:{q}"] = time.perf_counter() - t0
    return done, timings


def _cached(folder: Path, next_folder: Path | None, until: date | None, q: Quarter,
            config: Config, mode: str, cache_dir: str | Path | None,
            timings: dict[str, float], rejects_dir: str | Path | None
            ) -> tuple[str | None, _Reduced | None]:
    """The quarter's cache key and its entry, when the cache holds it (rejects copied out)."""
    if cache_dir is None:
        return None, None
    t0 = time.perf_counter()
    key = cache_key(folder, next_folder, until if next_folder else None, config, mode)
    timings[f"hash:{q}"] = time.perf_counter() - t0
    hit = _from_cache(Path(cache_dir) / f"{q}-{key[:16]}")
    if hit is not None:
        timings[f"cache:{q}"] = 0.0
        if mode == "quarantine" and rejects_dir is not None:
            _copy_rejects(Path(cache_dir) / f"{q}-{key[:16]}" / "rejects", Path(rejects_dir))
    return key, hit


def _reduced(
    folder: Path,
    q: Quarter,
    config: Config,
    mode: str,
    cache_dir: str | Path | None,
    timings: dict[str, float],
    *,
    next_folder: Path | None = None,
    until: date | None = None,
    rejects_dir: str | Path | None = None,
    engine: str = "memory",
    client: Any = None,
    key: str | None = None,
) -> _Reduced:
    """One quarter's aggregates: from the cache when its key matches, else loaded and reduced
    (``key``: the cache key, already known to miss)."""
    quarantine = mode == "quarantine" and rejects_dir is not None
    if key is None:
        key, hit = _cached(folder, next_folder, until, q, config, mode, cache_dir, timings,
                           rejects_dir)
        if hit is not None:
            return hit

    from .load import load_quarter  # the loader: validated DataFrames and a report per folder

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="hcp-rejects-") as scratch:
        rejects = Path(scratch) / "rejects"
        aside = {"rejects_dir": rejects / str(q)} if quarantine else {}
        ahead: dict[str, Any] = {"reports": [], "evaluations": None, "error": None}

        def look_ahead() -> None:
            """The next quarter's folder: the weeks up to the bulletin, held whole."""
            if next_folder is None:
                return
            ahead_aside = {"rejects_dir": rejects / str(q.next())} if quarantine else {}
            try:
                if engine in ("stream", "dask"):  # streamed too: only its weeks are kept
                    from .stream import stream_lookahead

                    read = stream_lookahead(next_folder, q.next(), window_rows(q, until),
                                            config, mode=mode, **ahead_aside)
                    report, evaluations = read.report, read.kept
                else:
                    loaded = load_quarter(next_folder, q.next(), config, mode=mode,
                                          **ahead_aside)
                    report, evaluations = loaded.report, loaded.tables.get("evaluations")
            except Exception as exc:  # this quarter's own problems are told first
                from .load import InputValidationError

                if not isinstance(exc, InputValidationError):
                    raise
                ahead["error"] = exc
            else:
                ahead["reports"].append(report)
                ahead["evaluations"] = evaluations

        window = until if next_folder else None
        if engine in ("stream", "dask"):
            from .stream import stream_quarter

            look_ahead()  # first: which cases count as checked depends on it
            if engine == "dask":
                from .distributed import dask_quarter

                streamed = dask_quarter(folder, q, config, client=client, mode=mode,
                                        next_evaluations=ahead["evaluations"], until=window,
                                        **aside)
            else:
                streamed = stream_quarter(folder, q, config, mode=mode,
                                          next_evaluations=ahead["evaluations"], until=window,
                                          **aside)
            reports = [streamed.report, *ahead["reports"]]
            timings[f"load:{q}"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            aggregates = streamed.aggregates
            aggregates.meta["coverage"] = streamed.coverage
        else:
            inputs = load_quarter(folder, q, config, mode=mode, **aside)
            look_ahead()
            reports = [inputs.report, *ahead["reports"]]
            timings[f"load:{q}"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            aggregates = reduce_quarter(inputs.tables, config,
                                        next_evaluations=ahead["evaluations"], quarter=q,
                                        until=window)
            aggregates.meta["coverage"] = coverage(inputs.tables)
        if ahead["error"] is not None:
            raise ahead["error"]
        timings[f"reduce:{q}"] = time.perf_counter() - t0
        if quarantine:
            _copy_rejects(rejects, Path(rejects_dir))
        if key is not None:
            _to_cache(Path(cache_dir) / f"{q}-{key[:16]}", aggregates, reports,
                      rejects if quarantine else None)
    return _Reduced(aggregates, reports, cached=False)


LOOKAHEAD_COLUMNS = ("case_id", "item_code", "item_name", "unit", "level", "evaluated_at")
"""What the reduction reads of the look-ahead's evaluations."""


def window_rows(q: Quarter, until: date | None) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """The look-ahead's rows the reduction of ``q`` reads: after ``q``, before the end of
    ``until``'s day, and only the columns it uses."""
    until_end = _end_of(until)

    def keep(evaluations: pd.DataFrame) -> pd.DataFrame:
        rows = _lookahead(evaluations, q, until_end)
        return rows[[c for c in LOOKAHEAD_COLUMNS if c in rows.columns]]

    return keep


def _copy_rejects(source: Path, target: Path) -> None:
    """Each quarter's ``<table>_rejects.csv`` files, when there are any."""
    if not source.is_dir():
        return
    for path in sorted(source.rglob("*.csv")):
        dest = target / path.relative_to(source)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)


def cache_key(
    folder: Path, next_folder: Path | None, until: date | None, config: Config, mode: str
) -> str:
    """SHA-256 over the input files' own SHA-256s and every rule the reduction reads."""
    rules = {
        "version": AGGREGATES_VERSION,
        "layout": CACHE_LAYOUT,
        "mode": mode,
        "until": str(until) if until else None,
        "bad_levels": list(config.bad_reviews.levels),
        "corrected": config.satisfaction.use_corrected_levels,
        "push_limit_hours": config.mechanism.push_limit_hours,
        "grace_days": config.mechanism.missing_eval_grace_days,
        "hall_places": list(config.active_rate.hall_places),
        "hall_channel": config.active_rate.hall_handling_channel,
        "input": config.input.model_dump(mode="json"),
        "registry": file_sha256(config.city.registry),
        "files": folder_sha256(folder),
        "next_files": folder_sha256(next_folder) if next_folder else None,
    }
    return hashlib.sha256(json.dumps(rules, sort_keys=True).encode()).hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def folder_sha256(folder: Path) -> dict[str, str]:
    """Each input file's SHA-256 (the same digests the load report records), by relative path."""
    return {
        str(p.relative_to(folder)): file_sha256(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def _to_cache(directory: Path, aggregates: Aggregates, reports: list[Any],
              rejects: Path | None = None) -> None:
    """Write the entry aside, list each file's SHA-256, then rename it into place: a reader
    sees a whole entry or none, and a cut-off file fails its checksum."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    aside = Path(tempfile.mkdtemp(prefix=f".{directory.name}.writing-", dir=directory.parent))
    try:
        aggregates.to_parquet(aside)
        try:
            (aside / "reports.pkl").write_bytes(pickle.dumps(reports))
        except (pickle.PicklingError, TypeError, AttributeError):
            (aside / "reports.pkl").unlink(missing_ok=True)
        if rejects is not None:
            _copy_rejects(rejects, aside / "rejects")
        sums = {str(p.relative_to(aside)): file_sha256(p)
                for p in sorted(aside.rglob("*")) if p.is_file()}
        (aside / CHECKSUMS).write_text(json.dumps(sums, indent=1), encoding="utf-8")
        if directory.exists():
            shutil.rmtree(directory, ignore_errors=True)
        os.replace(aside, directory)
    except OSError:  # a cache that cannot be written is only a slower next run
        shutil.rmtree(aside, ignore_errors=True)


def verified(directory: Path) -> bool:
    """Every file the entry listed is there with its checksum, and nothing was left out."""
    try:
        sums = json.loads((directory / CHECKSUMS).read_text(encoding="utf-8"))
        present = {str(p.relative_to(directory)) for p in directory.rglob("*")
                   if p.is_file() and p.name != CHECKSUMS}
        return (isinstance(sums, dict) and set(sums) == present
                and all(file_sha256(directory / rel) == digest for rel, digest in sums.items()))
    except (OSError, ValueError):
        return False


def _from_cache(directory: Path) -> _Reduced | None:
    if not (directory / "meta.json").is_file() or not verified(directory):
        return None
    try:
        aggregates = Aggregates.from_parquet(directory)
        reports_file = directory / "reports.pkl"
        # The cache is this user's own files, checksummed: reading its pickle is reading its
        # own output.
        reports = pickle.loads(reports_file.read_bytes()) if reports_file.is_file() else []
    except (OSError, ValueError, pickle.UnpicklingError, AttributeError, ImportError, KeyError):
        return None
    return _Reduced(aggregates, reports, cached=True)
