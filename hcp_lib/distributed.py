"""Load, validate and reduce a quarter's big tables on a Dask cluster, one input file a task.

The distributed engine runs the streaming engine's own pieces (``hcp_lib.stream``): each task
reads one file of a big table (or a range of a big Parquet file's row groups, see ``plan``) in
batches on a worker (``file_batches``), validates every batch with ``check_batch`` and folds
the accepted rows into a ``CaseFold`` or ``EvaluationFold``. The driver adds the partials up in file order (``TableTally`` for problems, counts and rejects;
the folds' group counts, flags and bad-review rows), so category orders, the problem list and
its examples come out exactly as ``stream_quarter`` gives them.

Two steps cross files:

- duplicate ids (the first occurrence in file order wins): each task returns the hashes of the
  ids it saw; the driver keeps the hashes of the files before (``HashRuns``) and, in the rare
  case that a file repeats an id of an earlier file, runs that file again with those hashes as
  its ``earlier`` set. Exports without duplicates across files cost one pass.
- the evaluation -> case lookup: cases run first; the driver builds the compact case index
  (id hash and code, 12 bytes a case) and sends it to every worker once; each evaluation
  task returns which cases it found, as a bit set the driver ORs.

What returns to the driver holds no personal column: those are dropped by the parser on the
worker; problems carry the loader's usual examples and rejected rows go to the rejects file, as
with the other engines. ``docs/distributed.md`` tells how to deploy it.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import heap
from .batches import file_batches
from .config import Config
from .contract import TABLES, Table
from .hashing import Hashed
from .load import Mode, TableReport
from .problems import Problem
from .progress import progress
from .quarters import Quarter
from .readers import FORMATS, ReadError, find_files, outside
from .stream import (
    BATCH_ROWS,
    GROUP_SHIFT,
    CaseFold,
    CaseIndex,
    EvaluationFold,
    Groups,
    HashRuns,
    Start,
    Streamed,
    TableTally,
    assemble,
    check_batch,
    ledger_of,
)

PART_ROWS = 1_000_000
"""A Parquet file with more rows is split by row groups into parts of about this many rows."""
LOCAL_WORKERS = 2
LOCAL_MEMORY = "4GiB"  # per worker of the cluster started when no scheduler is given
CONNECT_TIMEOUT = "10s"


class EngineUnavailable(RuntimeError):
    """dask.distributed is not installed (the ``cluster`` extra)."""


class SchedulerUnreachable(RuntimeError):
    """The scheduler named did not answer, or has no workers."""


INSTALL_HINT = ("--engine dask needs dask.distributed: pip install 'hcp[cluster]' "
                "(or: pip install 'dask[distributed]')")


def available() -> bool:
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


@contextlib.contextmanager
def connect(scheduler: str | None = None, *, workers: int = LOCAL_WORKERS,
            memory_limit: str = LOCAL_MEMORY) -> Iterator[Any]:
    """A ``distributed.Client``: to ``scheduler`` (``tcp://host:8786``), to the one Dask's own
    configuration names (``DASK_SCHEDULER_ADDRESS``), or to a local cluster started here and
    closed on exit (``workers`` processes, one thread each)."""
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise EngineUnavailable(INSTALL_HINT) from exc
    address = scheduler or dask.config.get("scheduler-address", None)
    if address:
        try:
            client = Client(address, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            raise SchedulerUnreachable(
                f"无法连接 Dask 调度器 / the Dask scheduler at {address} did not answer "
                f"within {CONNECT_TIMEOUT} ({type(exc).__name__})") from exc
        with client:
            try:  # tasks on a cluster without workers would wait for ever
                client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
            except TimeoutError as exc:
                raise SchedulerUnreachable(
                    f"Dask 调度器没有工作进程 / the Dask scheduler at {address} has no workers "
                    f"(none joined within {CONNECT_TIMEOUT})") from exc
            yield client
        return
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      memory_limit=memory_limit, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        yield client


# --- one task: one file of a big table ------------------------------------------------------


class _Seen:
    """``validate_table``'s ``earlier`` hook on a worker: ids of this file's earlier batches,
    and the ``earlier`` hashes the driver found in files before this one."""

    def __init__(self, earlier: np.ndarray | None) -> None:
        self.before = HashRuns()
        if earlier is not None:
            self.before.add(earlier)
        self.here = HashRuns()

    def __call__(self, keys: pd.DataFrame, hashed: Hashed | None = None) -> np.ndarray:
        hashed = hashed if hashed is not None else Hashed.of(keys)
        needles = hashed.sorted
        found = self.here.contains_sorted(needles)
        if self.before.runs:
            found |= self.before.contains_sorted(needles)
        self.here.add(needles, is_sorted=True)
        out = np.empty(len(found), dtype=bool)
        out[hashed.order] = found
        return out

    def hashes(self) -> np.ndarray:
        """Every id hash the file held, sorted, once each."""
        runs = self.here.runs
        if not runs:
            return np.zeros(0, np.uint64)
        every = np.sort(np.concatenate(runs))  # np.unique hashes: slower by far on 64-bit keys
        return every[np.concatenate([[True], every[1:] != every[:-1]])]


@dataclass
class Partial:
    """What one file's task returns to the driver: no row of accepted data, no personal column."""

    errors: list[tuple[str, str]]
    sheets: int  # sheets read (0: the file could not be read)
    batches: list[tuple[int, list[Problem], pd.DataFrame, TableReport]]
    hashes: np.ndarray
    fold: Any  # CaseFold or EvaluationFold with its shared inputs taken out
    evaluated: np.ndarray | None = None  # evaluations: the cases found, np.packbits


def run_part(path: str, row_groups: list[int] | None, folder: str, table_name: str,
             quarter: str, config: Config, batch_rows: int, borrowed: list[str] | None,
             earlier: np.ndarray | None, shared: tuple) -> Partial:
    """One file of a big table (or some of a Parquet file's row groups), batch by batch:
    validated, folded, reported (on a worker).

    ``shared``: the cases' ``(Window,)``; the evaluations' ``(ledger, CaseLookup)``."""
    heap.reuse_pages()
    table = TABLES[table_name]
    q = Quarter.parse(quarter)
    errors: list[tuple[str, str]] = []
    seen = _Seen(earlier)
    fold = (CaseFold(config, *shared) if table_name == "cases"
            else EvaluationFold(config, *shared))
    batches: list[tuple[int, list[Problem], pd.DataFrame, TableReport]] = []
    opened = file_batches(Path(path), Path(folder), table, batch_rows, borrowed, errors,
                          row_groups)
    sheets = 0
    if opened is not None:
        number = -1
        try:
            for number, sheet_batches in enumerate(opened[1]):
                for sheet in sheet_batches:
                    problems, rejected, part, accepted, hashes = check_batch(
                        sheet, table, q, config, seen)
                    batches.append((number, problems, rejected, part))
                    fold(accepted, hashes)
                    del accepted
                    heap.give_back()
        except ReadError as exc:  # a CSV damaged after its first blocks: its rows so far stay
            errors.append((Path(path).name, str(exc)))
        sheets = number + 1
    evaluated = None
    if isinstance(fold, EvaluationFold):
        evaluated = np.packbits(fold.evaluated)
        fold.evaluated = fold.cases = fold.ledger = fold.ledger_ids = fold.config = None
    else:
        fold.config = None
    return Partial(errors, sheets, batches, seen.hashes(), fold, evaluated)


# --- the driver -----------------------------------------------------------------------------


def merge_groups(into: Groups, part: Groups) -> np.ndarray:
    """Fold a later partition's groups into ``into``; returns its group numbers in ``into``'s."""
    return into.merge(part)


def _merge_cases(into: CaseFold, part: CaseFold) -> None:
    remap = merge_groups(into.groups, part.groups).astype(np.uint32)
    flags = np.uint32((1 << GROUP_SHIFT) - 1)
    for b in range(len(part.store.fill)):
        for hashes, codes in part.store.pieces(b):
            into.store.add(hashes, (remap[codes >> np.uint32(GROUP_SHIFT)] << np.uint32(GROUP_SHIFT))
                           | (codes & flags))
    into.days |= part.days


def _merge_evaluations(into: EvaluationFold, part: EvaluationFold,
                       evaluated: np.ndarray) -> None:
    merge_groups(into.groups, part.groups)
    into.ledger_matched |= part.ledger_matched
    into.evaluated |= np.unpackbits(evaluated, count=len(into.evaluated)).astype(bool)
    for name, n in part.counts.items():
        into.counts[name] += n
    into.bad_parts += part.bad_parts
    if not into.template and part.template:
        into.template.append(part.template[0])
    into.days |= part.days


def _borrowed(files: list[Path], folder: Path, table: Table) -> list[str] | None:
    """The table's first header, which a continuation sheet without one takes. Only CSV and
    workbook files read it; for Parquet-only exports nothing is opened here."""
    if all(FORMATS.get(p.suffix.lower()) == "parquet" for p in files):
        return None
    for path in files:
        opened = file_batches(path, folder, table, BATCH_ROWS, None, [])
        if opened is not None and opened[0] is not None:
            for sheet in opened[1]:
                if hasattr(sheet, "close"):
                    sheet.close()
            return opened[0]
    return None


def plan(files: list[Path], folder: Path, part_rows: int = PART_ROWS
         ) -> list[tuple[Path, list[int] | None]]:
    """The tasks of a table: each file whole, or a big Parquet file's row groups in parts of
    about ``part_rows`` rows (only its footer is read here)."""
    import pyarrow.parquet as pq

    parts: list[tuple[Path, list[int] | None]] = []
    for path in files:
        if FORMATS.get(path.suffix.lower()) != "parquet" or outside(path, folder):
            parts.append((path, None))
            continue
        try:
            meta = pq.read_metadata(path)
        except (OSError, ValueError, pq.lib.ArrowException):
            parts.append((path, None))  # the task words the failure as the loader does
            continue
        ranges: list[list[int]] = [[]]
        rows = 0
        for i in range(meta.num_row_groups):
            if rows >= part_rows:
                ranges.append([])
                rows = 0
            ranges[-1].append(i)
            rows += meta.row_group(i).num_rows
        parts += [(path, None)] if len(ranges) == 1 else [(path, r) for r in ranges]
    return parts


def _run_table(client: Any, folder: Path, table: Table, q: Quarter, config: Config,
               config_ref: Any, batch_rows: int, part_rows: int, rejects_dir: Path | None,
               shared: tuple, take: Callable[[Partial], None]) -> TableReport:
    """Every file (or part of one) of a big table as a task; partials merged in file order."""
    files = find_files(folder, table)
    borrowed = _borrowed(files, folder, table)
    parts = plan(files, folder, part_rows)

    def submit(path: Path, row_groups: list[int] | None, earlier: np.ndarray | None) -> Any:
        return client.submit(run_part, str(path), row_groups, str(folder), table.name, str(q),
                             config_ref, batch_rows, borrowed, earlier, shared, pure=False)

    futures = [submit(path, row_groups, None) for path, row_groups in parts]
    errors: list[tuple[str, str]] = []
    tally = TableTally(table, config, rejects_dir)
    seen = HashRuns()
    number = start = 0
    unread: Path | None = None  # a file whose first part could not be read: skip its others
    for i in progress(range(len(parts)), desc=f"{table.title} {table.name} (dask)", unit="part"):
        path, row_groups = parts[i]
        partial = futures[i].result()
        futures[i] = None
        repeated = partial.hashes[seen.contains(partial.hashes)]
        seen.add(partial.hashes)
        if len(repeated):  # an id an earlier file held: this part again, knowing which
            partial = submit(path, row_groups, repeated).result()
        if not row_groups or row_groups[0] == 0:  # a file's first part: its sheets count
            errors += partial.errors
            unread = path if partial.errors and not partial.sheets else None
            start = number
            number += partial.sheets
        elif path == unread:
            continue
        elif partial.errors:
            raise RuntimeError(f"{path.name} changed while it was read: {partial.errors[0][1]}")
        for local, problems, rejected, part in partial.batches:
            tally.add(start + local, problems, rejected, part)
        take(partial)
        del partial
    return tally.report(folder, q, config, errors)


def dask_quarter(
    folder: str | Path,
    quarter: Quarter | str,
    config: Config | str | Path | None = None,
    *,
    client: Any = None,
    scheduler: str | None = None,
    mode: Mode | None = None,
    rejects_dir: str | Path | None = None,
    next_evaluations: pd.DataFrame | None = None,
    until: date | datetime | None = None,
    batch_rows: int = BATCH_ROWS,
    part_rows: int = PART_ROWS,
) -> Streamed:
    """``stream_quarter`` on a Dask cluster: the same report, rejects and aggregates.

    ``client``: a ``distributed.Client`` to use; else one is made for ``scheduler`` (or a
    local cluster, see ``connect``) and closed afterwards. ``part_rows``: see ``plan``."""
    if client is None:
        with connect(scheduler) as made:
            return dask_quarter(folder, quarter, config, client=made, mode=mode,
                                rejects_dir=rejects_dir, next_evaluations=next_evaluations,
                                until=until, batch_rows=batch_rows, part_rows=part_rows)
    start = Start.of(folder, quarter, config, mode, rejects_dir, next_evaluations, until)
    folder, q, config, mode, rejects_path = (start.folder, start.quarter, start.config,
                                             start.mode, start.rejects_path)
    small_results, reports, window = start.small_results, start.reports, start.window
    config_ref = client.scatter(config, broadcast=True)
    light = dataclasses.replace(window, nxt=pd.DataFrame())  # the workers need only the moments

    cases = CaseFold(config, window)
    reports["cases"] = _run_table(
        client, folder, TABLES["cases"], q, config, config_ref, batch_rows, part_rows,
        rejects_path,
        (light,), lambda partial: _merge_cases(cases, partial.fold))
    index = CaseIndex.of(cases.store)

    ledger = ledger_of(small_results)
    evaluations = EvaluationFold(config, ledger, index.lookup)
    shared = tuple(client.scatter([ledger, index.lookup], broadcast=True))
    reports["evaluations"] = _run_table(
        client, folder, TABLES["evaluations"], q, config, config_ref, batch_rows, part_rows,
        rejects_path,
        shared,
        lambda partial: _merge_evaluations(evaluations, partial.fold, partial.evaluated))
    del shared
    return assemble(folder, q, config, mode, rejects_path, small_results, reports, window,
                    cases, index, evaluations)
