"""Reading a table's raw exports: find its files, read every cell as text, map the headers.

Everything is read as text first so that ids keep their leading zeros and validation sees what
the user typed. Each row keeps where it came from (file, sheet, 1-based row as the user sees
it), so every later message can point at it. Personal columns are never held beyond the
parser unless the contract makes them required (then only to check they are present).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .cells import as_cells, as_text, dictionary_columns, finish_dictionary, in_order_of_appearance
from .contract import Column, Table
from .masking import CONTROL_IN_TEXT, redact

if TYPE_CHECKING:  # pandas is imported where a frame is made: the batch readers need none
    import pandas as pd

FORMATS = {".csv": "csv", ".xlsx": "workbook", ".xlsm": "workbook", ".xls": "workbook",
           ".xlsb": "workbook", ".ods": "workbook", ".et": "workbook", ".parquet": "parquet"}
"""Readable suffixes. Workbooks go through calamine (Excel 97–365, OpenDocument); a WPS
``.et`` file is read when WPS saved it in its Excel-compatible form (its default)."""
ENCODING_SAMPLE = 1 << 20
HEADER_SEARCH = 10
"""How many leading non-empty rows may sit above the header (a title, a group header)."""
_EXCEL_EPOCH = datetime(1899, 12, 30)
_PREFIX_END = re.compile(r"^($|[\s_\-.（(\[【0-9])")
_CSV_BLOCK = 1 << 21
"""Bytes Arrow parses at a time, and so the longest record a CSV may hold (14 cells at Excel's
32,767 characters fit). Arrow's streaming reader reads up to 32 blocks ahead: 64 MiB."""
_UNKEPT = "_unkept"
_PYTHON_BLOCK = 100_000
"""Records a CSV split in Python hands to Arrow at a time."""
_XLSX_BLOCK = 100_000
LINK_OUTSIDE = "a link that leads outside the data folder (refused; copy the file in instead)"
_NAME_VARIANTS = str.maketrans({"帐": "账", "（": "(", "）": ")", "【": "[", "】": "]"})


class ReadError(ValueError):
    """A file that cannot be read at all (bad format, undecodable bytes, no header row).

    Its message never quotes the file's content: only its name, sizes and positions.
    """


@dataclass
class Sheet:
    """One sheet of a workbook, or one CSV/Parquet file, every cell as text."""

    path: Path
    sheet: str | None
    encoding: str | None
    sha256: str
    data: pa.Table | None
    """English column names (only those in the header), string typed, plus ``_row`` (int32).
    Lines the CSV parser could not split come last, every cell empty (see ``broken``)."""
    missing: tuple[str, ...] = ()
    """Required columns (English names) the header lacks."""
    unknown: tuple[str, ...] = ()
    """Headers that name no contract column; ignored."""
    repeated: tuple[str, ...] = field(default=())
    """Columns named by more than one header; the first is used."""
    header: tuple[str, ...] = ()
    """The header row used (a continuation sheet without one borrows the table's first)."""
    broken: tuple[int, ...] = ()
    """Field counts of the last ``len(broken)`` rows: lines that do not split into the
    header's ``len(header)`` fields; each is a rejected row."""
    notes: tuple[tuple[str, str], ...] = ()
    """Warnings about the sheet's layout: (problem kind, detail)."""

    rows: int = field(init=False)

    def __post_init__(self) -> None:
        self.rows = self.data.num_rows


def canonical_name(name: str) -> str:
    """A file name as matched: case, 帐/账 and full-width brackets folded."""
    return name.casefold().translate(_NAME_VARIANTS)


def name_matches(name: str, table: Table) -> bool:
    """``差评核实台帐表（1）.xls`` belongs to 差评核实台账: variants, 表, a re-download suffix."""
    stem = canonical_name(Path(name).stem)
    for prefix in table.prefixes:
        prefix = canonical_name(prefix)
        if not stem.startswith(prefix):
            continue
        rest = stem[len(prefix):]
        rest = rest[1:] if rest.startswith("表") else rest
        if _PREFIX_END.match(rest):
            return True
    return False


def find_files(folder: str | Path, table: Table) -> list[Path]:
    """The table's files in a quarter folder, by file-name prefix, in a stable (sorted) order."""
    return [path for path in _candidates(folder)
            if path.suffix.lower() in FORMATS and name_matches(path.name, table)]


def _candidates(folder: str | Path) -> list[Path]:
    """Visible files of a folder (links included), naturally sorted."""
    found = []
    for path in sorted(Path(folder).iterdir(), key=lambda p: _natural_key(p.name)):
        if path.name.startswith((".", "~$")) or not (path.is_file() or path.is_symlink()):
            continue
        found.append(path)
    return found


def unmatched_files(folder: str | Path, tables: list[Table]) -> list[tuple[str, str]]:
    """Files no table reads: (file name, why), for a warning rather than silence."""
    out = []
    for path in _candidates(folder):
        claimed = [t for t in tables if name_matches(path.name, t)]
        if claimed and path.suffix.lower() in FORMATS:
            continue
        if claimed:
            out.append((path.name, f"named like {claimed[0].title} but {path.suffix or 'no suffix'}"
                        f" is not a readable format ({', '.join(sorted(FORMATS))})"))
        else:
            titles = "、".join(t.title for t in tables)
            out.append((path.name, f"its name starts with none of {titles}"))
    return out


def outside(path: Path, folder: Path) -> bool:
    """A link (or a link's parent) that resolves outside the data folder."""
    try:
        path.resolve(strict=True).relative_to(folder.resolve())
    except (ValueError, OSError):
        return True
    return False


def _natural_key(name: str) -> list[object]:
    """``评价明细_2`` sorts before ``评价明细_10``."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def detect_encoding(path: str | Path, sample: int = ENCODING_SAMPLE) -> str:
    """The text encoding of a CSV export, or ReadError saying what the file is instead.

    ``utf-8-sig`` / ``utf-16`` on a byte-order mark; ``utf-8`` if a sample decodes strictly;
    else ``gb18030`` if that does. A workbook or other binary file saved as ``.csv``, or
    bytes neither encoding reads, are refused by name. The sample may end inside a
    multibyte character; the incremental decoder (``final`` only when the whole file was
    read) keeps that from being mistaken for an error.
    """
    with open(path, "rb") as fh:
        head = fh.read(sample)
        whole = not fh.read(1)
    name = Path(path).name
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if not head:
        raise ReadError(f"{name}: empty file (0 bytes), no header row")
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise ReadError(f"{name}: not a text file: it is a workbook (zip/OLE) saved under a "
                        ".csv name; rename it to .xlsx or .xls")
    if b"\x00" in head:
        raise ReadError(f"{name}: not a text file (it holds NUL bytes); a CSV export is UTF-8, "
                        "UTF-8 with BOM, UTF-16 with BOM or GB18030 text")
    for encoding in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=whole)
        except UnicodeDecodeError as exc:
            if encoding == "gb18030":
                raise ReadError(
                    f"{name}: not UTF-8 or GB18030 text (undecodable bytes at offset "
                    f"{exc.start}); the file may be damaged, truncated or not a CSV export"
                ) from None
            continue
        return encoding
    raise AssertionError("unreachable")


_TRADITIONAL = str.maketrans(
    "評價編號辦項碼稱實單區劃級時間匯內聯繫係結點覈後況類別來數揚員條門渠道",
    "评价编号办项码称实单区划级时间汇内联系系结点核后况类别来数扬员条门渠道")


def looks_big5(path: str | Path, table: Table) -> bool:
    """A header that names the table's columns when read as Big5 (traditional characters)."""
    with open(path, "rb") as fh:
        line = fh.read(ENCODING_SAMPLE).split(b"\n", 1)[0]
    try:
        text = line.decode("big5").translate(_TRADITIONAL)
    except UnicodeDecodeError:
        return False
    index = header_index(table)
    return any(normalise_header(cell) in index for cell in next(csv.reader([text]), []))


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


@dataclass(frozen=True)
class Layout:
    """Where a sheet's header is: its position among the leading rows, or borrowed."""

    header: list[str]
    data_from: int
    """Index (among the leading rows) of the first data row."""
    notes: tuple[tuple[str, str], ...] = ()


def find_header(rows: list[list[str]], table: Table, borrowed: list[str] | None,
                where: str, padded: bool = False, numbers: list[int] | None = None) -> Layout:
    """The header among a sheet's first non-empty rows, never a record taken for one.

    The first row that names at least one contract column is the header (rows above it are
    a title or a group header, skipped with a warning). When none does, a sheet as wide as
    the table's first header is a continuation without a header row and borrows it;
    anything else is refused. Messages give positions and widths, never cell values.
    """
    index = header_index(table)
    for at, row in enumerate(rows[:HEADER_SEARCH]):
        if any(normalise_header(cell) in index for cell in row):
            notes = ()
            if at:
                row_number = numbers[at] if numbers else at + 1
                notes = (("title_row", f"the header seems to be on row {row_number}; "
                          f"{at} row(s) above it skipped"),)
            return Layout([str(c) for c in row], at + 1, notes)
    if not rows:
        raise ReadError(f"{where}: empty, no header row")
    width = len(rows[0])
    if padded:  # a workbook row ends where its last value does; the widest one counts
        width = max(len(_trim(r)) for r in rows[:HEADER_SEARCH])
    if borrowed is not None and _fits(width, borrowed, table, padded):
        return Layout(list(borrowed), 0, (("no_header", f"{width} columns like the first "
                                           "file's header; its first row read as data"),))
    expected = f"; the table's first header has {len(_trim(borrowed))}" if borrowed else ""
    raise ReadError(f"{where}: no header row: none of the first {min(len(rows), HEADER_SEARCH)} "
                    f"rows names a column of {table.title} ({width} columns{expected}); "
                    "add the header row or save it with the first file's columns")


def _fits(width: int, header: list[str], table: Table, padded: bool) -> bool:
    """As wide as the header (a workbook's rows may stop before trailing optional columns)."""
    full = len(_trim(header))
    if not padded:
        return width == len(header) or width == full
    index = header_index(table)
    required = [i for i, h in enumerate(header) if (name := index.get(normalise_header(h)))
                and table.column(name).required]
    return (max(required, default=-1) + 1) <= width <= full


def _trim(row: list[object]) -> list[object]:
    """A row without its trailing empty cells (spreadsheets pad rows to the used range)."""
    end = len(row)
    while end and (row[end - 1] is None or str(row[end - 1]).strip() == ""):
        end -= 1
    return list(row[:end])


def read_file(path: str | Path, table: Table, borrowed: list[str] | None = None) -> list[Sheet]:
    """Read one file of a table: a CSV or Parquet file gives one Sheet, a workbook one per sheet.

    ``borrowed`` is the header a continuation sheet without one takes (the table's first).
    """
    path = Path(path)
    kind = FORMATS.get(path.suffix.lower())
    digest = sha256_file(path)
    with _worded(path, kind):
        if kind == "csv":
            return [_read_csv(path, table, digest, borrowed)]
        if kind == "parquet":
            return [_read_parquet(path, table, digest)]
        if kind == "workbook":
            return list(_read_workbook(path, table, digest, borrowed))
    raise ReadError(f"{path.name}: unsupported file type {path.suffix!r}")


def workbook_sheets(path: Path, table: Table, borrowed: list[str] | None = None) -> Iterator[Sheet]:
    """A workbook's sheets one at a time, so that a reader holds one sheet, not the whole file.

    Failures are worded as ``read_file`` words them; a later sheet may fail after earlier ones.
    """
    sheets = _read_workbook(path, table, sha256_file(path), borrowed)
    while True:
        with _worded(path, "workbook"):
            sheet = next(sheets, None)
        if sheet is None:
            return
        yield sheet


@contextlib.contextmanager
def _worded(path: Path, kind: str | None) -> Iterator[None]:
    """A library's failure to read a file, as a ReadError that names the file, not its content."""
    try:
        yield
    except ReadError:
        raise
    except pa.ArrowInvalid as exc:
        if kind == "parquet":
            raise ReadError(f"{path.name}: not a readable Parquet file (damaged or truncated: "
                            f"{_short(exc)})") from exc
        raise ReadError(f"{path.name}: cannot read: {_short(exc)}") from exc
    except (pa.ArrowException, OSError, ValueError, UnicodeError) as exc:
        raise ReadError(f"{path.name}: cannot read: {_short(exc)}") from exc
    except Exception as exc:  # calamine raises its own error types for corrupt workbooks
        raise ReadError(f"{path.name}: not a readable workbook (damaged, truncated, encrypted "
                        f"or not in an Excel/OpenDocument format: {_short(exc)})") from exc


def _short(exc: BaseException) -> str:
    """A library's error, first line only and cut before any quoted row content."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    text = re.split(r"(?<=\d): |\brow: |: b?['\"]", text, maxsplit=1)[0]
    return redact(text[:160])


# --- CSV ---------------------------------------------------------------------------------


def _leading_rows(path: Path, encoding: str) -> list[tuple[int, list[str]]]:
    """The first non-empty records with the line each starts on, decoded from a sample."""
    with open(path, "rb") as fh:
        head = fh.read(ENCODING_SAMPLE)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=False)
    lines = text.splitlines(keepends=True)
    if len(lines) > 1 and len(head) == ENCODING_SAMPLE:
        lines.pop()  # the sample may end inside a line
    reader = csv.reader(lines)
    rows: list[tuple[int, list[str]]] = []
    line = reader.line_num + 1
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                rows.append((line, record))
                if len(rows) > HEADER_SEARCH:
                    break
            line = reader.line_num + 1
    except csv.Error:
        pass
    return rows


@dataclass
class CsvSource:
    """A CSV file whose encoding and header are known, ready to be read in batches.

    The whole-file reader and the streaming engine both read through ``batches``: one
    implementation of the parsing, the row numbers and the ragged lines.
    """

    path: Path
    table: Table
    digest: str
    encoding: str
    layout: Layout
    skip: int
    """Lines above the first data row (the header and any title rows)."""
    mapping: _Mapping

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(self.layout.header)

    def batches(self, batch_rows: int | None = None) -> Iterator[Sheet]:
        """The file as Sheets of at most ``batch_rows`` rows (None: all good rows in one).

        Lines that do not split into the header's fields come last, as rows with every cell
        empty (their field counts in ``broken``), after all the good rows. Only the first
        Sheet carries the header warnings. Raises ReadError, possibly after some batches.
        """
        numbers = _RecordNumbers(self.skip)
        names = list(self.mapping.keep.values())
        first = True
        for data, rows in _rebatch(self._good_rows(numbers), batch_rows):
            yield self._sheet(data, rows, (), first)
            first = False
        ragged = numbers.ragged
        for start in range(0, len(ragged), batch_rows or max(len(ragged), 1)):
            part = ragged[start:start + (batch_rows or len(ragged))]
            data = pa.table({n: pa.nulls(len(part), pa.string()) for n in names})
            rows = np.array([number for number, _ in part], dtype=np.int32)
            yield self._sheet(data, rows, tuple(found for _, found in part), first)
            first = False
        if first:  # no row at all: one empty Sheet, for the header and its warnings
            data = pa.table({n: pa.array([], pa.string()) for n in names})
            yield self._sheet(data, np.zeros(0, dtype=np.int32), (), True)

    def _sheet(self, data: pa.Table, rows: np.ndarray, broken: tuple[int, ...],
               first: bool) -> Sheet:
        m = self.mapping
        if _UNKEPT in data.column_names:  # only counted the rows: no column of the sheet is kept
            data = data.drop_columns([_UNKEPT])
        return Sheet(self.path, None, self.encoding, self.digest,
                     _finish(data, pa.array(rows, pa.int32()), self.table), m.missing,
                     m.unknown if first else (), m.repeated if first else (), self.header,
                     broken, self.layout.notes if first else ())

    def _good_rows(self, numbers: _RecordNumbers) -> Iterator[tuple[pa.Table, np.ndarray]]:
        """Arrow's streaming reader, block by block; ragged lines go to ``numbers``.

        A ragged line whose text Arrow cannot hand over (cut inside a character, as at the end
        of a truncated file) stops Arrow; the rest of the file is then split in Python.
        """
        names = [f"c{i}" for i in range(len(self.layout.header))]
        keep = {names[i]: name for i, name in self.mapping.keep.items()}
        keep = keep or {names[0]: _UNKEPT}  # Arrow reads every column when given none
        convert = _csv_convert(keep)

        def broken(row: pacsv.InvalidRow) -> str:  # never keeps the line's text
            numbers.ragged.append((row.number, row.actual_columns))
            return "skip"

        read = pacsv.ReadOptions(
            encoding="utf8" if self.encoding.startswith("utf-8") else self.encoding,
            skip_rows=self.skip, column_names=names, block_size=_CSV_BLOCK, use_threads=False,
        )  # a serial reader numbers the ragged lines for the handler
        parse = pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=broken)
        try:
            with _quiet_handler_errors():
                reader = pacsv.open_csv(self.path, read_options=read, parse_options=parse,
                                        convert_options=convert)
            while True:
                with _quiet_handler_errors():
                    batch = reader.read_next_batch()
                data = pa.Table.from_batches([batch]).rename_columns(
                    [keep[n] for n in batch.schema.names])
                if data.num_rows:
                    yield data, numbers.take(data.num_rows)
        except StopIteration:
            return
        except pa.ArrowInvalid as exc:
            if "invalid UTF8" in str(exc):
                raise ReadError(f"{self.path.name}: not UTF-8 text throughout: bytes after the "
                                "first MiB are in another encoding or damaged") from exc
            if "columns, got" not in str(exc):
                raise ReadError(f"{self.path.name}: cannot read as CSV ({self.encoding}): "
                                f"{_short(exc)}") from exc
        except (pa.ArrowException, OSError, UnicodeError) as exc:  # as ``read_file`` words it
            raise ReadError(f"{self.path.name}: cannot read: {_short(exc)}") from exc
        yield from self._split_in_python(numbers, names, keep, convert)

    def _split_in_python(self, numbers: _RecordNumbers, names: list[str], keep: dict[str, str],
                         convert: pacsv.ConvertOptions) -> Iterator[tuple[pa.Table, np.ndarray]]:
        """The records from ``numbers.next`` on, split by Python's csv module (a rare, slow path).

        Records of the header's width are re-written as UTF-8 CSV and parsed by Arrow in
        blocks, so their cells convert exactly as Arrow's own reading would.
        """
        numbers.forget_from(numbers.next)
        width = len(names)
        read = pacsv.ReadOptions(column_names=names, block_size=_CSV_BLOCK)
        parse = pacsv.ParseOptions(newlines_in_values=True)
        out, good = io.StringIO(), []
        writer = csv.writer(out)

        def flush() -> tuple[pa.Table, np.ndarray]:
            raw = pacsv.read_csv(io.BytesIO(out.getvalue().encode("utf-8")), read_options=read,
                                 parse_options=parse, convert_options=convert)
            rows = np.array(good, dtype=np.int64)
            out.seek(0)
            out.truncate()
            good.clear()
            return raw.rename_columns([keep[n] for n in raw.column_names]), rows

        for number, record in enumerate(_records(self.path, self.encoding, self.skip),
                                        start=self.skip + 1):
            if number < numbers.next:
                continue
            if len(record) == width:
                writer.writerow(record)
                good.append(number)
                if len(good) >= _PYTHON_BLOCK:
                    yield flush()
            else:
                numbers.ragged.append((number, len(record)))
        if good:
            yield flush()


class _RecordNumbers:
    """Row numbers of a CSV's records: the header's line plus the record's position.

    A record is counted once however many lines its quoted values span, and blank lines are
    not records; a ragged line is a record too, so the good rows around it keep their numbers.
    """

    def __init__(self, skip: int) -> None:
        self.next = skip + 1
        """The number the next good record can have."""
        self.ragged: list[tuple[int, int]] = []
        """(number, fields found) of each ragged line, in file order."""
        self._passed = 0

    def take(self, n: int) -> np.ndarray:
        """The numbers of the next ``n`` good records: the next free ones, ragged lines skipped."""
        pending = np.array([number for number, _ in self.ragged[self._passed:]], dtype=np.int64)
        candidates = np.arange(self.next, self.next + n + len(pending), dtype=np.int64)
        found = candidates[~np.isin(candidates, pending)][:n]
        self.next = int(found[-1]) + 1
        self._passed += int(np.count_nonzero(pending < self.next))
        return found

    def forget_from(self, number: int) -> None:
        """Drop the ragged lines from ``number`` on (they are about to be found again)."""
        self.ragged = [r for r in self.ragged if r[0] < number]
        self._passed = min(self._passed, len(self.ragged))


def _rebatch(parts: Iterator[tuple[pa.Table, np.ndarray]],
             size: int | None) -> Iterator[tuple[pa.Table, np.ndarray]]:
    """Blocks of rows re-cut into batches of ``size`` rows (None: one batch of all)."""
    held: list[pa.Table] = []
    numbers: list[np.ndarray] = []
    count = 0
    for data, rows in parts:
        held.append(data)
        numbers.append(rows)
        count += data.num_rows
        if size is None or count < size:
            continue
        data, rows = pa.concat_tables(held), np.concatenate(numbers)
        start = 0
        while count - start >= size:
            yield data.slice(start, size), rows[start:start + size]
            start += size
        held, numbers, count = [data.slice(start)], [rows[start:]], count - start
    if count:
        yield pa.concat_tables(held), np.concatenate(numbers)


def _csv_convert(keep: dict[str, str]) -> pacsv.ConvertOptions:
    """Only the kept columns, every cell as text, an empty cell missing."""
    return pacsv.ConvertOptions(
        column_types={n: pa.string() for n in keep},
        include_columns=list(keep),
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
        null_values=[""],
    )


def open_csv(path: Path, table: Table, digest: str, borrowed: list[str] | None) -> CsvSource:
    """Detect a CSV's encoding and find its header (the file's rows are not read yet)."""
    encoding = detect_encoding(path)
    leading = _leading_rows(path, encoding)
    try:
        layout = find_header([r for _, r in leading], table, borrowed, path.name,
                             numbers=[n for n, _ in leading])
    except ReadError:
        if encoding == "gb18030" and looks_big5(path, table):
            raise ReadError(f"{path.name}: the text seems to be Big5 (traditional Chinese), "
                            "not UTF-8 or GB18030; save it as UTF-8") from None
        raise
    skip = leading[layout.data_from - 1][0] if layout.data_from else 0
    return CsvSource(path, table, digest, encoding, layout, skip,
                     map_headers(layout.header, table))


def _read_csv(path: Path, table: Table, digest: str, borrowed: list[str] | None) -> Sheet:
    """The whole file as one Sheet: its batches, stacked."""
    parts = list(open_csv(path, table, digest, borrowed).batches())
    whole = parts[0]
    if len(parts) > 1:
        whole.data = pa.concat_tables([p.data for p in parts])
        whole.broken = tuple(n for p in parts for n in p.broken)
        whole.rows = whole.data.num_rows
    return whole


def _records(path: Path, encoding: str, skip: int) -> Iterator[list[str]]:
    """Each non-empty CSV record after ``skip`` lines."""
    with open(path, encoding=encoding, newline="", errors="replace") as fh:
        for _ in range(skip):
            fh.readline()
        for record in csv.reader(fh):
            if record:
                yield record


@contextlib.contextmanager
def _quiet_handler_errors() -> Iterator[None]:
    """Arrow reports a row it cannot show the handler on stderr; the fallback handles it."""
    saved = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: None
    try:
        yield
    finally:
        sys.unraisablehook = saved


# --- Parquet -----------------------------------------------------------------------------


def _read_parquet(path: Path, table: Table, digest: str) -> Sheet:
    schema = pq.read_schema(path)
    mapping = map_headers(list(schema.names), table)
    columns, few = parquet_columns(schema, mapping, table)
    raw = pq.read_table(path, columns=columns, read_dictionary=few)
    data = parquet_cells(raw, mapping, table)
    rows = pa.array(range(1, data.num_rows + 1), pa.int32())
    return Sheet(path, None, None, digest, _finish(data, rows, table), mapping.missing,
                 mapping.unknown,
                 mapping.repeated, tuple(schema.names))


def parquet_columns(schema: pa.Schema, mapping: _Mapping,
                    table: Table) -> tuple[list[str], list[str]]:
    """The source columns to read, and those to read as dictionaries."""
    columns = [schema.names[i] for i in mapping.keep]
    wanted = {schema.names[i]: low_cardinality(table.column(name), table)
              for i, name in mapping.keep.items()}
    return columns, dictionary_columns(schema, wanted)


def parquet_cells(raw: pa.Table | pa.RecordBatch, mapping: _Mapping, table: Table) -> pa.Table:
    """A Parquet table or batch (its columns in ``mapping.keep`` order) as the loader's cells."""
    names = list(mapping.keep.values())
    few = {name: low_cardinality(table.column(name), table) for name in names}
    return pa.table([as_cells(_chunked(raw.column(i)), table.column(name), few[name])
                     for i, name in enumerate(names)], names=names)


def _chunked(column: pa.Array | pa.ChunkedArray) -> pa.ChunkedArray:
    return column if isinstance(column, pa.ChunkedArray) else pa.chunked_array([column])


# --- XLSX --------------------------------------------------------------------------------


def _read_workbook(path: Path, table: Table, digest: str,
                   borrowed: list[str] | None) -> Iterator[Sheet]:
    from python_calamine import CalamineWorkbook

    with open(path, "rb") as fh:
        head = fh.read(512).lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")) and b"<html" in head:
        raise ReadError(f"{path.name}: an HTML page saved under a workbook name (some systems "
                        "export .xls this way); open it in Excel or WPS and save it as .xlsx")
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception:  # noqa: BLE001 - a WPS .et or a renamed file: tell the format by content
        with open(path, "rb") as fh:
            book = CalamineWorkbook.from_filelike(fh)
    for name in book.sheet_names:
        sheet = _read_sheet(book.get_sheet_by_name(name), path, name, table, digest, borrowed)
        if sheet is not None:
            borrowed = borrowed or list(sheet.header)
            yield sheet


def _read_sheet(source: object, path: Path, name: str, table: Table, digest: str,
                borrowed: list[str] | None = None) -> Sheet | None:
    """Stream a sheet's rows into Arrow in blocks, so Python objects never pile up.

    ``iter_rows`` starts at the sheet's first row (leading blank rows included), so a row's
    position plus one is its row number in Excel. None for a sheet with no rows at all.
    """
    rows_iter = enumerate(iter(source.iter_rows()), start=1)  # type: ignore[attr-defined]
    leading: list[tuple[int, list[object]]] = []
    for number, row in rows_iter:
        if any(v != "" for v in row):
            leading.append((number, row))
            if len(leading) > HEADER_SEARCH:
                break
    if not leading:
        return None
    where = f"{path.name} / sheet {name}"
    layout = find_header([[_cell_text(v, False) or "" for v in r] for _, r in leading], table,
                         borrowed, where, padded=True, numbers=[n for n, _ in leading])
    mapping = map_headers(layout.header, table)
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

    def take(number: int, row: list[object]) -> None:
        if any(v != "" for v in row):
            block.append(row)
            numbers.append(number)
            if len(block) >= _XLSX_BLOCK:
                flush()

    for number, row in leading[layout.data_from:]:
        take(number, row)
    for number, row in rows_iter:
        take(number, row)
    flush()
    columns = [pa.chunked_array(c, pa.string()) for c in chunks]
    data = pa.table(columns, names=[col for _, col, _ in keep]) if keep else pa.table({})
    rows = pa.chunked_array(row_chunks, pa.int32()).combine_chunks()
    return Sheet(path, name, None, digest, _finish(data, rows, table), mapping.missing,
                 mapping.unknown, mapping.repeated, tuple(layout.header), (), layout.notes)


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


def _strip_control(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Text without control characters (tab and line breaks stay), scanned once."""
    if pc.any(pc.match_substring_regex(column, CONTROL_IN_TEXT)).as_py():
        return pc.replace_substring_regex(column, CONTROL_IN_TEXT, "")
    return column


def _nothing_to_trim(column: pa.ChunkedArray) -> bool:
    """No value is empty or starts or ends with a byte that could be (part of) whitespace.

    Read from Arrow's buffers with numpy: each value's first and last byte. Anything not
    plainly printable ASCII there (a control byte, a space, a non-ASCII character, which may be
    Unicode whitespace) sends the column the whole way (trim, then empty to null)."""
    if column.type != pa.string():
        return False
    for chunk in column.chunks:
        if not len(chunk):
            continue
        offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int32)[
            chunk.offset:chunk.offset + len(chunk) + 1]
        if not chunk.null_count:  # ids of one length, the usual case: their edges are strides
            lengths = np.diff(offsets)
            width = int(lengths.min())
            if width == int(lengths.max()):
                if not width:
                    return False
                data = np.frombuffer(chunk.buffers()[2], dtype=np.uint8)
                rows = data[offsets[0]:offsets[-1]].reshape(len(chunk), width)
                if _unprintable(rows[:, 0]) or _unprintable(rows[:, -1]):
                    return False
                continue
        starts, ends = offsets[:-1], offsets[1:]
        if chunk.null_count:
            valid = chunk.is_valid().to_numpy(zero_copy_only=False)
            starts, ends = starts[valid], ends[valid]
        if not len(starts):
            continue
        if (ends <= starts).any():
            return False
        data = np.frombuffer(chunk.buffers()[2], dtype=np.uint8)
        if _unprintable(data[starts]) or _unprintable(data[ends - 1]):
            return False
    return True


def _unprintable(edge: np.ndarray) -> bool:
    """Whether any byte is outside printable ASCII ("!" to "~"): one subtraction that wraps
    below "!", one comparison."""
    return bool((np.subtract(edge, 0x21, dtype=np.uint8) > 0x7E - 0x21).any())


def _finish(data: pa.Table, rows: pa.Array, table: Table | None = None) -> pa.Table:
    """Trim whitespace, make empty cells null, add the row numbers.

    A ledger's text (few rows, printed in the bulletin) loses its control characters here;
    the big tables' few-valued columns lose theirs per distinct value in ``stack``. Typed
    date-times pass as they are; dictionaries are finished per distinct value.
    """
    columns = []
    for column in data.columns:
        if pa.types.is_timestamp(column.type):
            columns.append(column)
            continue
        if pa.types.is_dictionary(column.type):
            done = [finish_dictionary(chunk) for chunk in column.chunks]
            if all(d is not None for d in done):
                columns.append(pa.chunked_array(done, type=column.type))
                continue
            column = column.cast(column.type.value_type)
        if table is not None and not table.required:
            column = _strip_control(column)
        if _nothing_to_trim(column):  # ids and codes, usually: the column as it is
            columns.append(column)
            continue
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
    broken: np.ndarray | None = None
    """Rows that are lines the CSV parser could not split (every cell empty)."""
    broken_detail: pd.Series | None = None
    """For each broken row, "expected N fields, found M" (by row position)."""
    exact: frozenset[str] = frozenset()
    """Categorical columns whose categories are exactly the values used, in order of first
    use (``stack`` makes them so): validation takes their codes as they are."""

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
    folder = Path(folder)
    borrowed: list[str] | None = None
    for path in find_files(folder, table):
        if outside(path, folder):
            errors.append((path.name, f"{path.name}: {LINK_OUTSIDE}"))
            continue
        try:
            found = read_file(path, table, borrowed)
        except ReadError as exc:
            errors.append((path.name, str(exc)))
            continue
        sheets.extend(found)
        if borrowed is None and found:
            borrowed = list(found[0].header)
    return stack(table, sheets, errors)


def stack(table: Table, sheets: list[Sheet],
          errors: list[tuple[str, str]] | None = None) -> RawTable:
    """Stack sheets into one frame: contract column order, absent columns as missing values."""
    import pandas as pd

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
        stacked = pa.concat_tables(_alike(parts))
    else:
        stacked = pa.table({**{n: pa.array([], pa.string()) for n in names},
                            "_row": pa.array([], pa.int32())})
    few = [name for name in names if low_cardinality(table.column(name), table)]
    for name in few:
        i = stacked.schema.get_field_index(name)
        column = stacked.column(name)
        encoded = (in_order_of_appearance(column) if pa.types.is_dictionary(column.type)
                   else pc.dictionary_encode(column))
        stacked = stacked.set_column(i, name, _clean_dictionary(encoded))
    frame = stacked.unify_dictionaries().to_pandas(self_destruct=True, split_blocks=True)
    for name in names:
        if len(frame) == 0 or frame[name].dtype == object:
            frame[name] = frame[name].astype("str")
    sheet_ids = np.repeat(np.arange(len(sheets), dtype=np.int32), [s.rows for s in sheets])
    file_names = [s.path.name for s in sheets]
    sheet_names = [s.sheet or "" for s in sheets]
    frame.insert(len(names), "_file", _labels(sheet_ids, file_names))
    frame.insert(len(names) + 1, "_sheet", _labels(sheet_ids, sheet_names))
    broken = np.zeros(len(frame), dtype=bool)
    detail: dict[int, str] = {}
    for sheet, (_, stop) in zip(sheets, bounds, strict=True):
        if sheet.broken:
            first = stop - len(sheet.broken)
            broken[first:stop] = True
            for i, found in enumerate(sheet.broken):
                detail[first + i] = f"expected {len(sheet.header)} fields, found {found}"
    shown = pd.Series(detail, dtype=object).reindex(range(len(frame))) if detail else None
    exact = frozenset(n for n in few if isinstance(frame[n].dtype, pd.CategoricalDtype))
    return RawTable(table, sheets, errors or [], frame, bounds, broken, shown, exact)


def _alike(parts: list[pa.Table]) -> list[pa.Table]:
    """Sheets of one table in different formats: a column typed in one and text in another
    becomes text in all (typed date-times as text, dictionaries decoded), so they stack."""
    if len({p.schema for p in parts}) <= 1:
        return parts
    out = [p for p in parts]
    for i, name in enumerate(parts[0].column_names):
        kinds = {p.schema.field(i).type for p in parts}
        if len(kinds) > 1:
            out = [p.set_column(i, name, p.column(i) if p.schema.field(i).type == pa.string()
                                else as_text(p.column(i))) for p in out]
    return out


def _clean_dictionary(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A few-valued column without control characters, checked per distinct value."""
    dirty = any(pc.any(pc.match_substring_regex(chunk.dictionary, CONTROL_IN_TEXT)).as_py()
                for chunk in column.chunks)
    if not dirty:
        return column
    return pc.dictionary_encode(_strip_control(column.cast(pa.string())))


def _labels(ids: np.ndarray, labels: list[str]) -> pd.Categorical:
    import pandas as pd

    categories = list(dict.fromkeys(labels))
    # pandas' own code width (no copy to narrow them), and codes valid by construction
    dtype = np.int8 if len(categories) < 1 << 7 else np.int16 if len(categories) < 1 << 15 \
        else np.int32
    if len(categories) == 1:  # one file and sheet: every row the same
        codes = np.zeros(len(ids), dtype=dtype)
    else:
        lookup = np.array([categories.index(x) for x in labels], dtype=dtype)
        codes = lookup[ids] if len(ids) else np.array([], dtype=dtype)
    return pd.Categorical.from_codes(codes, categories=categories or [""][:0], validate=False)
