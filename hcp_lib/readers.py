"""Reading a table's raw exports: find its files, read every cell as text, map the headers.

Everything is read as text first so that ids keep their leading zeros and validation sees what
the user typed. Each row keeps where it came from (file, sheet, 1-based row as the user sees
it), so every later message can point at it. Personal columns are never held beyond the
parser unless the contract makes them required (then only to check they are present).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .contract import Column, Table

FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".parquet": "parquet"}
ENCODING_SAMPLE = 1 << 20
_EXCEL_EPOCH = datetime(1899, 12, 30)
_PREFIX_END = re.compile(r"^($|[\s_\-.（(\[【0-9])")
_CSV_BLOCK = 1 << 24
_XLSX_BLOCK = 100_000


class ReadError(ValueError):
    """A file that cannot be read at all (bad format, ragged rows, undecodable bytes)."""


@dataclass
class Sheet:
    """One sheet of a workbook, or one CSV/Parquet file, every cell as text."""

    path: Path
    sheet: str | None
    encoding: str | None
    sha256: str
    data: pa.Table | None
    """English column names (only those in the header), string typed, plus ``_row`` (int32)."""
    missing: tuple[str, ...] = ()
    """Required columns (English names) the header lacks."""
    unknown: tuple[str, ...] = ()
    """Headers that name no contract column; ignored."""
    repeated: tuple[str, ...] = field(default=())
    """Columns named by more than one header; the first is used."""

    rows: int = field(init=False)

    def __post_init__(self) -> None:
        self.rows = self.data.num_rows


def find_files(folder: str | Path, table: Table) -> list[Path]:
    """The table's files in a quarter folder, by file-name prefix, in a stable (sorted) order."""
    folder = Path(folder)
    prefixes = [p.casefold() for p in table.prefixes]
    found = []
    for path in sorted(folder.iterdir(), key=lambda p: _natural_key(p.name)):
        name = path.name
        if not path.is_file() or name.startswith((".", "~$")):
            continue
        if path.suffix.lower() not in FORMATS:
            continue
        stem = path.stem.casefold()
        if any(stem.startswith(p) and _PREFIX_END.match(stem[len(p):]) for p in prefixes):
            found.append(path)
    return found


def _natural_key(name: str) -> list[object]:
    """``评价明细_2`` sorts before ``评价明细_10``."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def detect_encoding(path: str | Path, sample: int = ENCODING_SAMPLE) -> str:
    """``utf-8-sig`` on a BOM, ``utf-8`` if a sample decodes strictly, else ``gb18030``.

    The sample may end inside a multibyte character; the incremental decoder (``final``
    only when the whole file was read) keeps that from being mistaken for GB18030.
    """
    with open(path, "rb") as fh:
        head = fh.read(sample)
        whole = not fh.read(1)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=whole)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def header_index(table: Table) -> dict[str, str]:
    """Normalised header (Chinese, English name or alias) -> English column name."""
    index: dict[str, str] = {}
    for col in table.columns:
        for header in col.headers:
            index.setdefault(normalise_header(header), col.name)
    return index


def normalise_header(header: object) -> str:
    text = "" if header is None else str(header)
    return "".join(text.replace("\ufeff", "").split()).casefold()


@dataclass(frozen=True)
class _Mapping:
    """Which source columns to keep and what they are called."""

    keep: dict[int, str]
    missing: tuple[str, ...]
    unknown: tuple[str, ...]
    repeated: tuple[str, ...]


def map_headers(headers: list[object], table: Table) -> _Mapping:
    """Match a file's header row to the contract; personal optional columns are not kept."""
    index = header_index(table)
    keep: dict[int, str] = {}
    seen: set[str] = set()
    unknown, repeated = [], []
    for i, header in enumerate(headers):
        key = normalise_header(header)
        if not key:
            continue
        name = index.get(key)
        if name is None:
            unknown.append(str(header).strip())
        elif name in seen:
            repeated.append(name)
        else:
            seen.add(name)
            col = table.column(name)
            if not (col.personal and not col.required):
                keep[i] = name
    missing = tuple(c.name for c in table.columns if c.required and c.name not in seen)
    return _Mapping(keep, missing, tuple(unknown), tuple(repeated))


def read_file(path: str | Path, table: Table) -> list[Sheet]:
    """Read one file of a table: a CSV or Parquet file gives one Sheet, a workbook one per sheet."""
    path = Path(path)
    kind = FORMATS.get(path.suffix.lower())
    digest = sha256_file(path)
    try:
        if kind == "csv":
            return [_read_csv(path, table, digest)]
        if kind == "parquet":
            return [_read_parquet(path, table, digest)]
        if kind == "xlsx":
            return list(_read_xlsx(path, table, digest))
    except ReadError:
        raise
    except (pa.ArrowException, OSError, ValueError, UnicodeError) as exc:
        raise ReadError(f"{path.name}: cannot read: {exc}") from exc
    except Exception as exc:  # calamine raises its own error types for corrupt workbooks
        raise ReadError(f"{path.name}: cannot read: {exc}") from exc
    raise ReadError(f"{path.name}: unsupported file type {path.suffix!r}")


# --- CSV ---------------------------------------------------------------------------------


def _csv_header(path: Path, encoding: str) -> list[str]:
    with open(path, "rb") as fh:
        head = fh.read(ENCODING_SAMPLE)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=False)
    first = next(csv.reader(io.StringIO(text)), None)
    if not first:
        raise ReadError(f"{path.name}: empty file, no header row")
    return first


def _read_csv(path: Path, table: Table, digest: str) -> Sheet:
    encoding = detect_encoding(path)
    headers = _csv_header(path, encoding)
    mapping = map_headers(headers, table)
    names = [f"c{i}" for i in range(len(headers))]
    keep = {names[i]: name for i, name in mapping.keep.items()}
    arrow_encoding = "utf8" if encoding.startswith("utf-8") else encoding
    read = pacsv.ReadOptions(
        encoding=arrow_encoding, skip_rows=1, column_names=names, block_size=_CSV_BLOCK,
    )
    convert = pacsv.ConvertOptions(
        column_types={n: pa.string() for n in keep},
        include_columns=list(keep),
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
        null_values=[""],
    )
    parse = pacsv.ParseOptions(newlines_in_values=True)
    try:
        raw = pacsv.read_csv(path, read_options=read, parse_options=parse, convert_options=convert)
    except pa.ArrowInvalid as exc:
        raise ReadError(f"{path.name}: cannot read as CSV ({encoding}): {exc}") from exc
    rows = pa.array(range(2, raw.num_rows + 2), pa.int32())
    data = _finish(raw.rename_columns([keep[n] for n in raw.column_names]), rows)
    return Sheet(path, None, encoding, digest, data, mapping.missing, mapping.unknown,
                 mapping.repeated)


# --- Parquet -----------------------------------------------------------------------------


def _read_parquet(path: Path, table: Table, digest: str) -> Sheet:
    schema = pq.read_schema(path)
    mapping = map_headers(list(schema.names), table)
    raw = pq.read_table(path, columns=[schema.names[i] for i in mapping.keep])
    columns = [_as_text(raw.column(i)) for i in range(raw.num_columns)]
    data = pa.table(columns, names=list(mapping.keep.values()))
    rows = pa.array(range(1, data.num_rows + 1), pa.int32())
    return Sheet(path, None, None, digest, _finish(data, rows), mapping.missing, mapping.unknown,
                 mapping.repeated)


def _as_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Typed Parquet columns as the text a CSV export would hold."""
    kind = column.type
    if pa.types.is_dictionary(kind):
        column = column.cast(kind.value_type)
        kind = column.type
    if pa.types.is_timestamp(kind) and kind.tz:
        seconds = column.cast(pa.timestamp("s", tz=kind.tz), safe=False)
        return pc.strftime(seconds, format="%Y-%m-%d %H:%M:%S")
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        # A plain cast prints "YYYY-MM-DD HH:MM:SS" and is ~25x faster than strftime.
        return column.cast(pa.timestamp("s"), safe=False).cast(pa.string())
    if pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
        return column.cast(pa.string())
    return column.cast(pa.string())


# --- XLSX --------------------------------------------------------------------------------


def _read_xlsx(path: Path, table: Table, digest: str) -> Iterator[Sheet]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        sheet = _read_sheet(book.get_sheet_by_name(name), path, name, table, digest)
        if sheet is not None:
            yield sheet


def _read_sheet(source: object, path: Path, name: str, table: Table, digest: str) -> Sheet | None:
    """Stream a sheet's rows into Arrow in blocks, so Python objects never pile up.

    ``iter_rows`` starts at the sheet's first row (leading blank rows included), so a row's
    position plus one is its row number in Excel. None for a sheet with no header row.
    """
    rows_iter = iter(source.iter_rows())  # type: ignore[attr-defined]
    header_at, header = -1, None
    for header_at, row in enumerate(rows_iter):  # noqa: B007 - the position is used after
        if any(v != "" for v in row):
            header = row
            break
    if header is None:
        return None
    mapping = map_headers(list(header), table)
    dated = {c.name for c in table.columns if c.dtype in ("datetime", "date", "month")}
    keep = [(i, col, col in dated) for i, col in mapping.keep.items()]
    chunks: list[list[pa.Array]] = [[] for _ in keep]
    row_chunks: list[pa.Array] = []
    block: list[list[object]] = []
    numbers: list[int] = []

    def flush() -> None:
        for k, (i, _, serials) in enumerate(keep):
            cells = [r[i] if i < len(r) else "" for r in block]
            chunks[k].append(pa.array([_cell_text(v, serials) for v in cells], pa.string()))
        row_chunks.append(pa.array(numbers, pa.int32()))
        block.clear()
        numbers.clear()

    for position, row in enumerate(rows_iter, start=header_at + 2):
        if any(v != "" for v in row):
            block.append(row)
            numbers.append(position)
            if len(block) >= _XLSX_BLOCK:
                flush()
    flush()
    columns = [pa.chunked_array(c, pa.string()) for c in chunks]
    data = pa.table(columns, names=[col for _, col, _ in keep]) if keep else pa.table({})
    rows = pa.chunked_array(row_chunks, pa.int32()).combine_chunks()
    return Sheet(path, name, None, digest, _finish(data, rows), mapping.missing,
                 mapping.unknown, mapping.repeated)


def _cell_text(value: object, serial_dates: bool) -> str | None:
    """A calamine cell as text: dates as ``YYYY-MM-DD HH:MM:SS``, whole floats without ``.0``."""
    if type(value) is str:
        return value
    if isinstance(value, datetime):
        return _round_second(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d 00:00:00")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if serial_dates and 0 < value < 2958466:
            moment = _round_second(_EXCEL_EPOCH + timedelta(days=value))
            return moment.strftime("%Y-%m-%d %H:%M:%S")
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    return None if value is None else str(value)


def _round_second(moment: datetime) -> datetime:
    """Excel stores times as day fractions; 09:59:59.9999 is 10:00:00."""
    return (moment + timedelta(microseconds=500_000)).replace(microsecond=0)


# --- common ------------------------------------------------------------------------------


def _finish(data: pa.Table, rows: pa.Array) -> pa.Table:
    """Trim whitespace, make empty cells null, add the row numbers."""
    columns = []
    for column in data.columns:
        trimmed = pc.utf8_trim_whitespace(column)
        columns.append(pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed))
    if not columns:
        return pa.table({"_row": rows})
    return pa.table(columns, names=data.column_names).append_column("_row", rows)


@dataclass
class RawTable:
    """Every sheet of a table stacked into one frame of text, with where each row came from."""

    table: Table
    sheets: list[Sheet]
    errors: list[tuple[str, str]]
    """Files that could not be read: (file name, message)."""
    frame: pd.DataFrame
    """Contract columns (text), then ``_file``, ``_sheet`` (categoricals) and ``_row``."""
    bounds: list[tuple[int, int]]
    """Each sheet's [start, stop) positions in ``frame``."""

    def absent(self, column: str) -> np.ndarray:
        """Rows whose sheet has no such column (they are rejected once, for the missing column)."""
        mask = np.zeros(len(self.frame), dtype=bool)
        for sheet, (start, stop) in zip(self.sheets, self.bounds, strict=True):
            if column in sheet.missing:
                mask[start:stop] = True
        return mask


def low_cardinality(col: Column, table: Table) -> bool:
    """Columns with few distinct values, held as categoricals (memory, and checks per value)."""
    return bool(col.categorical or col.enum or col.vocabulary or col.name in table.unit_columns
                or col.dtype in ("level", "region", "month"))


def kept_columns(table: Table) -> list[str]:
    """The contract columns held in memory: all but optional personal ones."""
    return [c.name for c in table.columns if not (c.personal and not c.required)]


def read_table(folder: str | Path, table: Table) -> RawTable:
    """Read every file of a table in a folder; unreadable files become errors, not exceptions."""
    sheets: list[Sheet] = []
    errors: list[tuple[str, str]] = []
    for path in find_files(folder, table):
        try:
            sheets.extend(read_file(path, table))
        except ReadError as exc:
            errors.append((path.name, str(exc)))
    return stack(table, sheets, errors)


def stack(table: Table, sheets: list[Sheet],
          errors: list[tuple[str, str]] | None = None) -> RawTable:
    """Stack sheets into one frame: contract column order, absent columns as missing values."""
    names = kept_columns(table)
    parts, bounds, start = [], [], 0
    for sheet in sheets:
        n = sheet.rows
        columns = [
            sheet.data.column(name) if name in sheet.data.column_names
            else pa.chunked_array([pa.nulls(n, pa.string())])
            for name in names
        ]
        parts.append(pa.table([*columns, sheet.data.column("_row")], names=[*names, "_row"]))
        bounds.append((start, start + n))
        start += n
        sheet.data = None  # the stacked frame holds the only copy from here on
    if parts:
        stacked = pa.concat_tables(parts)
    else:
        stacked = pa.table({**{n: pa.array([], pa.string()) for n in names},
                            "_row": pa.array([], pa.int32())})
    for name in names:
        if low_cardinality(table.column(name), table):
            i = stacked.schema.get_field_index(name)
            stacked = stacked.set_column(i, name, pc.dictionary_encode(stacked.column(name)))
    frame = stacked.unify_dictionaries().to_pandas(self_destruct=True)
    for name in names:
        if len(frame) == 0 or frame[name].dtype == object:
            frame[name] = frame[name].astype("str")
    sheet_ids = np.repeat(np.arange(len(sheets), dtype=np.int32), [s.rows for s in sheets])
    file_names = [s.path.name for s in sheets]
    sheet_names = [s.sheet or "" for s in sheets]
    frame.insert(len(names), "_file", _labels(sheet_ids, file_names))
    frame.insert(len(names) + 1, "_sheet", _labels(sheet_ids, sheet_names))
    return RawTable(table, sheets, errors or [], frame, bounds)


def _labels(ids: np.ndarray, labels: list[str]) -> pd.Categorical:
    categories = list(dict.fromkeys(labels))
    lookup = np.array([categories.index(x) for x in labels], dtype=np.int32)
    codes = lookup[ids] if len(ids) else np.array([], dtype=np.int32)
    return pd.Categorical.from_codes(codes, categories=categories or [""][:0])
