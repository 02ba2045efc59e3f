"""Load, validate and reduce a quarter in bounded batches: memory follows groups, not rows.

The two big tables (evaluations, cases) are read a batch at a time (Parquet row groups through
Arrow's batch reader, CSV blocks through Arrow's streaming CSV reader; a workbook sheet, one at
a time, is read whole and then cut into batches), each
batch is validated by the very ``validate_table`` the in-memory loader uses and reduced at once
into running group counts. What must outlive a batch is kept compact:

- keys already seen (duplicate ids across files and batches): 64-bit hashes in sorted runs;
- the evaluation -> case lookup: each accepted case's id hash, group and two flags;
- problems: merged per (file, sheet, column, kind) with the first examples, in the order the
  whole-table validation reports them;
- rejected rows: appended to the rejects file as they come.

The small tables (ledger, survey, stars, red flags, commendations) load whole, as before.
``stream_quarter`` returns the same ``Aggregates`` and ``LoadReport`` as ``load_quarter`` +
``reduce_quarter`` (tests/test_stream.py checks that). Ids are compared by a 64-bit hash: two
different ids collide with a probability below 1e-6 even at 100 million rows.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from . import reduce as rd
from .config import Config
from .contract import LEVELS, TABLES, Table
from .load import (
    REJECTS_SUFFIX,
    UNUSABLE,
    InputValidationError,
    LoadReport,
    Mode,
    TableReport,
    _drop_personal,
    _file_problems,
    _table_report,
    loader_arguments,
    unknown_eval_ids,
    write_rejects,
)
from .problems import Problem
from .progress import progress
from .quarters import Quarter
from .readers import (
    FORMATS,
    LINK_OUTSIDE,
    RawTable,
    ReadError,
    Sheet,
    _as_text,
    _finish,
    find_files,
    map_headers,
    open_csv,
    outside,
    read_file,
    read_table,
    sha256_file,
    stack,
    unmatched_files,
    workbook_sheets,
)
from .validate import Validated, validate_table

BATCH_ROWS = 500_000
BIG = ("evaluations", "cases")


# --- compact cross-batch structures ---------------------------------------------------------


def key_hashes(keys: pd.DataFrame) -> np.ndarray:
    """One 64-bit hash per row of key values (text as the user typed it)."""
    out = np.zeros(len(keys), dtype=np.uint64)
    for name in keys.columns:
        values = keys[name].astype(object).to_numpy(dtype=object, na_value=None)
        with np.errstate(over="ignore"):
            out = out * np.uint64(0x100000001B3) ^ pd.util.hash_array(values, categorize=False)
    return out


class HashRuns:
    """A set of 64-bit hashes as sorted runs, merged as they grow (a log-structured set)."""

    def __init__(self) -> None:
        self.runs: list[np.ndarray] = []

    def contains(self, hashes: np.ndarray) -> np.ndarray:
        order = np.argsort(hashes)
        needles = hashes[order]  # sorted needles: binary searches stay in cache
        found = np.zeros(len(hashes), dtype=bool)
        for run in self.runs:
            at = np.minimum(np.searchsorted(run, needles), len(run) - 1)
            found |= run[at] == needles
        out = np.empty_like(found)
        out[order] = found
        return out

    def add(self, hashes: np.ndarray) -> None:
        if not len(hashes):
            return
        run = np.sort(hashes)
        while self.runs and len(self.runs[-1]) <= 2 * len(run):
            # Two sorted runs: a stable sort of the pair is a linear merge.
            run = np.sort(np.concatenate([self.runs.pop(), run]), kind="stable")
        self.runs.append(run)

    def seen_before(self, keys: pd.DataFrame) -> np.ndarray:
        """Rows whose key an earlier call held; then remember these (``validate_table``'s hook)."""
        hashes = key_hashes(keys)
        found = self.contains(hashes)
        self.add(hashes)
        return found


class Groups:
    """Running group counts: each distinct tuple of labels gets an id; counts add up by id."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        self.ids: dict[tuple, int] = {}
        self.counts = np.zeros(0, dtype=np.int64)
        self.order: dict[str, dict[Any, None]] = {n: {} for n in names}
        """Each dimension's labels in order of first appearance (batch categories included)."""

    def add(self, columns: Mapping[str, rd.Codes], n: int) -> np.ndarray:
        """Count a batch's rows; returns each row's group id."""
        for name, (_, labels) in columns.items():
            self.order[name].update(dict.fromkeys(x for x in labels[1:]))
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        key = np.zeros(n, dtype=np.int64)
        cards = []
        for name in self.names:
            codes, labels = columns[name]
            cards.append(len(labels))
            key = key * len(labels) + codes
        inverse, uniques = pd.factorize(key, sort=False)
        rest = uniques.astype(np.int64)
        parts = []
        for name, card in zip(reversed(self.names), reversed(cards), strict=True):
            parts.append(columns[name][1][rest % card])
            rest //= card
        parts.reverse()
        local = np.empty(len(uniques), dtype=np.int64)
        for i, labels in enumerate(zip(*parts, strict=True)):
            local[i] = self.ids.setdefault(labels, len(self.ids))
        if len(self.ids) > len(self.counts):
            self.counts = np.concatenate([self.counts, np.zeros(len(self.ids) - len(self.counts),
                                                                dtype=np.int64)])
        rows = local[inverse]
        self.counts += np.bincount(rows, minlength=len(self.counts))
        return rows

    def frame(self, count_name: str = "count",
              sums: Mapping[str, np.ndarray] | None = None) -> pd.DataFrame:
        """The groups as ``_group_count`` lays them out: categories and row order alike."""
        keys = list(self.ids)
        used = self.counts > 0
        positions = np.flatnonzero(used)
        out: dict[str, Any] = {}
        sort_codes = []
        for d, name in enumerate(self.names):
            values = np.array([keys[i][d] for i in positions], dtype=object)
            present = {v for v in values if v is not None}
            if name in ("hall", "late"):
                out[name] = values.astype(bool)
                sort_codes.append(values.astype(np.int64))
            elif name == "month":
                out[name] = pd.array([None if v is None else int(v) for v in values],
                                     dtype="Int64")
                sort_codes.append(np.array([0 if v is None else int(v) for v in values]))
            elif name == "level":
                codes = np.array([-1 if v is None else LEVELS.index(v) for v in values])
                out[name] = pd.Categorical.from_codes(codes, categories=LEVELS, ordered=True)
                sort_codes.append(codes)
            else:
                cats = [c for c in self.order[name] if c in present]
                where = {c: i for i, c in enumerate(cats)}
                codes = np.array([-1 if v is None else where[v] for v in values], dtype=np.int64)
                out[name] = pd.Categorical.from_codes(codes, categories=pd.Index(cats))
                sort_codes.append(codes)
        out[count_name] = self.counts[positions]
        for name, values in (sums or {}).items():
            out[name] = values[positions].astype(np.int64)
        frame = pd.DataFrame(out)
        if not len(frame):
            return frame
        order = np.lexsort(list(reversed(sort_codes)))
        return frame.iloc[order].reset_index(drop=True)


# --- reading in batches ---------------------------------------------------------------------


def sheet_batches(folder: Path, table: Table, batch_rows: int,
                  errors: list[tuple[str, str]]) -> Iterator[tuple[int, Sheet]]:
    """(sheet number, one batch of it) for every file of a table, in the loader's order.

    A sheet's later batches carry no header warnings (the first one reports them); files that
    cannot be read go to ``errors`` as ``read_table`` records them.
    """
    borrowed: list[str] | None = None
    number = 0
    for path in find_files(folder, table):
        if outside(path, folder):
            errors.append((path.name, f"{path.name}: {LINK_OUTSIDE}"))
            continue
        kind = FORMATS.get(path.suffix.lower())
        try:
            if kind == "parquet":
                sheets = [_parquet_batches(path, table, batch_rows)]
                header = next(sheets[0]).header
            elif kind == "csv":
                source = open_csv(path, table, sha256_file(path), borrowed)
                sheets, header = [source.batches(batch_rows)], source.header
            else:  # a workbook, one sheet at a time
                found = workbook_sheets(path, table, borrowed)
                first = next(found, None)
                header = first.header if first else None
                sheets = (_slices(sheet, batch_rows)
                          for sheet in itertools.chain([first] if first else [], found))
        except ReadError as exc:
            errors.append((path.name, str(exc)))
            continue
        except (pa.ArrowException, OSError, ValueError, UnicodeError):
            try:  # the whole-file reader words the failure as the loader always has
                read_file(path, table, borrowed)
            except ReadError as exc:
                errors.append((path.name, str(exc)))
            continue
        if borrowed is None and header is not None:
            borrowed = list(header)
        try:
            for batches in sheets:
                for batch in batches:
                    yield number, batch
                number += 1
        except ReadError as exc:  # a CSV damaged after its first blocks: its rows so far stay read
            errors.append((path.name, str(exc)))
            number += 1


def _parquet_batches(path: Path, table: Table, batch_rows: int) -> Iterator[Sheet]:
    """First the header-only Sheet (for ``borrowed``), then the file's batches."""
    source = pq.ParquetFile(path)
    names = source.schema_arrow.names
    mapping = map_headers(list(names), table)
    digest = sha256_file(path)
    first = Sheet(path, None, None, digest, pa.table({}), mapping.missing, mapping.unknown,
                  mapping.repeated, tuple(names))
    yield first
    columns = [names[i] for i in mapping.keep]
    start = 1
    emitted = False
    for batch in source.iter_batches(batch_size=batch_rows, columns=columns):
        data = pa.table([_as_text(pa.chunked_array([batch.column(i)]))
                         for i in range(batch.num_columns)], names=list(mapping.keep.values()))
        rows = pa.array(np.arange(start, start + data.num_rows, dtype=np.int32))
        start += data.num_rows
        sheet = Sheet(path, None, None, digest, _finish(data, rows, table), mapping.missing,
                      () if emitted else mapping.unknown, () if emitted else mapping.repeated,
                      tuple(names))
        emitted = True
        yield sheet
    if not emitted:
        empty = pa.table({name: pa.array([], pa.string()) for name in mapping.keep.values()})
        yield Sheet(path, None, None, digest, _finish(empty, pa.array([], pa.int32()), table),
                    mapping.missing, mapping.unknown, mapping.repeated, tuple(names))


def _slices(sheet: Sheet, batch_rows: int) -> Iterator[Sheet]:
    """A sheet read whole, cut into batches; the lines it could not split stay with their rows."""
    n = sheet.rows
    data, sheet.data = sheet.data, None
    first_broken = n - len(sheet.broken)
    for start in range(0, max(n, 1), batch_rows):
        stop = min(start + batch_rows, n)
        broken = sheet.broken[max(start, first_broken) - first_broken:
                              max(stop, first_broken) - first_broken]
        later = {"notes": (), "unknown": (), "repeated": ()} if start else {}
        yield dataclasses.replace(sheet, data=data.slice(start, stop - start),
                                  broken=tuple(broken), **later)


# --- problems across batches ------------------------------------------------------------------


class ProblemMerger:
    """Problems from a table's batches, merged and ordered as the whole-table validation orders them."""

    def __init__(self, table: Table, max_examples: int) -> None:
        self.table = table
        self.max_examples = max_examples
        self.merged: dict[tuple, tuple[tuple, Problem]] = {}
        self._column = {c.header: i for i, c in enumerate(table.columns)}

    def add(self, problems: list[Problem], sheet_number: int) -> None:
        for p in problems:
            key = (p.file, p.sheet, p.column, p.kind, p.severity, p.detail)
            if key in self.merged:
                problem = self.merged[key][1]
                problem.count += p.count
                room = self.max_examples - len(problem.examples)
                problem.examples += p.examples[:max(room, 0)]
            else:
                self.merged[key] = (self._rank(p, sheet_number, len(self.merged)), p)

    def _rank(self, p: Problem, sheet_number: int, arrival: int) -> tuple:
        """Ragged lines, then each sheet's layout, then column by column, period, duplicates."""
        if p.kind == "ragged_row":
            return (0, sheet_number, arrival)
        if p.kind == "out_of_period":
            return (3, sheet_number, arrival)
        if p.kind == "duplicate_key":
            return (4, sheet_number, arrival)
        if p.column is None or p.count == 0:
            return (1, sheet_number, arrival)
        return (2, self._column.get(p.column, -1), _CHECKS.get(p.kind, 1), sheet_number, arrival)

    def problems(self) -> list[Problem]:
        return [p for _, p in sorted(self.merged.values(), key=lambda rp: rp[0])]


_CHECKS = {"empty": 0, "not_finite": 2, "out_of_range": 3, "implausible_date": 4}
"""Within a column: empty first, then the conversion's own kind (1), then the range checks."""


# --- the streaming quarter ------------------------------------------------------------------


@dataclass
class Streamed:
    aggregates: rd.Aggregates
    report: LoadReport
    coverage: dict[str, list[str]]


@dataclass
class _BigTable:
    """What a streamed table leaves behind: its report and counts."""

    report: TableReport
    rejects: int


class _Rejects:
    """A table's rejected rows appended to ``<table>_rejects.csv`` as batches come."""

    def __init__(self, directory: Path | None, name: str) -> None:
        self.path = directory / f"{name}{REJECTS_SUFFIX}" if directory is not None else None
        self.written = False
        if self.path is not None:
            self.path.unlink(missing_ok=True)

    def add(self, frame: pd.DataFrame) -> None:
        if self.path is None or frame.empty:
            return
        frame.to_csv(self.path, index=False, mode="a" if self.written else "w",
                     header=not self.written, encoding="utf-8" if self.written else "utf-8-sig")
        self.written = True


def _stream_table(folder: Path, table: Table, quarter: Quarter, config: Config,
                  batch_rows: int, rejects_dir: Path | None,
                  consume: Callable[[pd.DataFrame], None]) -> TableReport:
    """Validate a big table batch by batch, hand each batch's accepted rows to ``consume``."""
    errors: list[tuple[str, str]] = []
    seen = HashRuns()
    merger = ProblemMerger(table, config.input.max_examples_per_problem)
    rejects = _Rejects(rejects_dir, table.name)
    files: list = []
    read = accepted = rejected = 0
    last: tuple[Path, str | None] | None = None
    for number, sheet in progress(sheet_batches(folder, table, batch_rows, errors),
                                  desc=f"{table.title} {table.name}", unit="batch"):
        raw = stack(table, [sheet])
        result = validate_table(raw, quarter, config, config.registry,
                                earlier=seen.seen_before, prune=False)
        merger.add(result.problems, number)
        rejects.add(result.rejected)
        part = _table_report(raw, result)
        if last == (sheet.path, sheet.sheet):
            files[-1].rows += part.files[0].rows
        else:
            files += part.files
        last = (sheet.path, sheet.sheet)
        read, accepted, rejected = (read + part.read, accepted + part.accepted,
                                    rejected + part.rejected)
        consume(_drop_personal(result.accepted, table))
        del raw, result
    if not files:  # no sheet at all: the whole-table path's empty frame, for its problems
        raw = stack(table, [], errors)
        result = validate_table(raw, quarter, config, config.registry)
        merger.add(result.problems, 0)
    # File-level problems look only at which files were read and which failed: no rows needed.
    read_files = RawTable(table, list(files), errors, pd.DataFrame(), [])
    problems = _file_problems(read_files, folder) + merger.problems()
    return TableReport(table.name, files, read, accepted, rejected, problems)


def stream_quarter(
    folder: str | Path,
    quarter: Quarter | str,
    config: Config | str | Path | None = None,
    *,
    mode: Mode | None = None,
    rejects_dir: str | Path | None = None,
    next_evaluations: pd.DataFrame | None = None,
    until: date | datetime | None = None,
    batch_rows: int = BATCH_ROWS,
) -> Streamed:
    """``load_quarter`` + ``reduce_quarter`` in bounded memory: the same report and aggregates."""
    folder, q, config, mode = loader_arguments(folder, quarter, config, mode)
    rejects_path = Path(rejects_dir) if rejects_dir is not None else None
    if rejects_path is not None:
        rejects_path.mkdir(parents=True, exist_ok=True)

    # The small tables, whole, as the in-memory loader reads them.
    small_results: dict[str, Validated] = {}
    reports: dict[str, TableReport] = {}
    for name, table in TABLES.items():
        if name in BIG:
            continue
        raw = read_table(folder, table)
        result = validate_table(raw, q, config, config.registry)
        result.problems[:0] = _file_problems(raw, folder)
        small_results[name] = result
        reports[name] = _table_report(raw, result)
    ledger = _drop_personal(small_results["bad_reviews"].accepted, TABLES["bad_reviews"])

    until_end = rd._end_of(until)
    nxt = rd._lookahead(next_evaluations, q, until_end)
    data_end = rd._data_end(q, nxt, until_end, next_evaluations is not None)
    grace = np.timedelta64(config.mechanism.missing_eval_grace_days, "D")
    days: dict[str, set[str]] = {"evaluations": set(), "cases": set()}

    # Cases first: each accepted case's id hash, group, and whether it is checked / a hall case.
    case_groups = Groups(rd.CASE_DIMS)
    case_parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def consume_cases(cases: pd.DataFrame) -> None:
        hall = rd._hall_flags(cases, config)
        completed = rd._datetimes(cases.get("completed_at"), len(cases))
        days["cases"].update(_days(completed))
        checked = completed <= np.datetime64(data_end, "us") - grace
        ids = case_groups.add({
            "unit": rd._encode(cases.get("unit")),
            "region_code": rd._encode(cases.get("region_code")),
            "item_code": rd._encode(cases.get("item_code")),
            "handling_channel": rd._encode(cases.get("handling_channel")),
            "hall": rd._bool_codes(hall),
            "month": rd._month_codes(completed),
        }, len(cases))
        hashes = key_hashes(cases[["case_id"]]) if len(cases) else np.zeros(0, np.uint64)
        case_parts.append((hashes, ids.astype(np.int32), checked, hall))

    reports["cases"] = _stream_table(folder, TABLES["cases"], q, config, batch_rows,
                                     rejects_path, consume_cases)
    case_hash = np.concatenate([p[0] for p in case_parts]) if case_parts else np.zeros(0, np.uint64)
    order = np.argsort(case_hash, kind="stable")
    case_hash = case_hash[order]
    case_group = _joined([p[1] for p in case_parts], np.int32)[order]
    case_checked = _joined([p[2] for p in case_parts], bool)[order]
    case_hall = _joined([p[3] for p in case_parts], bool)[order]
    case_parts.clear()
    del order
    evaluated = np.zeros(len(case_hash), dtype=bool)

    def case_index(ids: pd.Series) -> np.ndarray:
        if not len(case_hash) or not len(ids):
            return np.full(len(ids), -1, dtype=np.int64)
        hashes = key_hashes(ids.to_frame())
        order = np.argsort(hashes)
        at = np.minimum(np.searchsorted(case_hash, hashes[order]), len(case_hash) - 1)
        found = np.empty(len(hashes), dtype=np.int64)
        found[order] = at
        return np.where((case_hash[found] == hashes) & ids.notna().to_numpy(), found, -1)

    # Evaluations: counted per group; they mark their cases evaluated.
    eval_groups = Groups(rd.EVAL_DIMS)
    bad_levels = [LEVELS.index(level) for level in config.bad_reviews.levels]
    ledger_matched = np.zeros(len(ledger), dtype=bool)
    counts = {"evaluations": 0, "without_case": 0, "without_push": 0}
    bad_parts: list[pd.DataFrame] = []
    template: list[pd.DataFrame] = []
    limit = np.timedelta64(int(config.mechanism.push_limit_hours * 3600 * 1e6), "us")

    def consume_evaluations(ev: pd.DataFrame) -> None:
        raw_codes = rd._level_codes(ev.get("level", pd.Series(dtype=object)))
        level_codes = raw_codes.copy()
        ledger_pos = rd._index_in(ev.get("eval_id"), ledger.get("eval_id"))
        ledger_matched[ledger_pos[ledger_pos >= 0]] = True
        if config.satisfaction.use_corrected_levels and "corrected_level" in ledger and len(ledger):
            corrected = rd._level_codes(ledger["corrected_level"])
            hit = np.flatnonzero(ledger_pos >= 0)
            new = corrected[ledger_pos[hit]]
            keep = new >= 0
            level_codes[hit[keep]] = new[keep]
        pos = case_index(ev["case_id"]) if "case_id" in ev else np.full(len(ev), -1)
        evaluated[pos[pos >= 0]] = True
        hall = np.where(pos >= 0, case_hall[np.maximum(pos, 0)], False) if len(case_hall) \
            else np.zeros(len(ev), dtype=bool)
        evaluated_at = rd._datetimes(ev.get("evaluated_at"), len(ev))
        pushed_at = rd._datetimes(ev.get("pushed_at"), len(ev))
        days["evaluations"].update(_days(evaluated_at))
        late = (pushed_at - evaluated_at) > limit
        eval_groups.add({
            "unit": rd._encode(ev.get("unit")),
            "region_code": rd._encode(ev.get("region_code")),
            "item_code": rd._encode(ev.get("item_code")),
            "channel": rd._encode(ev.get("channel")),
            "level": (level_codes.astype(np.int64) + 1, np.array([None, *LEVELS], dtype=object)),
            "mode": rd._encode(ev.get("mode")),
            "month": rd._month_codes(evaluated_at),
            "hall": rd._bool_codes(hall),
            "late": rd._bool_codes(late),
        }, len(ev))
        counts["evaluations"] += len(ev)
        counts["without_case"] += int((pos < 0).sum())
        counts["without_push"] += int(np.isnat(pushed_at).sum())
        bad_mask = np.isin(raw_codes, bad_levels)
        if not bad_parts:  # the first batch's columns, for the empty extract's dtypes
            template.append(ev.iloc[:0])
        if bad_mask.any():
            bad_parts.append(rd._bad_extract(ev, bad_mask, ledger, ledger_pos))

    reports["evaluations"] = _stream_table(folder, TABLES["evaluations"], q, config,
                                           batch_rows, rejects_path, consume_evaluations)
    if "case_id" in nxt and len(nxt):
        pos = case_index(pd.Series(nxt["case_id"]).astype(object))
        evaluated[pos[pos >= 0]] = True

    # The ledger's ids that name no accepted evaluation (the loader's cross-table warning).
    missing_ids = ~ledger_matched
    if len(ledger):
        ids = ledger["eval_id"]
        known = pd.DataFrame({"eval_id": ids.where(~missing_ids)}).dropna()
        reports["bad_reviews"].problems += unknown_eval_ids(ledger, known,
                                                            config.input.max_examples_per_problem)

    table_reports = {name: reports[name] for name in TABLES}
    strays = [Problem("", name, None, None, "unmatched_file", "warning", 0, [], why)
              for name, why in unmatched_files(folder, list(TABLES.values()))]
    report = LoadReport(str(q), str(folder), mode, table_reports, strays)
    if rejects_path is not None:
        write_rejects(small_results, rejects_path)
    fatal = any(p.kind in UNUSABLE for p in report.problems)
    if (mode == "strict" and not report.ok) or fatal:
        raise InputValidationError(report)

    per_case = np.zeros(len(case_groups.counts), dtype=np.int64)
    without = np.zeros(len(case_groups.counts), dtype=np.int64)
    if len(case_group):
        per_case = np.bincount(case_group, weights=case_checked, minlength=len(per_case))
        without = np.bincount(case_group, weights=case_checked & ~evaluated,
                              minlength=len(without))
    case_agg = case_groups.frame("cases",
                                 {"checked": per_case, "without_evaluation": without})
    eval_agg = eval_groups.frame()
    bad = _bad_rows(bad_parts, template[0] if template else pd.DataFrame(), ledger)
    meta = {
        "evaluations": counts["evaluations"],
        "cases": int(len(case_hash)),
        "ledger": len(ledger),
        "ledger_without_evaluation": int(len(ledger) - ledger_matched.sum()),
        "evaluations_without_case": counts["without_case"],
        "evaluations_without_push_time": counts["without_push"],
        "next_evaluations_read": len(nxt),
        "lookahead_until": until_end.isoformat() if until_end else None,
        "evaluation_data_end": data_end.isoformat(),
    }
    small = {name: rd.normalise_small(name, _drop_personal(small_results[name].accepted,
                                                           TABLES[name]))
             for name in rd.SMALL_TABLES if name in small_results}
    aggregates = rd.Aggregates(str(q), eval_agg, case_agg, bad, rd._post_bad(nxt, config),
                               small, meta)
    coverage = {name: sorted(found) for name, found in days.items()}
    return Streamed(aggregates, report, coverage)


def _joined(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)


def _days(moments: np.ndarray) -> set[str]:
    valid = moments[~np.isnat(moments)]
    return {str(d) for d in np.unique(valid.astype("datetime64[D]"))}


def _bad_rows(parts: list[pd.DataFrame], empty: pd.DataFrame,
              ledger: pd.DataFrame) -> pd.DataFrame:
    if not parts:
        return rd._bad_extract(empty, np.zeros(0, dtype=bool), ledger,
                               np.zeros(0, dtype=np.int64))
    # Text columns re-typed on the whole: a batch's all-text column is "str", a mixed one object.
    return rd._stringify(pd.concat(parts, ignore_index=True)).sort_values(
        ["evaluated_at", "eval_id"], kind="stable", ignore_index=True)
