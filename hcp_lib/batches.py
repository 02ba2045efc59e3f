"""A big table's files read a batch at a time, before any frame is made.

Parquet row groups through Arrow's batch reader, CSV blocks through Arrow's streaming CSV
reader, a workbook a sheet at a time (read whole, then cut into batches). Nothing here imports
pandas (nor does ``readers`` until a frame is stacked), so a command can start decoding a
quarter's tables on a thread while the rest of the library is still being imported
(``early.py``).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from .contract import Table
from .readers import (
    FORMATS,
    LINK_OUTSIDE,
    ReadError,
    Sheet,
    _finish,
    find_files,
    map_headers,
    open_csv,
    outside,
    parquet_cells,
    parquet_columns,
    read_file,
    sha256_file,
    workbook_sheets,
)


def sheet_batches(folder: Path, table: Table, batch_rows: int,
                  errors: list[tuple[str, str]]) -> Iterator[tuple[int, Sheet]]:
    """(sheet number, one batch of it) for every file of a table, in the loader's order.

    A sheet's later batches carry no header warnings (the first one reports them); files that
    cannot be read go to ``errors`` as ``read_table`` records them.
    """
    borrowed: list[str] | None = None
    number = 0
    for path in find_files(folder, table):
        opened = file_batches(path, folder, table, batch_rows, borrowed, errors)
        if opened is None:
            continue
        header, sheets = opened
        if borrowed is None and header is not None:
            borrowed = header
        try:
            for batches in sheets:
                for batch in batches:
                    yield number, batch
                number += 1
        except ReadError as exc:  # a CSV damaged after its first blocks: its rows so far stay read
            errors.append((path.name, str(exc)))
            number += 1


def file_batches(path: Path, folder: Path, table: Table, batch_rows: int,
                 borrowed: list[str] | None, errors: list[tuple[str, str]],
                 row_groups: list[int] | None = None
                 ) -> tuple[list[str] | None, Iterable[Iterator[Sheet]]] | None:
    """One file's header and its sheets, each as an iterator of batches; None when the file
    cannot be read (recorded in ``errors``). ``borrowed``: the table's first header;
    ``row_groups``: of a Parquet file, only these (see ``_parquet_batches``).

    A Parquet file is read a batch at a time, a CSV file in blocks, a workbook a sheet at a
    time; iterating may still raise ``ReadError`` for a CSV damaged after its first blocks."""
    if outside(path, folder):
        errors.append((path.name, f"{path.name}: {LINK_OUTSIDE}"))
        return None
    kind = FORMATS.get(path.suffix.lower())
    try:
        if kind == "parquet":
            sheets: Iterable[Iterator[Sheet]] = [
                _parquet_batches(path, table, batch_rows, row_groups)]
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
        return None
    except (pa.ArrowException, OSError, ValueError, UnicodeError):
        try:  # the whole-file reader words the failure as the loader always has
            read_file(path, table, borrowed)
        except ReadError as exc:
            errors.append((path.name, str(exc)))
        return None
    return (list(header) if header is not None else None), sheets


def _parquet_batches(path: Path, table: Table, batch_rows: int,
                     row_groups: list[int] | None = None) -> Iterator[Sheet]:
    """First the header-only Sheet (for ``borrowed``), then the file's batches.

    ``row_groups``: only these (consecutive) row groups, one part of the file read on its own,
    its rows numbered as in the whole file; a part after the first carries no header warnings
    and no checksum (the first part's stand for the file)."""
    schema = pq.read_schema(path)
    names = schema.names
    mapping = map_headers(list(names), table)
    columns, few = parquet_columns(schema, mapping, table)
    source = pq.ParquetFile(path, read_dictionary=few)
    later = bool(row_groups) and row_groups[0] > 0
    digest = "" if later else sha256_file(path)
    first = Sheet(path, None, None, digest, pa.table({}), mapping.missing, mapping.unknown,
                  mapping.repeated, tuple(names))
    yield first
    start = 1
    emitted = False
    if later:
        start += sum(source.metadata.row_group(i).num_rows for i in range(row_groups[0]))
        emitted = True
    for batch in _row_group_batches(source, batch_rows, columns, row_groups):
        data = parquet_cells(batch, mapping, table)
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


def _row_group_batches(source: pq.ParquetFile, batch_rows: int, columns: list[str],
                       row_groups: list[int] | None) -> Iterator[pa.RecordBatch | pa.Table]:
    """The file's batches, a few row groups at a time, each span through a reader of its own.

    One ``iter_batches`` over a whole file holds on to about 9 bytes a row it has read
    (pyarrow 26: 0.9 GB over 100M rows) until it is done; a reader per span of about four
    batches lets that go as each span ends. Rows and their order are the same.

    Columns are decoded on the calling thread, not Arrow's pool: each big table is read on a
    thread of its own already, beside the validating one, and the pool's threads only competed
    with them for the same cores (paired rounds on the demo quarter: 0.96 of the time, 80 MB
    less at the peak).
    """
    meta = source.metadata
    groups = list(range(meta.num_row_groups)) if row_groups is None else list(row_groups)
    spans: list[list[int]] = [[]]
    rows = 0
    for i in groups:
        spans[-1].append(i)
        rows += meta.row_group(i).num_rows
        if rows >= 4 * batch_rows:
            spans.append([])
            rows = 0
    read = (batch for span in spans if span
            for batch in source.iter_batches(batch_size=batch_rows, columns=columns,
                                             row_groups=span, use_threads=False))
    yield from _even(read, batch_rows)


def _even(batches: Iterator[pa.RecordBatch], batch_rows: int
          ) -> Iterator[pa.RecordBatch | pa.Table]:
    """The batches re-cut to ``batch_rows`` rows each (the last one shorter), across row
    groups' edges.

    Arrow ends a batch at every row group's end, so a file written in row groups of 2**20 rows
    read 500,000 at a time gave a batch of 48,576 rows per row group, each costing a whole
    batch's fixed work. A batch made of two row groups' rows is a table of two chunks (slices,
    not copies)."""
    held: list[pa.RecordBatch] = []
    rows = 0
    for batch in batches:
        while batch.num_rows:
            take = min(batch_rows - rows, batch.num_rows)
            held.append(batch.slice(0, take))
            rows += take
            batch = batch.slice(take)
            if rows == batch_rows:
                yield held[0] if len(held) == 1 else pa.Table.from_batches(held)
                held, rows = [], 0
    if held:
        yield held[0] if len(held) == 1 else pa.Table.from_batches(held)


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
