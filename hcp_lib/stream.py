"""Load, validate and reduce a quarter in bounded batches: memory follows groups, not rows.

The two big tables (evaluations, cases) are read a batch at a time (Parquet row groups through
Arrow's batch reader, CSV blocks through Arrow's streaming CSV reader; a workbook sheet, one at
a time, is read whole and then cut into batches), each
batch is validated by the very ``validate_table`` the in-memory loader uses and reduced at once
into running group counts. What must outlive a batch is kept compact:

- keys already seen (duplicate ids across files and batches): 64-bit hashes in sorted runs,
  behind a filter of their top bits, asked on the validating thread in batch order;
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

import math
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from . import early, heap
from . import reduce as rd
from .batches import sheet_batches
from .config import Config
from .contract import LEVELS, TABLES, Table
from .csvwrite import write_csv
from .hashing import CHUNK, Hashed, hash_order, key_hashes, range_cuts, search_sorted
from .load import (
    REJECTS_SUFFIX,
    LoadReport,
    Mode,
    TableReport,
    _drop_personal,
    _file_problems,
    _table_report,
    loader_arguments,
    settle,
    unknown_eval_ids,
)
from .prefetch import ReadAhead
from .problems import Problem
from .progress import progress
from .quarters import Quarter
from .readers import (
    RawTable,
    Sheet,
    read_table,
    stack,
)
from .validate import Validated, key_as_read, validate_table

BATCH_ROWS = 500_000
BIG = ("evaluations", "cases")


# --- compact cross-batch structures ---------------------------------------------------------


MAX_RUN = 1 << 24
"""Runs stop merging at about 16.7M hashes (128 MB): merging two big runs would need both and
their merge at once (2.4 GB at 100M ids), while a search in a few more runs costs little."""


FILTER_FROM = 1 << 22
"""A set of this many hashes gets its filter (``HashRuns``): below, the searches cost less than
marking every hash held and each batch's (from 1M, the demo quarter's two tables paid 0.05-0.18 s
for filters that saved nothing; from 4M, 0.9 of the duplicate check's time up to 20M hashes
against 1M's: *The cycle collector at start-up, the filter from four million, a merged case
index* in docs/scale.md)."""
FILTER_BITS = 28
"""The filter's size: 2**28 bits (32 MB), about one in thirteen bits set at 20M hashes."""


class HashRuns:
    """A set of 64-bit hashes as sorted runs, merged as they grow (a log-structured set).

    From ``FILTER_FROM`` hashes on, a bit per value of the hashes' top ``FILTER_BITS`` bits
    says which values some held hash has: almost every key asked is new, and a clear bit
    answers it without a binary search in every run (at 20M hashes the searches were most of
    the duplicate check). Keeping the bits up costs a few passes over each batch
    (``np.bitwise_or.at``: about 6 ms for 500,000 hashes)."""

    def __init__(self) -> None:
        self.runs: list[np.ndarray] = []
        self._cuts: list[list[int] | None] = []  # each run's ``range_cuts``
        self._bits: np.ndarray | None = None

    def contains(self, hashes: np.ndarray) -> np.ndarray:
        order = hash_order(hashes)
        out = np.empty(len(hashes), dtype=bool)
        out[order] = self.contains_sorted(hashes[order])
        return out

    def contains_sorted(self, needles: np.ndarray) -> np.ndarray:
        """For sorted needles (binary searches stay in cache), whether each is held."""
        return self._contains_sorted(needles, self.runs, self._cuts)

    def _searched(self, needles: np.ndarray, runs: list[np.ndarray],
                  cuts_of: list[list[int] | None]) -> np.ndarray:
        found = np.zeros(len(needles), dtype=bool)
        if not len(needles):
            return found
        for run, cuts in zip(runs, cuts_of, strict=True):
            at = np.minimum(search_sorted(run, needles, cuts), len(run) - 1)
            found |= run[at] == needles
        return found

    def _maybe(self, needles: np.ndarray) -> np.ndarray:
        """Whether each hash's filter bit is set: False means not held."""
        top = (needles >> np.uint64(64 - FILTER_BITS)).astype(np.uint32)
        return (self._bits[top >> 3] >> (top & 7).astype(np.uint8)) & 1 > 0

    def _mark(self, hashes: np.ndarray) -> None:
        """Set the filter bits of these hashes."""
        top = (hashes >> np.uint64(64 - FILTER_BITS)).astype(np.uint32)
        np.bitwise_or.at(self._bits, top >> 3,
                         np.left_shift(1, (top & 7).astype(np.uint8), dtype=np.uint8))

    def add(self, hashes: np.ndarray, *, is_sorted: bool = False) -> None:
        if len(hashes):
            self.add_sorted(hashes if is_sorted else np.sort(hashes))

    def add_sorted(self, needles: np.ndarray) -> np.ndarray:
        """Add sorted hashes; returns whether each was held before (``contains_sorted``).

        The runs that the new one merges with are not searched: their merge is sorted, so a
        held value sits beside its equal there, and one comparison of neighbours finds the
        few values that repeat (at the demo quarter's size every run merges, and the check
        costs half the searches). Only the runs left apart are searched (behind the filter).
        """
        found = np.zeros(len(needles), dtype=bool)
        if not len(needles):
            return found
        size, apart = len(needles), len(self.runs)
        while apart and len(self.runs[apart - 1]) <= 2 * size \
                and len(self.runs[apart - 1]) + size <= MAX_RUN:
            size += len(self.runs[apart - 1])
            apart -= 1
        if apart:
            found = self._contains_sorted(needles, self.runs[:apart], self._cuts[:apart])
        if self._bits is not None:
            self._mark(needles)
        elif sum(map(len, self.runs)) + len(needles) >= FILTER_FROM:
            self._bits = np.zeros(1 << (FILTER_BITS - 3), dtype=np.uint8)
            for held in [*self.runs, needles]:
                self._mark(held)
        merging = self.runs[apart:]
        del self.runs[apart:], self._cuts[apart:]  # each run freed once it is merged
        run = needles
        merged = bool(merging)
        while merging:
            # Two sorted runs: a stable sort of the pair is a linear merge. In place: the pair
            # plus their merge is the peak (twice the run), not three and a half times.
            run = np.concatenate([merging.pop(), run])
            run.sort(kind="stable")
        if merged:
            _mark_repeats(found, needles, run)
        self.runs.append(run)
        self._cuts.append(range_cuts(run))
        return found

    def _contains_sorted(self, needles: np.ndarray, runs: list[np.ndarray],
                         cuts: list[list[int] | None]) -> np.ndarray:
        if self._bits is None:
            return self._searched(needles, runs, cuts)
        maybe = np.flatnonzero(self._maybe(needles))
        found = np.zeros(len(needles), dtype=bool)
        found[maybe] = self._searched(needles[maybe], runs, cuts)
        return found

    def seen_before(self, keys: pd.DataFrame, hashed: Hashed | None = None) -> np.ndarray:
        """Rows whose key an earlier call held; then remember these (``validate_table``'s hook)."""
        hashed = hashed if hashed is not None else Hashed.of(keys)
        found = np.empty(len(hashed.hashes), dtype=bool)
        found[hashed.order] = self.add_sorted(hashed.sorted)
        return found


def _mark_repeats(found: np.ndarray, needles: np.ndarray, merged: np.ndarray) -> None:
    """Mark the sorted needles that were held before they were merged in: a value held and
    asked sits beside its equal in the merge, and it is held more often than it is asked."""
    same = np.flatnonzero(merged[1:] == merged[:-1])
    if not len(same):
        return
    repeated = np.unique(merged[same])  # repeats within the needles show up here too
    starts = np.searchsorted(needles, repeated, side="left")
    ends = np.searchsorted(needles, repeated, side="right")
    held = np.searchsorted(merged, repeated, side="right") \
        - np.searchsorted(merged, repeated, side="left")
    for a, b in zip(starts[held > ends - starts].tolist(), ends[held > ends - starts].tolist(),
                    strict=True):
        found[a:b] = True


class Groups:
    """Running group counts: each distinct tuple of labels gets an id; counts add up by id.

    Groups are matched on integer codes only: each dimension's labels get a code once (a dict
    over a batch's few categories), a group is its codes packed into one 64-bit number, and a
    batch's distinct groups are found among the known ones by binary search. No per-group
    Python work per batch, however many groups there are.
    """

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        self.counts = np.zeros(0, dtype=np.int64)
        self.order: dict[str, dict[Any, None]] = {n: {} for n in names}
        """Each dimension's labels in order of first appearance (batch categories included)."""
        self.labels: list[list[Any]] = [[] for _ in names]
        """Each dimension's labels by code (the order groups first used them)."""
        self._code: list[dict[Any, int]] = [{} for _ in names]
        self.codes = np.zeros((0, len(names)), dtype=np.int64)
        """Per group (by id), its labels' codes."""
        self._width = [1] * len(names)  # bits per dimension in the packed number
        self._packed = np.zeros(0, dtype=np.int64)  # the groups' packed numbers, sorted
        self._packed_ids = np.zeros(0, dtype=np.int64)  # and their ids
        self._tuples: dict[tuple, int] | None = None  # when the codes outgrow 63 bits

    @property
    def ids(self) -> dict[tuple, int]:
        """The groups as {labels: id}, in id order."""
        columns = [self._labels_of(d, slice(None)) for d in range(len(self.names))]
        return {labels: i for i, labels in enumerate(zip(*columns, strict=True))}

    def _labels_of(self, d: int, groups: np.ndarray | slice) -> np.ndarray:
        """Dimension ``d``'s label of each of these groups (by id)."""
        labels = np.empty(len(self.labels[d]), dtype=object)
        labels[:] = self.labels[d]
        return labels[self.codes[groups, d]]

    def add(self, columns: Mapping[str, rd.Codes], n: int) -> np.ndarray:
        """Count a batch's rows; returns each row's group id."""
        for name, (_, labels) in columns.items():
            self.order[name].update(dict.fromkeys(x for x in labels[1:]))
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        key, renumbered = self._key(columns, n)
        inverse, uniques = pd.factorize(key, sort=False)
        group_codes = self._group_codes(columns, inverse, np.asarray(uniques), renumbered)
        local_codes = []
        for d, name in enumerate(self.names):
            _, labels = columns[name]
            lut = np.array([self._code_of(d, label) for label in labels], dtype=np.int64)
            local_codes.append(lut[group_codes[d]])
        local = self._ids_of(np.stack(local_codes, axis=1) if local_codes
                             else np.zeros((len(uniques), 0), dtype=np.int64))
        self._grow()
        rows = local[inverse]
        self.counts += np.bincount(rows, minlength=len(self.counts))
        return rows

    def _key(self, columns: Mapping[str, rd.Codes], n: int) -> tuple[np.ndarray, bool]:
        """Each row's codes written in mixed radix (one digit a dimension) as one int64, and
        whether it had to be renumbered on the way (past 62 bits; never in practice).

        Built ``hashing.CHUNK`` rows at a time: the key's two passes a dimension then stay in
        the core's cache instead of going through memory for each."""
        radices = [len(columns[name][1]) for name in self.names]
        if math.prod(radices) < 1 << 62:
            key = np.zeros(n, dtype=np.int64)
            for at in range(0, n, CHUNK):
                part = key[at:at + CHUNK]
                for name, radix in zip(self.names, radices, strict=True):
                    part *= radix
                    part += columns[name][0][at:at + CHUNK]
            return key, False
        key = np.zeros(n, dtype=np.int64)
        span, renumbered = 1, False
        for name in self.names:
            codes, labels = columns[name]
            if span * len(labels) >= 1 << 62:  # renumber densely before the key could overflow
                key, seen = pd.factorize(key, sort=False)
                span, renumbered = len(seen), True
            key *= len(labels)  # in place: no temporaries of the batch's length
            key += codes
            span *= len(labels)
        return key, renumbered

    def _group_codes(self, columns: Mapping[str, rd.Codes], inverse: np.ndarray,
                     uniques: np.ndarray, renumbered: bool) -> list[np.ndarray]:
        """Each distinct group's code in every dimension, in order of first appearance.

        The key is the codes written in mixed radix (one digit a dimension), so they are read
        back from the few distinct keys. Where the key was renumbered on the way (more than 62
        bits), they come from each group's first row instead: ids come in order of first
        appearance, so a row starts a group where the running maximum of the ids goes up."""
        if renumbered:
            first = np.flatnonzero(np.diff(np.maximum.accumulate(inverse), prepend=-1) > 0)
            return [columns[name][0][first] for name in self.names]
        rest = uniques.astype(np.int64)
        digits = []
        for name in reversed(self.names):
            rest, digit = np.divmod(rest, len(columns[name][1]))
            digits.append(digit)
        return digits[::-1]

    def merge(self, part: Groups) -> np.ndarray:
        """Fold another partition's groups in; returns its group numbers in these."""
        for name in self.names:
            self.order[name].update(part.order[name])
        luts = [np.array([self._code_of(d, label) for label in labels], dtype=np.int64)
                for d, labels in enumerate(part.labels)]
        codes = np.stack([lut[part.codes[:, d]] for d, lut in enumerate(luts)], axis=1) \
            if luts else np.zeros((len(part.codes), 0), dtype=np.int64)
        remap = self._ids_of(codes)
        self._grow()
        self.counts[remap] += part.counts[:len(remap)]
        return remap

    def _grow(self) -> None:
        if len(self.codes) > len(self.counts):
            self.counts = np.concatenate([self.counts, np.zeros(len(self.codes) - len(self.counts),
                                                                dtype=np.int64)])

    def _code_of(self, d: int, label: Any) -> int:
        code = self._code[d].get(label)
        if code is None:
            code = self._code[d][label] = len(self.labels[d])
            self.labels[d].append(label)
        return code

    def _pack(self, codes: np.ndarray) -> np.ndarray:
        packed = np.zeros(len(codes), dtype=np.int64)
        for d, width in enumerate(self._width):
            packed <<= width
            packed |= codes[:, d]
        return packed

    def _ids_of(self, codes: np.ndarray) -> np.ndarray:
        """The ids of groups given by their codes (distinct rows), new ones numbered in order."""
        widths = [max(w, len(labels).bit_length())
                  for w, labels in zip(self._width, self.labels, strict=True)]
        if self._tuples is None and sum(widths) > 62:
            self._tuples = {tuple(row): i for i, row in enumerate(self.codes.tolist())}
        if self._tuples is not None:  # beyond 63 bits (never in practice): a dict of code tuples
            ids = np.empty(len(codes), dtype=np.int64)
            for i, row in enumerate(codes.tolist()):
                ids[i] = self._tuples.setdefault(tuple(row), len(self._tuples))
            self._append(codes, ids)
            return ids
        if widths != self._width:  # a dimension outgrew its bits: pack the known groups again
            self._width = widths
            packed = self._pack(self.codes)
            order = np.argsort(packed, kind="stable")
            self._packed, self._packed_ids = packed[order], order.astype(np.int64)
        packed = self._pack(codes)
        at = np.minimum(np.searchsorted(self._packed, packed), max(len(self._packed) - 1, 0))
        found = (self._packed[at] == packed) if len(self._packed) else \
            np.zeros(len(packed), dtype=bool)
        ids = np.where(found, self._packed_ids[at] if len(self._packed) else 0, -1)
        new = np.flatnonzero(~found)
        if len(new):
            ids[new] = np.arange(len(self.codes), len(self.codes) + len(new))
            self._append(codes[new], ids[new])
            everything = np.concatenate([self._packed, packed[new]])
            order = np.argsort(everything, kind="stable")
            self._packed = everything[order]
            self._packed_ids = np.concatenate([self._packed_ids, ids[new]])[order]
        return ids

    def _append(self, codes: np.ndarray, ids: np.ndarray) -> None:
        fresh = ids >= len(self.codes)
        if fresh.any():
            self.codes = np.concatenate([self.codes, codes[fresh]])

    def frame(self, count_name: str = "count",
              sums: Mapping[str, np.ndarray] | None = None) -> pd.DataFrame:
        """The groups as ``_group_count`` lays them out: categories and row order alike."""
        used = self.counts > 0
        positions = np.flatnonzero(used)
        out: dict[str, Any] = {}
        sort_codes = []
        for d, name in enumerate(self.names):
            values = self._labels_of(d, positions)
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
class LookAhead:
    """A quarter read as the look-ahead of the one before it: its report, and the accepted
    evaluations ``keep`` picked (its first weeks)."""

    report: LoadReport
    kept: pd.DataFrame


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
        write_csv(frame, self.path, append=self.written)
        self.written = True


Checked = tuple[list[Problem], pd.DataFrame, TableReport, pd.DataFrame, np.ndarray | None]
"""A batch's problems, rejected rows, report part, accepted rows and their key hashes."""


def check_batch(batch: Sheet | RawTable, table: Table, quarter: Quarter, config: Config,
                earlier: Callable[[pd.DataFrame, Hashed | None], np.ndarray],
                hashed: Hashed | None = None) -> Checked:
    """One batch (a sheet's batch, or already stacked) validated: its problems, rejected rows,
    report part, accepted rows (the personal columns dropped) and their key hashes.
    ``hashed``: the batch's key hashes, when worked out ahead (see ``Ahead``)."""
    raw = batch if isinstance(batch, RawTable) else stack(table, [batch])
    result = validate_table(raw, quarter, config, config.registry, earlier=earlier, prune=False,
                            hashed=hashed)
    return _checked(raw, table, result)


def _checked(raw: RawTable, table: Table, result: Validated) -> Checked:
    part = _table_report(raw, result)
    return (result.problems, result.rejected, part, _drop_personal(result.accepted, table),
            result.key_hashes)


@dataclass
class Ahead:
    """A batch with what the read-ahead thread works out beside reading it.

    All numpy over Arrow's buffers, which runs without Python's lock: hashing and ordering the
    key. (Asking the earlier batches' keys is the validating thread's: the batches must ask in
    order; see *The duplicate check on the validating thread* in docs/scale.md.) The rows'
    case ids are hashed and ordered (``hash_cases``), and once the cases are indexed found
    (``find_cases``, a binary search), by whichever thread has room: the reading thread while
    the validating one is busy, the validating thread when it would otherwise wait for the
    reader. The results are the ones validation would compute itself: the key's columns are
    hashed as read only where validation keeps them as read (``key_as_read``), and the lookups
    run on every row, the accepted ones picked afterwards.
    """

    number: int
    raw: RawTable
    hashed: Hashed | None = None
    case_ids: CaseIds | None = None
    case_positions: np.ndarray | None = None

    @classmethod
    def of(cls, number: int, raw: RawTable) -> Ahead:
        table, frame = raw.table, raw.frame
        ahead = cls(number, raw)
        if key_as_read(table) and all(k in frame.columns for k in table.key):
            ahead.hashed = Hashed.of(frame[list(table.key)])
        return ahead

    def sort_keys(self) -> Ahead:
        """The key hashes gathered in order here, not on the validating thread (the duplicate
        check asks for them)."""
        if self.hashed is not None:
            self.hashed.sorted  # noqa: B018 (a cached property, filled here)
        return self

    def hash_cases(self) -> Ahead:
        """The rows' case ids hashed and ordered, for ``find_cases``."""
        frame = self.raw.frame
        if self.case_ids is None and self.case_positions is None and "case_id" in frame.columns:
            self.case_ids = CaseIds.of(frame["case_id"])
        return self

    def find_cases(self, cases: CaseLookup | None) -> Ahead:
        """Each row's case among the accepted cases, once they are indexed."""
        if cases is not None and self.case_positions is None \
                and self.hash_cases().case_ids is not None:
            self.case_positions = cases.positions(self.case_ids)
            self.case_ids = None
        return self


class TableTally:
    """A big table's report and rejects file, added up batch by batch in file order."""

    def __init__(self, table: Table, config: Config, rejects_dir: Path | None) -> None:
        self.table = table
        self.merger = ProblemMerger(table, config.input.max_examples_per_problem)
        self.rejects = _Rejects(rejects_dir, table.name)
        self.files: list = []
        self.read = self.accepted = self.rejected = 0
        self._last: tuple[str, str | None] | None = None

    def add(self, number: int, problems: list[Problem], rejected: pd.DataFrame,
            part: TableReport) -> None:
        self.merger.add(problems, number)
        self.rejects.add(rejected)
        where = (part.files[0].path, part.files[0].sheet)
        if self._last == where:
            self.files[-1].rows += part.files[0].rows
        else:
            self.files += part.files
        self._last = where
        self.read += part.read
        self.accepted += part.accepted
        self.rejected += part.rejected

    def report(self, folder: Path, quarter: Quarter, config: Config,
               errors: list[tuple[str, str]]) -> TableReport:
        table = self.table
        if not self.files:  # no sheet at all: the whole-table path's empty frame, for its problems
            raw = stack(table, [], errors)
            result = validate_table(raw, quarter, config, config.registry)
            self.merger.add(result.problems, 0)
        # File-level problems look only at which files were read and which failed: no rows needed.
        read_files = RawTable(table, list(self.files), errors, pd.DataFrame(), [])
        problems = _file_problems(read_files, folder) + self.merger.problems()
        return TableReport(table.name, self.files, self.read, self.accepted, self.rejected,
                           problems)


class TableReader:
    """A big table's batches, read, stacked and hashed ahead (``Ahead``) on a thread of its
    own that starts at once: the evaluations are read while the cases are validated.

    ``cases``: the rows' case ids are hashed (and found, once ``lookup`` is set) here too,
    when this thread has room (the evaluations; see ``Ahead``). At most ``waiting``
    batches are read ahead of the one being validated (``waiting - 1`` handed over, one in
    hand): the evaluations' reader fills them while the cases are validated (the cases' phase
    leaves it no room otherwise, and then the validating thread waits on it), and keeps them
    filled after, so memory stays bounded."""

    def __init__(self, folder: Path, table: Table, batch_rows: int, cases: bool = False,
                 waiting: int = 2) -> None:
        self.table = table
        self.errors: list[tuple[str, str]] = []
        self.cases = cases
        self.lookup: CaseLookup | None = None
        """The cases' index, once built: batches read from then on may find their cases here."""
        self.batches = ReadAhead(self._read(folder, batch_rows), depth=max(waiting - 1, 1),
                                 name=f"hcp-read-{table.name}")

    def _read(self, folder: Path, batch_rows: int) -> Iterator[Ahead]:
        claimed = early.claim(folder, self.table.name, batch_rows)
        if claimed is not None:  # reading began before the library was imported
            batches, self.errors = claimed
        else:
            batches = sheet_batches(folder, self.table, batch_rows, self.errors)
        for number, sheet in batches:
            ahead = Ahead.of(number, stack(self.table, [sheet]))
            if self.has_room():
                ahead.sort_keys()
            if self.cases and self.has_room():
                if self.lookup is not None:
                    ahead.find_cases(self.lookup)
                else:
                    ahead.hash_cases()
            yield ahead

    def has_room(self) -> bool:
        """Whether this thread has time for the cases' work: nobody is waiting for its batch."""
        batches = getattr(self, "batches", None)  # None while the first batch is read
        return batches is None or not batches.starved

    def close(self) -> None:
        self.batches.close()


def _stream_table(reader: TableReader, folder: Path, quarter: Quarter, config: Config,
                  rejects_dir: Path | None, consume: Callable[..., None],
                  cases: CaseLookup | None = None, *, in_order: bool = False) -> TableReport:
    """Validate a big table batch by batch, hand each batch's accepted rows to ``consume``
    (with their key hashes, and for the evaluations, their positions among ``cases``;
    ``in_order``: also the hashes sorted, as ``accepted_in_hash_order`` gives them)."""
    table, seen = reader.table, HashRuns()  # the keys asked so far, in batch order
    tally = TableTally(table, config, rejects_dir)
    for ahead in progress(reader.batches, desc=f"{table.title} {table.name}", unit="batch"):
        raw = ahead.find_cases(cases).raw
        result = validate_table(raw, quarter, config, config.registry,
                                earlier=seen.seen_before, prune=False,
                                hashed=ahead.hashed)
        problems, rejected, part, accepted, hashes = _checked(raw, table, result)
        tally.add(ahead.number, problems, rejected, part)
        if ahead.case_positions is not None and result.accepted_rows is not None:
            consume(accepted, hashes, ahead.case_positions[result.accepted_rows])
        elif in_order and ahead.hashed is not None and result.accepted_rows is not None:
            consume(accepted, hashes,
                    in_order=accepted_in_hash_order(ahead.hashed, result.accepted_rows))
        else:
            consume(accepted, hashes)
        del problems, rejected, part, accepted, raw, result, ahead
        heap.give_back()
    return tally.report(folder, quarter, config, reader.errors)


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
    heap.reuse_pages()
    # Both big tables start reading at once, each on its own thread, while the small tables
    # are read here; the evaluations find their cases once the cases are indexed.
    readers = [TableReader(folder, TABLES["cases"], batch_rows),
               TableReader(folder, TABLES["evaluations"], batch_rows, cases=True, waiting=3)]
    try:
        start = Start.of(folder, q, config, mode, rejects_dir, next_evaluations, until)
        rejects_path = start.rejects_path
        small_results, reports, window = start.small_results, start.reports, start.window

        # Cases first: each accepted case's id hash, group, and whether it is checked / a
        # hall case.
        cases = CaseFold(config, window)
        reports["cases"] = _stream_table(readers[0], folder, q, config, rejects_path, cases,
                                         in_order=True)
        readers[0].close()
        index = CaseIndex.of(cases.store)
        readers[1].lookup = index.lookup

        # Evaluations: counted per group; they mark their cases evaluated.
        evaluations = EvaluationFold(config, ledger_of(small_results), index.lookup)
        reports["evaluations"] = _stream_table(readers[1], folder, q, config, rejects_path,
                                               evaluations, index.lookup)
    finally:
        for reader in readers:
            reader.close()
    return assemble(folder, q, config, mode, rejects_path, small_results, reports, window,
                    cases, index, evaluations)


def stream_lookahead(
    folder: str | Path,
    quarter: Quarter | str,
    keep: Callable[[pd.DataFrame], pd.DataFrame],
    config: Config | str | Path | None = None,
    *,
    mode: Mode | None = None,
    rejects_dir: str | Path | None = None,
    batch_rows: int = BATCH_ROWS,
) -> LookAhead:
    """A quarter read for the one before it: every row validated as ``stream_quarter``
    validates it (the same report and rejects: they are the run's), and of the accepted
    evaluations the rows and columns ``keep`` picks from each batch (its first weeks).

    Nothing is reduced: the cases are not indexed, and the evaluations look up no case and
    are not counted; all of that would be thrown away."""
    folder, q, config, mode = loader_arguments(folder, quarter, config, mode)
    heap.reuse_pages()
    readers = [TableReader(folder, TABLES["cases"], batch_rows),
               TableReader(folder, TABLES["evaluations"], batch_rows)]
    try:
        start = Start.of(folder, q, config, mode, rejects_dir, None, None)
        reports = start.reports
        reports["cases"] = _stream_table(readers[0], folder, q, config, start.rejects_path,
                                         _ignore)
        readers[0].close()
        picked = Picked(ledger_of(start.small_results), keep)
        reports["evaluations"] = _stream_table(readers[1], folder, q, config,
                                               start.rejects_path, picked)
    finally:
        for reader in readers:
            reader.close()
    report = settled(folder, q, config, mode, start.rejects_path, start.small_results, reports,
                     picked.ledger, picked.ledger_matched)
    return LookAhead(report, picked.frame())


def _ignore(*_: object) -> None:
    """A table validated for its report alone."""


class Picked:
    """A look-ahead's accepted evaluations: the rows ``keep`` picks, and the ledger ids they
    name (the report warns of a ledger id no accepted evaluation has)."""

    def __init__(self, ledger: pd.DataFrame, keep: Callable[[pd.DataFrame], pd.DataFrame]
                 ) -> None:
        self.ledger = ledger
        self.ledger_ids = LedgerIds(ledger)
        self.keep = keep
        self.kept: list[pd.DataFrame] = []
        self.ledger_matched = np.zeros(len(ledger), dtype=bool)

    def __call__(self, ev: pd.DataFrame, hashes: np.ndarray | None = None, *_: object) -> None:
        pos = self.ledger_ids.positions(ev, hashes)
        self.ledger_matched[pos[pos >= 0]] = True
        self.kept.append(self.keep(ev))

    def frame(self) -> pd.DataFrame:
        return (stacked_frames(self.kept) if self.kept
                else self.keep(pd.DataFrame(columns=["evaluated_at"])))


def _ledger_positions(ev: pd.DataFrame, ledger: pd.DataFrame) -> np.ndarray:
    """Where each evaluation stands in the ledger (-1: not there)."""
    return rd._index_in(ev.get("eval_id"), ledger.get("eval_id"))


class LedgerIds:
    """The ledger's evaluation ids by hash, so that a batch finds its few ledger rows from the
    key hashes it has already instead of looking its ids' text up (``_ledger_positions``, the
    fold's largest step). A table of 2^20 flags, one per value of a hash's top 20 bits, says
    which rows may be in the ledger (about 1% at 10,000 ledger rows); those alone are looked
    up by their text, so a hash collision changes nothing."""

    BITS = 20

    def __init__(self, ledger: pd.DataFrame) -> None:
        self.ledger = ledger
        ids = ledger.get("eval_id")
        hashes = key_hashes(ids.to_frame()) if ids is not None and len(ids) else \
            np.zeros(0, dtype=np.uint64)
        self.flags = np.zeros(1 << self.BITS, dtype=bool)
        self.flags[self._top(hashes)] = True
        self.by_hash = TABLES["evaluations"].key == ("eval_id",)
        """The evaluations' key is their id alone: their key hashes are their ids' hashes."""

    def positions(self, ev: pd.DataFrame, hashes: np.ndarray | None) -> np.ndarray:
        """``_ledger_positions``; ``hashes``: the rows' key hashes, when known."""
        ids = ev.get("eval_id")
        if not self.by_hash or hashes is None or ids is None or len(hashes) != len(ids):
            return _ledger_positions(ev, self.ledger)
        found = np.full(len(ids), -1, dtype=np.int64)
        maybe = np.flatnonzero(self.flags[self._top(hashes)])
        if len(maybe):
            found[maybe] = rd._index_in(ids.iloc[maybe], self.ledger.get("eval_id"))
        return found

    def _top(self, hashes: np.ndarray) -> np.ndarray:
        return (hashes >> np.uint64(64 - self.BITS)).astype(np.intp)


# --- the pieces of a streamed quarter (shared with the distributed engine) ------------------


@dataclass
class Start:
    """A streamed quarter's arguments checked, its small tables read, its window set."""

    folder: Path
    quarter: Quarter
    config: Config
    mode: Mode
    rejects_path: Path | None
    small_results: dict[str, Validated]
    reports: dict[str, TableReport]
    window: Window

    @classmethod
    def of(cls, folder: str | Path, quarter: Quarter | str, config: Config | str | Path | None,
           mode: Mode | None, rejects_dir: str | Path | None,
           next_evaluations: pd.DataFrame | None, until: date | datetime | None) -> Start:
        folder, q, config, mode = loader_arguments(folder, quarter, config, mode)
        rejects_path = Path(rejects_dir) if rejects_dir is not None else None
        if rejects_path is not None:
            rejects_path.mkdir(parents=True, exist_ok=True)
        small_results, reports = small_tables(folder, q, config)
        return cls(folder, q, config, mode, rejects_path, small_results, reports,
                   Window.of(q, config, next_evaluations, until))


def small_tables(folder: Path, q: Quarter, config: Config
                 ) -> tuple[dict[str, Validated], dict[str, TableReport]]:
    """The small tables, whole, as the in-memory loader reads them; and their reports."""
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
    return small_results, reports


def ledger_of(small_results: Mapping[str, Validated]) -> pd.DataFrame:
    return _drop_personal(small_results["bad_reviews"].accepted, TABLES["bad_reviews"])


@dataclass
class Window:
    """The look-ahead evaluations and the moments the reduction measures against."""

    until_end: date | None
    nxt: pd.DataFrame
    data_end: date
    checked_until: np.datetime64  # cases completed by then count as checked

    @classmethod
    def of(cls, q: Quarter, config: Config, next_evaluations: pd.DataFrame | None,
           until: date | datetime | None) -> Window:
        until_end = rd._end_of(until)
        nxt = rd._lookahead(next_evaluations, q, until_end)
        data_end = rd._data_end(q, nxt, until_end, next_evaluations is not None)
        grace = np.timedelta64(config.mechanism.missing_eval_grace_days, "D")
        return cls(until_end, nxt, data_end, np.datetime64(data_end, "us") - grace)


HALL, CHECKED, GROUP_SHIFT = 1, 2, 2
"""A case's code: its group number shifted left by two, the checked and hall flags below."""


class CaseStore:
    """Accepted cases' id hashes and codes, in sixteen buckets by the hash's top bits.

    Each bucket grows in chunks (doubling up to 4M entries), so the cases of a 100M-row table
    sit in a few hundred large arrays rather than among each batch's temporaries, and the
    sorted index is built a bucket at a time: each bucket's chunks go as the index fills, so
    the peak stays near 12 bytes a case instead of twice that.
    """

    BUCKET_BITS = 4
    FIRST, LARGEST = 1 << 14, 1 << 22
    PARALLEL_FROM = 1 << 20
    """From this many cases on, ``sorted`` sorts two buckets at a time."""

    def __init__(self) -> None:
        n = 1 << self.BUCKET_BITS
        self.hashes: list[list[np.ndarray]] = [[] for _ in range(n)]
        self.codes: list[list[np.ndarray]] = [[] for _ in range(n)]
        self.fill = [0] * n
        self.count = 0

    def __len__(self) -> int:
        return self.count

    def add(self, hashes: np.ndarray, codes: np.ndarray, *, is_sorted: bool = False) -> None:
        """``is_sorted``: the hashes come in order (each bucket's share is then one slice)."""
        if not len(hashes):
            return
        if is_sorted:
            tops = np.arange(1, len(self.fill), dtype=np.uint64) << np.uint64(
                64 - self.BUCKET_BITS)
            ends = [*np.searchsorted(hashes, tops).tolist(), len(hashes)]
        else:
            bucket = (hashes >> np.uint64(64 - self.BUCKET_BITS)).astype(np.uint8)
            order = np.argsort(bucket, kind="stable")
            ends = np.cumsum(np.bincount(bucket, minlength=len(self.fill))).tolist()
            hashes, codes = hashes[order], codes[order]
        codes = codes.astype(np.uint32, copy=False)
        start = 0
        for b, end in enumerate(ends):
            self._put(b, hashes[start:end], codes[start:end])
            start = end
        self.count += len(hashes)

    def _put(self, b: int, hashes: np.ndarray, codes: np.ndarray) -> None:
        chunks = self.hashes[b]
        while len(hashes):
            if not chunks or self.fill[b] == len(chunks[-1]):
                size = min(2 * len(chunks[-1]), self.LARGEST) if chunks else self.FIRST
                chunks.append(np.empty(size, dtype=np.uint64))
                self.codes[b].append(np.empty(size, dtype=np.uint32))
                self.fill[b] = 0
            at = self.fill[b]
            k = min(len(chunks[-1]) - at, len(hashes))
            chunks[-1][at:at + k] = hashes[:k]
            self.codes[b][-1][at:at + k] = codes[:k]
            self.fill[b] = at + k
            hashes, codes = hashes[k:], codes[k:]

    def pieces(self, b: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Bucket ``b``'s (hashes, codes) in the order they came."""
        last = len(self.hashes[b]) - 1
        for i, (h, c) in enumerate(zip(self.hashes[b], self.codes[b], strict=True)):
            end = self.fill[b] if i == last else len(h)
            yield h[:end], c[:end]

    def __getstate__(self) -> dict[str, Any]:
        """A Dask task's cases travel without the chunks' spare room."""
        joined = [(np.concatenate([np.zeros(0, np.uint64), *(h for h, _ in self.pieces(b))]),
                   np.concatenate([np.zeros(0, np.uint32), *(c for _, c in self.pieces(b))]))
                  for b in range(len(self.fill))]
        return {"hashes": [[h] for h, _ in joined], "codes": [[c] for _, c in joined],
                "fill": [len(h) for h, _ in joined], "count": self.count}

    def sorted(self, workers: int = 2) -> tuple[np.ndarray, np.ndarray]:
        """(hashes, codes) sorted by hash; the store is emptied on the way.

        Buckets are sorted ``workers`` at a time (numpy sorts without Python's lock): nothing
        else runs while the index is built, and each bucket fills its own slice of the output.
        The peak is then ``workers`` buckets' temporaries beside the index, not one."""
        sizes = [sum(len(h) for h, _ in self.pieces(b)) for b in range(len(self.fill))]
        starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64).tolist()
        hashes = np.empty(self.count, dtype=np.uint64)  # pages are touched as buckets fill in
        codes = np.empty(self.count, dtype=np.uint32)

        def sort_bucket(b: int) -> None:
            pieces = list(self.pieces(b))
            h = _joined([x for x, _ in pieces], np.uint64)
            c = _joined([y for _, y in pieces], np.uint32)
            del pieces
            self.hashes[b].clear()
            self.codes[b].clear()
            # Stable, by hash; faster than numpy's stable argsort, even though that finds
            # the batches' sorted runs (13 against 34 ms for 1.25M hashes in 40 runs).
            order = hash_order(h)
            at = starts[b]
            np.take(h, order, out=hashes[at:at + len(h)])
            np.take(c, order, out=codes[at:at + len(h)])
            freed = h.nbytes + c.nbytes + order.nbytes
            del h, c, order
            heap.give_back(freed)

        if workers > 1 and self.count >= self.PARALLEL_FROM:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hcp-index") as pool:
                list(pool.map(sort_bucket, range(len(self.fill))))
        else:
            for b in range(len(self.fill)):
                sort_bucket(b)
        self.count = 0
        self.fill = [0] * len(self.fill)
        return hashes, codes


class CaseFold:
    """Accepted cases folded batch by batch: group counts, and per case its id hash and code
    (group number, checked, hall)."""

    def __init__(self, config: Config, window: Window) -> None:
        self.config = config
        self.checked_until = window.checked_until
        self.groups = Groups(rd.CASE_DIMS)
        self.store = CaseStore()
        self.days: set[str] = set()

    def __call__(self, cases: pd.DataFrame, id_hashes: np.ndarray | None = None, *,
                 in_order: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        """``in_order``: the ids' hashes sorted and each one's row (``accepted_in_hash_order``),
        so that each of the store's buckets takes its share as one slice (no sort by bucket)."""
        hall = rd._hall_flags(cases, self.config)
        completed = rd._datetimes(cases.get("completed_at"), len(cases))
        days, months = rd.calendar(completed)
        self.days.update(days)
        checked = completed <= self.checked_until
        ids = self.groups.add({
            "unit": rd._encode(cases.get("unit")),
            "region_code": rd._encode(cases.get("region_code")),
            "item_code": rd._encode(cases.get("item_code")),
            "handling_channel": rd._encode(cases.get("handling_channel")),
            "hall": rd._bool_codes(hall),
            "month": months,
        }, len(cases))
        codes = case_codes(ids, checked, hall)
        if in_order is not None:
            hashes, rows = in_order
            self.store.add(hashes, codes[rows], is_sorted=True)
        else:
            hashes = id_hashes if id_hashes is not None else key_hashes(cases[["case_id"]])
            self.store.add(hashes, codes)


def accepted_in_hash_order(hashed: Hashed, accepted: np.ndarray
                           ) -> tuple[np.ndarray, np.ndarray]:
    """A batch's accepted rows' key hashes in hash order, and each one's row among the accepted
    rows: the batch's own sort (``Hashed``), reused rather than sorted again."""
    if accepted.all():  # the usual batch: its rows are the accepted rows
        return hashed.sorted, hashed.order
    keep = accepted[hashed.order]
    rows = np.cumsum(accepted, dtype=np.int64)
    rows -= 1
    return hashed.sorted[keep], rows[hashed.order[keep]]


def case_codes(groups: np.ndarray, checked: np.ndarray, hall: np.ndarray) -> np.ndarray:
    """Each case's group number and two flags in one 32-bit word."""
    if len(groups) and int(groups.max()) >= 1 << (32 - GROUP_SHIFT):
        raise ValueError("more case groups than a case code holds")
    codes = groups.astype(np.uint32) << np.uint32(GROUP_SHIFT)
    codes |= checked.astype(np.uint32) * np.uint32(CHECKED)
    codes |= hall.astype(np.uint32) * np.uint32(HALL)
    return codes


class CaseLookup:
    """Accepted cases by id hash (sorted), with their codes: what evaluations look up."""

    def __init__(self, hashes: np.ndarray, codes: np.ndarray) -> None:
        self.hashes = hashes
        self.codes = codes
        self.cuts = range_cuts(hashes)

    def hall(self, pos: np.ndarray, found: np.ndarray | None = None) -> np.ndarray:
        """Whether the case at each position (-1: none) was handled in a hall; ``found``:
        ``pos >= 0``, when known."""
        if not len(self.codes):
            return np.zeros(len(pos), dtype=bool)
        found = pos >= 0 if found is None else found
        return found & (self.codes.take(pos, mode="clip") & np.uint32(HALL) > 0)

    def find(self, ids: pd.Series) -> np.ndarray:
        """Each id's position among the cases, -1 where no case has it."""
        return self.positions(CaseIds.of(ids))

    def positions(self, asked: CaseIds) -> np.ndarray:
        """``find`` for ids already hashed."""
        case_hash, hashes = self.hashes, asked.hashes
        if not len(case_hash) or not len(hashes):
            return np.full(len(hashes), -1, dtype=np.int64)
        at = np.minimum(search_sorted(case_hash, hashes[asked.order], self.cuts),
                        len(case_hash) - 1)
        found = np.empty(len(hashes), dtype=np.int64)
        found[asked.order] = at
        return np.where((case_hash[found] == hashes) & asked.present, found, -1)


@dataclass
class CaseIds:
    """Case ids as ``CaseLookup`` asks for them: hashed, in hash order (the binary searches
    then stay in cache), and which are there at all. Worked out before the cases are indexed."""

    hashes: np.ndarray
    order: np.ndarray
    present: np.ndarray

    @classmethod
    def of(cls, ids: pd.Series) -> CaseIds:
        if not len(ids):
            return cls(np.zeros(0, np.uint64), np.zeros(0, np.int64), np.zeros(0, bool))
        hashes = key_hashes(ids.to_frame())
        return cls(hashes, hash_order(hashes), ids.notna().to_numpy())


@dataclass
class CaseIndex:
    """Every accepted case, in the lookup's (hash) order."""

    lookup: CaseLookup

    @classmethod
    def of(cls, store: CaseStore) -> CaseIndex:
        """From the cases' store (emptied on the way, to keep the peak low)."""
        return cls(CaseLookup(*store.sorted()))

    def __len__(self) -> int:
        return len(self.lookup.hashes)

    def checked_counts(self, evaluated: np.ndarray, n_groups: int
                       ) -> tuple[np.ndarray, np.ndarray]:
        """Per case group: the checked cases, and those of them no evaluation named.

        Counted a slice at a time: a whole-index temporary is 0.8 GB at 100M cases."""
        checked_cases = np.zeros(n_groups, dtype=np.int64)
        without = np.zeros(n_groups, dtype=np.int64)
        codes, step = self.lookup.codes, 1 << 22
        for start in range(0, len(codes), step):
            part = codes[start:start + step]
            checked = part & np.uint32(CHECKED) > 0
            group = part >> np.uint32(GROUP_SHIFT)
            checked_cases += np.bincount(group[checked], minlength=n_groups)
            without += np.bincount(group[checked & ~evaluated[start:start + step]],
                                   minlength=n_groups)
        return checked_cases, without


class EvaluationFold:
    """Accepted evaluations folded batch by batch: group counts, the ledger rows and cases
    they name, and the bad reviews' rows."""

    def __init__(self, config: Config, ledger: pd.DataFrame, cases: CaseLookup) -> None:
        self.config = config
        self.ledger = ledger
        self.ledger_ids: LedgerIds | None = LedgerIds(ledger)
        self.cases = cases
        self.groups = Groups(rd.EVAL_DIMS)
        self.bad_levels = [LEVELS.index(level) for level in config.bad_reviews.levels]
        self.ledger_matched = np.zeros(len(ledger), dtype=bool)
        self.evaluated = np.zeros(len(cases.hashes), dtype=bool)
        self.counts = {"evaluations": 0, "without_case": 0, "without_push": 0}
        self.bad_parts: list[tuple[pd.DataFrame, np.ndarray]] = []
        """The bad reviews' own columns and ledger positions, batch by batch: their extract is
        made once, at the end (``_bad_rows``), as ``reduce_quarter`` makes it."""
        self.template: list[pd.DataFrame] = []
        self.days: set[str] = set()
        self.limit = np.timedelta64(int(config.mechanism.push_limit_hours * 3600 * 1e6), "us")

    def __call__(self, ev: pd.DataFrame, hashes: np.ndarray | None = None,
                 case_positions: np.ndarray | None = None) -> None:
        """Fold a batch's accepted evaluations; ``hashes``: their ids' hashes (the table's
        key); ``case_positions``: their cases, when found ahead (``CaseLookup.find`` of their
        case ids)."""
        config, ledger = self.config, self.ledger
        raw_codes = rd._level_codes(ev.get("level", pd.Series(dtype=object)))
        level_codes = raw_codes.copy()
        ledger_pos = self.ledger_ids.positions(ev, hashes)
        self.ledger_matched[ledger_pos[ledger_pos >= 0]] = True
        if config.satisfaction.use_corrected_levels and "corrected_level" in ledger and len(ledger):
            corrected = rd._level_codes(ledger["corrected_level"])
            hit = np.flatnonzero(ledger_pos >= 0)
            new = corrected[ledger_pos[hit]]
            keep = new >= 0
            level_codes[hit[keep]] = new[keep]
        if case_positions is not None:
            pos = case_positions
        else:
            pos = self.cases.find(ev["case_id"]) if "case_id" in ev else np.full(len(ev), -1)
        found = pos >= 0
        self.evaluated[pos[found]] = True
        hall = self.cases.hall(pos, found)
        evaluated_at = rd._datetimes(ev.get("evaluated_at"), len(ev))
        pushed_at = rd._datetimes(ev.get("pushed_at"), len(ev))
        days, months = rd.calendar(evaluated_at)
        self.days.update(days)
        late = (pushed_at - evaluated_at) > self.limit
        self.groups.add({
            "unit": rd._encode(ev.get("unit")),
            "region_code": rd._encode(ev.get("region_code")),
            "item_code": rd._encode(ev.get("item_code")),
            "channel": rd._encode(ev.get("channel")),
            "level": (np.add(level_codes, 1, dtype=np.int8), np.array([None, *LEVELS], dtype=object)),
            "mode": rd._encode(ev.get("mode")),
            "month": months,
            "hall": rd._bool_codes(hall),
            "late": rd._bool_codes(late),
        }, len(ev))
        self.counts["evaluations"] += len(ev)
        self.counts["without_case"] += len(pos) - int(np.count_nonzero(found))
        self.counts["without_push"] += int(np.isnat(pushed_at).sum())
        bad_mask = np.isin(raw_codes, self.bad_levels)
        if not self.bad_parts:  # the first batch's columns, for the empty extract's dtypes
            self.template.append(ev.iloc[:0])
        if bad_mask.any():
            rows = np.flatnonzero(bad_mask)
            own = [c for c in rd.BAD_COLUMNS if c in ev.columns]
            self.bad_parts.append((_as_objects(ev.iloc[rows][own]), ledger_pos[rows]))


def assemble(folder: Path, q: Quarter, config: Config, mode: Mode, rejects_path: Path | None,
             small_results: dict[str, Validated], reports: dict[str, TableReport],
             window: Window, cases: CaseFold, index: CaseIndex,
             evaluations: EvaluationFold) -> Streamed:
    """The quarter's report and aggregates from its folded tables (raises as the loader does)."""
    ledger, nxt = evaluations.ledger, window.nxt
    evaluated = evaluations.evaluated
    if "case_id" in nxt and len(nxt):
        pos = index.lookup.find(pd.Series(nxt["case_id"]).astype(object))
        evaluated[pos[pos >= 0]] = True

    ledger_matched = evaluations.ledger_matched
    report = settled(folder, q, config, mode, rejects_path, small_results, reports, ledger,
                     ledger_matched)

    case_groups, n_cases = cases.groups, len(index)
    per_case, without = index.checked_counts(evaluated, len(case_groups.counts))
    case_agg = case_groups.frame("cases",
                                 {"checked": per_case, "without_evaluation": without})
    eval_agg = evaluations.groups.frame()
    template = evaluations.template
    bad = _bad_rows(evaluations.bad_parts, template[0] if template else pd.DataFrame(), ledger)
    counts = evaluations.counts
    meta = {
        "evaluations": counts["evaluations"],
        "cases": int(n_cases),
        "ledger": len(ledger),
        "ledger_without_evaluation": int(len(ledger) - ledger_matched.sum()),
        "evaluations_without_case": counts["without_case"],
        "evaluations_without_push_time": counts["without_push"],
        "next_evaluations_read": len(nxt),
        "lookahead_until": window.until_end.isoformat() if window.until_end else None,
        "evaluation_data_end": window.data_end.isoformat(),
    }
    small = {name: rd.normalise_small(name, _drop_personal(small_results[name].accepted,
                                                           TABLES[name]))
             for name in rd.SMALL_TABLES if name in small_results}
    aggregates = rd.Aggregates(str(q), eval_agg, case_agg, bad, rd._post_bad(nxt, config),
                               small, meta)
    coverage = {"evaluations": sorted(evaluations.days), "cases": sorted(cases.days)}
    return Streamed(aggregates, report, coverage)


def settled(folder: Path, q: Quarter, config: Config, mode: Mode, rejects_path: Path | None,
            small_results: dict[str, Validated], reports: dict[str, TableReport],
            ledger: pd.DataFrame, ledger_matched: np.ndarray) -> LoadReport:
    """The quarter's report (raises as the loader does), with the loader's cross-table
    warning: the ledger's ids that name no accepted evaluation."""
    if len(ledger):
        ids = ledger["eval_id"]
        known = pd.DataFrame({"eval_id": ids.where(ledger_matched)}).dropna()
        reports["bad_reviews"].problems += unknown_eval_ids(ledger, known,
                                                            config.input.max_examples_per_problem)
    return settle(folder, q, mode, {name: reports[name] for name in TABLES}, small_results,
                  rejects_path)


def stacked_frames(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Batches' frames one under another, a categorical column staying categorical.

    Each batch has its own categories; ``pd.concat`` turns a column whose categories differ
    into text, value by value (0.2 s for the look-ahead's item columns, half a million rows),
    where a union of the categories recodes the codes alone. A batch with no rows left (all
    rejected) has no categories to add, and its empty columns' types (text categories as
    objects) would not stack with the others': it is left out."""
    frames = [frame for frame in frames if len(frame)] or frames[:1]
    columns = {}
    for name in frames[0].columns:
        parts = [frame[name] for frame in frames]
        if all(isinstance(part.dtype, pd.CategoricalDtype) for part in parts):
            columns[name] = pd.Series(union_categoricals(parts, ignore_order=True), name=name)
        else:
            columns[name] = pd.concat(parts, ignore_index=True)
    return pd.DataFrame(columns, copy=False)


def _joined(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
    """The parts as one array; the list is emptied and the parts' memory given back at once."""
    out = np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype=dtype)
    freed = sum(p.nbytes for p in parts)
    parts.clear()
    heap.give_back(freed)
    return out


def _as_objects(frame: pd.DataFrame) -> pd.DataFrame:
    """A few rows' categorical columns as plain values, as ``_bad_extract`` reads them: stacked
    at the end, each batch's own categories (thousands of item names) were united for a few
    dozen rows."""
    return frame.assign(**{name: frame[name].astype(object) for name in frame.columns
                           if isinstance(frame[name].dtype, pd.CategoricalDtype)})


def _bad_rows(parts: list[tuple[pd.DataFrame, np.ndarray]], empty: pd.DataFrame,
              ledger: pd.DataFrame) -> pd.DataFrame:
    """The bad reviews' extract from every batch's rows at once, as ``reduce_quarter`` makes it
    from the whole table (its stable sort keeps the batches' order among equal keys)."""
    if not parts:
        return rd._bad_extract(empty, np.zeros(0, dtype=bool), ledger,
                               np.zeros(0, dtype=np.int64))
    rows = pd.concat([frame for frame, _ in parts], ignore_index=True)
    positions = np.concatenate([pos for _, pos in parts])
    return rd._bad_extract(rows, np.ones(len(rows), dtype=bool), ledger, positions)
