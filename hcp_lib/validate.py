"""Validating one table's text against the contract, vectorised, and typing what passes.

Each check yields a boolean mask over the rows; a row under any error mask is rejected, with
one reason per problem. Checks on columns with few distinct values (levels, units, regions,
enumerations) run once per distinct value, then spread to the rows by code.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .arrowtext import arrow_text
from .config import Config
from .contract import LEVELS, Column, Table
from .hashing import Hashed, duplicated
from .isotime import ISO_SECONDS, iso_seconds
from .masking import printable
from .moments import in_unit
from .problems import KINDS, Problem, Severity, group
from .quarters import Quarter, QuarterError
from .readers import RawTable
from .registry import Registry

DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y%m%dT%H%M%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
)
"""Accepted date-time spellings: export default, Excel's display, GB/T basic format, variants."""
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y-%m-%d %H:%M:%S")
QUARTER_COLUMN = "quarter"
META = ("_file", "_sheet", "_row")
_REGION = re.compile(r"^(\d{6})(0{6})?$")
_MONTH = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
    re.compile(r"^(\d{4})-(\d{2})-01 00:00:00$"),  # a month typed as a date in Excel
)
_BOOL = {"是": True, "否": False, "true": True, "false": False, "1": True, "0": False,
         "y": True, "n": False, "yes": True, "no": False}


@dataclass
class Validated:
    """One table after validation: typed accepted rows, raw rejected rows, grouped problems."""

    accepted: pd.DataFrame
    rejected: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    key_hashes: np.ndarray | None = None
    """The accepted rows' key hashes, when validated in batches (``earlier`` given)."""
    accepted_rows: np.ndarray | None = None
    """Which of the table's rows were accepted, when validated in batches (``earlier`` given)."""

    @property
    def read(self) -> int:
        return len(self.accepted) + len(self.rejected)


class _Collector:
    """Accumulates problems, the reject mask and each rejected row's reasons."""

    def __init__(self, table: Table, meta: pd.DataFrame, max_examples: int,
                 skip: np.ndarray | None = None) -> None:
        self.table = table
        self.skip = skip if skip is not None and skip.any() else None
        """Rows no other check looks at (lines that could not be split: already rejected)."""
        self.meta = meta
        self.max_examples = max_examples
        self.reject = np.zeros(len(meta), dtype=bool)
        self.problems: list[Problem] = []
        self._reasons: list[tuple[np.ndarray, pa.Array]] = []
        """Each check's rejected rows (positions, in order) and their reason texts."""

    def add(self, kind: str, column: Column | None, mask: np.ndarray,
            values: pd.Series | None = None, severity: Severity = "error",
            detail: str = "", *, always: bool = False) -> None:
        mask = np.asarray(mask, dtype=bool)
        if self.skip is not None and not always:
            mask = mask & ~self.skip
        if not mask.any():
            return
        if column is not None and column.personal:
            values = None  # never echo personal data
        if values is not None:
            values = shown_text(values, mask)
        header = column.header if column is not None else None
        self.problems += group(self.table.name, kind, header, self.meta, mask, values,
                               self.max_examples, severity, detail)
        if severity != "error":
            return
        self.reject |= mask
        label = f"{header}: {KINDS[kind]}" if header else KINDS[kind]
        if detail:
            label += f": {detail}"
        where = np.flatnonzero(mask)
        if values is not None:
            texts = _quoted_values(label + " '", values[mask])
        else:
            texts = _repeated(label, len(where))
        self._reasons.append((where, texts))

    def reasons(self) -> pd.Series:
        """``; ``-joined reasons of every rejected row, by row position, in the order the
        checks found them.

        Joined by Arrow, a column per rank (each row's first reason, its second, ...): a
        quarter exported twice rejects every row of the second copy, and a group-by joining
        each row's reasons in Python took a minute for two million rows."""
        if not self._reasons:
            return pd.Series([], dtype=object)
        if len(self._reasons) == 1:  # positions in order already (``flatnonzero``)
            where, texts = self._reasons[0]
            return pd.Series(pd.array(texts, dtype="str"), index=where)
        positions = np.concatenate([where for where, _ in self._reasons])
        order = np.argsort(positions, kind="stable")
        rows = positions[order]
        texts = pa.concat_arrays([texts for _, texts in self._reasons]).take(order)
        starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        counts = np.diff(np.r_[starts, len(rows)])
        ranks = [texts.take(pa.array(starts + r, mask=counts <= r)) for r in range(counts.max())]
        joined = ranks[0] if len(ranks) == 1 else pc.binary_join_element_wise(
            *ranks, "; ", null_handling="skip")
        return pd.Series(pd.array(joined, dtype="str"), index=rows[starts])


def _quoted_values(prefix: str, values: pd.Series) -> pa.Array:
    """``prefix`` + each value's first 60 characters + ``'``: a reason quoting its value
    (empty for a missing one, which no check quotes).

    Arrow's kernels for text columns; pandas' ``str`` of anything else (numbers as pandas
    prints them)."""
    text = arrow_text(values)
    if text is None:  # numbers and other objects as pandas prints them
        printed = values.astype(str)
        text = arrow_text(printed)
        if text is None:
            text = pa.array(printed.tolist(), pa.string())
    text = pc.fill_null(pc.utf8_slice_codeunits(text.cast(pa.string()), 0, 60), "")
    return pc.binary_join_element_wise(prefix, text, "'", "")


def validate_table(raw: RawTable, quarter: Quarter, config: Config,
                   registry: Registry | None = None, *,
                   earlier: Callable[[pd.DataFrame], np.ndarray] | None = None,
                   prune: bool = True, hashed: Hashed | None = None) -> Validated:
    """Check every row of a table, type the accepted ones and keep the rejected ones raw.

    For one batch of a table read in batches: ``earlier`` marks the rows whose key an earlier
    batch already held (given the key columns and their ``Hashed``, rows with an incomplete key
    included, and it remembers this batch's keys), and ``prune=False`` keeps categories seen only in rejected
    rows, so that the batches' category orders can be merged into the whole table's.
    ``hashed``: the key's ``Hashed`` when already worked out from the raw key columns (only
    where ``key_as_read``: the raw values are then the typed ones).
    """
    table, frame = raw.table, raw.frame
    registry = registry if registry is not None else config.registry
    meta = frame[list(META)]
    found = _Collector(table, meta, config.input.max_examples_per_problem, raw.broken)
    if raw.broken is not None:
        found.add("ragged_row", None, raw.broken, raw.broken_detail, always=True)

    for sheet, (start, stop) in zip(raw.sheets, raw.bounds, strict=True):
        for kind, note in sheet.notes:
            found.problems.append(Problem(table.name, sheet.path.name, sheet.sheet, None,
                                          kind, "warning", 0, [], note))
        mask = np.zeros(len(frame), dtype=bool)
        if sheet.missing:
            mask[start:stop] = True
            headers = ", ".join(table.column(m).header for m in sheet.missing)
            found.add("missing_column", None, mask, detail=headers)
            if stop == start:  # an empty sheet still gets its file-level error
                found.problems.append(Problem(table.name, sheet.path.name, sheet.sheet, None,
                                              "missing_column", "error", 0, [], headers))
        for kind, names in (("unknown_column", sheet.unknown), ("repeated_column", sheet.repeated)):
            if names:
                found.problems.append(Problem(table.name, sheet.path.name, sheet.sheet, None,
                                              kind, "warning", 0, [], ", ".join(names)))

    typed: dict[str, object] = {}
    for col in table.columns:
        if col.name not in frame.columns or col.personal:
            continue
        values = frame[col.name]
        present = values.notna().to_numpy()
        if col.required:
            found.add("empty", col, ~present & ~raw.absent(col.name))
        kind, converted, bad = _convert(col, values, table, quarter, config, registry,
                                        col.name in raw.exact)
        found.add(kind, col, bad & present, values)
        checks = [] if col.name == table.period_column else _implausible(col, converted,
                                                                         quarter, config)
        for check, outside, detail in checks:
            found.add(check, col, outside & ~bad & present, values, detail=detail)
        if col.name in table.unit_columns:
            typed[col.name] = converted
            typed[f"{col.name}_name"] = values.astype("category")
        else:
            typed[col.name] = converted

    if table.period_column and table.period_column in typed:
        outside = _outside(typed[table.period_column], quarter.start, quarter.end)
        found.add("out_of_period", table.column(table.period_column), outside,
                  frame[table.period_column], detail=f"{quarter.start:%Y-%m-%d} – {quarter.last_day}")

    if table.key and all(k in typed for k in table.key):
        keys = pd.DataFrame({k: typed[k] for k in table.key}, copy=False)
        if hashed is None and (earlier is not None or len(keys) > 1):
            hashed = Hashed.of(keys)
        dup, shown = _duplicates(keys, hashed)
        if earlier is not None:
            dup |= earlier(keys, hashed) & keys.notna().all(axis=1).to_numpy()
        found.add("duplicate_key", table.column(table.key[0]) if len(table.key) == 1 else None,
                  dup, shown, detail="" if len(table.key) == 1 else " + ".join(
                      table.column(k).header for k in table.key))

    typed.update({m: frame[m] for m in META})
    accepted = pd.DataFrame(typed, copy=False)  # no blocks of alike columns copied together
    if found.reject.any():  # the usual batch rejects nothing: no copy of every column
        accepted = accepted.loc[~found.reject]
    accepted = accepted.reset_index(drop=True)
    levels = {c.name for c in table.columns if c.dtype == "level"}
    for name in accepted.columns:  # rejected values must not linger as empty groups
        if prune and name not in levels and isinstance(accepted[name].dtype, pd.CategoricalDtype):
            accepted[name] = accepted[name].cat.remove_unused_categories()
    rejected = _rejects(frame, table, found.reject, found.reasons())
    batched = earlier is not None
    kept = hashed.hashes[~found.reject] if hashed is not None and batched else None
    return Validated(accepted, rejected, found.problems, kept, ~found.reject if batched else None)


def key_as_read(table: Table) -> bool:
    """Whether the table's key columns are validated as read (text, nothing converted): then
    their raw values are the typed ones, and their hashes can be worked out before validation."""
    return bool(table.key) and all(_as_read(table.column(k), table) for k in table.key)


def _as_read(col: Column, table: Table) -> bool:
    """``_convert`` hands this column's values back unchanged."""
    return (col.dtype == "str" and not col.personal and not col.categorical
            and not col.vocabulary and not col.enum and col.name not in table.unit_columns
            and col.name != QUARTER_COLUMN)


# --- conversions -------------------------------------------------------------------------


def _convert(col: Column, values: pd.Series, table: Table, quarter: Quarter, config: Config,
             registry: Registry, exact: bool = False) -> tuple[str, object, np.ndarray]:
    """(problem kind, typed values, bad mask) for one column; ``exact``: a categorical whose
    categories are exactly its values, in order of first use (``RawTable.exact``)."""
    mapped = partial(map_unique, values, exact=exact)
    if col.dtype in ("datetime", "date") and pd.api.types.is_datetime64_dtype(values.dtype):
        parsed, bad = typed_datetimes(values)  # a typed Parquet column: nothing to parse
        parsed = parsed.dt.normalize() if col.dtype == "date" else parsed
        return f"bad_{col.dtype}", parsed, bad
    if col.dtype == "datetime":
        parsed = parse_datetimes(values, DATETIME_FORMATS)
        return "bad_datetime", parsed, parsed.isna().to_numpy()
    if col.dtype == "date":
        parsed = parse_datetimes(values, DATE_FORMATS).dt.normalize()
        return "bad_date", parsed, parsed.isna().to_numpy()
    if col.dtype == "int":  # written as a whole number: "1e3" or "2.5" is a typo, not 1000
        written = values.astype("str").str.fullmatch(r"[+-]?\d{1,15}(\.0*)?").fillna(False)
        number = pd.to_numeric(values.where(written), errors="coerce")
        whole = number.notna() & (number % 1 == 0)
        return "bad_int", number.where(whole).astype("Int64"), ~whole.to_numpy()
    if col.dtype == "float":
        number = pd.to_numeric(values, errors="coerce").astype("float64")
        return "bad_float", number, number.isna().to_numpy()
    if col.dtype == "bool":
        return ("bad_bool", *mapped(lambda v: _BOOL.get(v.casefold()), None))
    if col.dtype == "month":
        return "bad_month", *mapped(month)
    if col.dtype == "region":
        return "bad_region", *mapped(region)
    if col.dtype == "level":
        decode = level_decoder(config.input.level_codes)
        return "bad_level", *mapped(decode, LEVELS)
    if col.name in table.unit_columns:
        return "unknown_unit", *mapped(registry.resolve)
    if col.name == QUARTER_COLUMN:
        wanted = str(quarter)
        return "wrong_quarter", *mapped(lambda v: wanted if _quarter(v) == wanted else None)
    if col.vocabulary:
        return "bad_vocabulary", *mapped(vocabulary_decoder(col.vocabulary, config))
    if col.enum:
        allowed = set(col.enum)
        return "bad_enum", *mapped(lambda v: v if v in allowed else None, col.enum)
    ok = np.zeros(len(values), dtype=bool)
    return "", values.astype("category") if col.categorical else values, ok


def _implausible(col: Column, typed: object, quarter: Quarter,
                 config: Config) -> list[tuple[str, np.ndarray, str]]:
    """Values that parse but cannot be right: (problem kind, mask, the bound broken)."""
    checks = config.input.checks
    out: list[tuple[str, np.ndarray, str]] = []
    if col.bounds == "score":
        number = pd.Series(typed, dtype="float64")
        finite = np.isfinite(number.to_numpy())
        out.append(("not_finite", ~finite & number.notna().to_numpy(), ""))
        low, high = checks.score_min, checks.score_max
        out.append(("out_of_range", finite & ((number < low) | (number > high)).to_numpy(),
                    f"{low:g}–{high:g}"))
    elif col.bounds == "count":
        number = pd.Series(typed).astype("Float64")
        outside = ((number < 0) | (number > checks.count_max)).fillna(False).to_numpy(dtype=bool)
        out.append(("out_of_range", outside, f"0–{checks.count_max}"))
    elif col.dtype in ("datetime", "date"):
        earliest = pd.Timestamp(checks.earliest_date)
        latest = pd.Timestamp(quarter.end) + pd.Timedelta(days=checks.days_after_quarter)
        outside = _outside(pd.Series(typed), earliest, latest)
        out.append(("implausible_date", outside,
                    f"{earliest:%Y-%m-%d} – {latest - pd.Timedelta(days=1):%Y-%m-%d}"))
    return out


def _outside(moments: pd.Series, low: object, high: object) -> np.ndarray:
    """Date-times before ``low`` or from ``high`` on; a missing one is neither. Compared as
    numpy's datetime64, a pass each, without pandas' dispatch and missing-value handling."""
    values = moments.to_numpy()
    if values.dtype.kind != "M":
        return ((moments < low) | (moments >= high)).fillna(False).to_numpy(dtype=bool)
    low, high = (pd.Timestamp(bound).to_datetime64() for bound in (low, high))
    return (values < low) | (values >= high)


def map_unique(values: pd.Series, fn: Callable[[str], object | None],
               categories: tuple[str, ...] | None = (), *, exact: bool = False
               ) -> tuple[object, np.ndarray]:
    """Apply ``fn`` once per distinct value; None from ``fn`` marks the value bad.

    Returns a Categorical (``categories`` fixes their order; None returns plain objects) and
    the bad mask. Missing values stay missing and are not bad. ``exact``: see ``_distinct``.
    """
    codes, uniques = _distinct(values, exact)
    mapped = [fn(str(u)) for u in uniques]
    bad_unique = np.array([m is None for m in mapped] + [False], dtype=bool)
    # Per row, a look-up only where it changes something: the usual column has no bad value,
    # and its distinct values map one to one, in order, onto the categories.
    bad = bad_unique[codes] if bad_unique.any() else np.zeros(len(codes), dtype=bool)
    if categories is None:
        lut = np.array([*mapped, None], dtype=object)
        return pd.Series(lut[codes], index=values.index), bad
    cats = list(categories) or list(dict.fromkeys(m for m in mapped if m is not None))
    position = {c: i for i, c in enumerate(cats)}
    lut = np.array([position.get(m, -1) for m in mapped] + [-1], dtype=np.int32)
    same = np.array_equal(lut[:-1], np.arange(len(mapped), dtype=np.int32))
    typed = pd.Categorical.from_codes(codes.astype(np.int32) if same else lut[codes],
                                      categories=pd.Index(cats, dtype=object))
    return pd.Series(typed, index=values.index), bad


def _distinct(values: pd.Series, exact: bool = False) -> tuple[np.ndarray, object]:
    """Codes and distinct values, in order of first appearance (``pd.factorize``'s answer).

    ``stack`` hands over few-valued columns as categoricals whose categories are exactly the
    values used, in order of first use (``exact``, said by ``RawTable.exact``): their codes
    are the answer already. Another categorical's are, once every category is seen used.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        categories = values.cat.categories
        if exact or np.bincount(codes[codes >= 0], minlength=len(categories)).all():
            return codes, categories
    return pd.factorize(values, use_na_sentinel=True)


def parse_datetimes(values: pd.Series, formats: tuple[str, ...]) -> pd.Series:
    """Text to datetime64[ns] trying each format in turn; NaT where none fits.

    With the export's own spelling first (``isotime.ISO_SECONDS``), the values in exactly
    that shape are read from their digits, and only the others go through ``strptime``."""
    textual = pd.api.types.is_string_dtype(values.dtype) or values.dtype == object
    text = pa.array(values if textual else values.astype("str"), from_pandas=True)
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    if (pa.types.is_large_string(text.type) or pa.types.is_string_view(text.type)
            or pa.types.is_null(text.type)):  # all missing: no type to read
        text = text.cast(pa.string())
    if not formats or formats[0] != ISO_SECONDS:
        return pd.Series(_strptime(text, formats), index=values.index)
    seconds, read = iso_seconds(text)
    stamps = seconds.astype("datetime64[s]").astype("datetime64[ns]")
    if not read.all():
        rest = np.flatnonzero(~read)
        stamps[rest] = _strptime(text.take(pa.array(rest)), formats)
    return pd.Series(stamps, index=values.index)


def _strptime(text: pa.StringArray, formats: tuple[str, ...]) -> np.ndarray:
    """``text`` as datetime64[ns] by Arrow's ``strptime``, each format in turn (NaT where
    none fits, and beyond what datetime64[ns] holds, as for typed date-times)."""
    merged = None
    for fmt in formats:  # later formats only when some text is still unparsed
        parsed = pc.strptime(text, format=fmt, unit="s", error_is_null=True)
        merged = parsed if merged is None else pc.coalesce(merged, parsed)
        if merged.null_count == text.null_count:
            break
    stamps = merged.to_numpy(zero_copy_only=False).astype("datetime64[s]")
    beyond = (stamps < _NS_RANGE[0]) | (stamps > _NS_RANGE[1])
    if beyond.any():
        stamps[beyond] = np.datetime64("NaT")
    return stamps.astype("datetime64[ns]")


_NS_RANGE = (np.datetime64(pd.Timestamp.min.ceil("s")), np.datetime64(pd.Timestamp.max.floor("s")))


def typed_datetimes(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Typed date-times as datetime64[ns]; beyond what that holds (before 1678, after 2261)
    is bad, as the same text would be."""
    column = stamps = values.to_numpy()
    # The bounds in the column's own unit (whole seconds: exact in any unit down to ns), so
    # the comparisons do not convert every value first.
    low, high = (bound.astype(stamps.dtype) for bound in _NS_RANGE)
    bad = ~np.isnat(stamps) & ((stamps < low) | (stamps > high))
    if bad.any():
        stamps = np.where(bad, np.datetime64("NaT"), stamps)
    typed = in_unit(stamps, "ns")
    # a new array becomes the Series' own; the column's own data is copied, as pandas would
    return pd.Series(typed, index=values.index, copy=typed is column), bad


def shown_text(values: pd.Series, mask: np.ndarray) -> pd.Series:
    """What a problem or a rejects file shows for typed date-times: their text, as exported."""
    if not pd.api.types.is_datetime64_dtype(values.dtype):
        return values
    text = pd.Series(None, index=values.index, dtype=object)
    text[mask] = datetime_text(values.to_numpy()[mask]).to_numpy(zero_copy_only=False)
    return text


def datetime_text(stamps: np.ndarray) -> pa.Array:
    """Each date-time as ``str(pd.Timestamp)`` writes it (null for NaT), without a Timestamp
    per value: whole seconds formatted by Arrow, the rare fraction of a second by pandas."""
    seconds = stamps.astype("datetime64[s]")
    fraction = np.flatnonzero(~np.isnat(stamps) & (seconds != stamps))
    text = pa.array(seconds).cast(pa.string())
    if not len(fraction):
        return text
    exact = [str(pd.Timestamp(stamps[i])) for i in fraction]
    out = text.to_numpy(zero_copy_only=False)
    out[fraction] = exact
    return pa.array(out, pa.string())


def level_decoder(direction: str) -> Callable[[str], str | None]:
    """A label stays; a code 1-5 decodes by the configured direction (descending: 5=非常满意)."""
    order = LEVELS if direction == "ascending" else tuple(reversed(LEVELS))

    def decode(value: str) -> str | None:
        if value in LEVELS:
            return value
        code = value[:-2] if value.endswith(".0") else value
        if code in {"1", "2", "3", "4", "5"}:
            return order[int(code) - 1]
        return None

    return decode


def vocabulary_decoder(name: str, config: Config) -> Callable[[str], str | None]:
    """Allowed values from ``config.input.<name>s``; codes via ``config.input.<name>_codes``."""
    allowed = set(getattr(config.input, f"{name}s"))
    codes = getattr(config.input, f"{name}_codes", {}) or {}

    def decode(value: str) -> str | None:
        label = codes.get(value[:-2] if value.endswith(".0") else value, value)
        return label if label in allowed else None

    return decode


def region(value: str) -> str | None:
    """Six digits; a 12-digit code padded with six trailing zeros is the same region."""
    m = _REGION.match(value)
    return m.group(1) if m else None


def month(value: str) -> str | None:
    """``YYYY-MM`` (also ``YYYY/MM``, ``YYYY年M月``, ``YYYYMM``, an Excel date on day 1)."""
    for pattern in _MONTH:
        m = pattern.match(value)
        if m and 1 <= int(m.group(2)) <= 12:
            return f"{m.group(1)}-{int(m.group(2)):02d}"
    return None


def _quarter(value: str) -> str | None:
    try:
        return str(Quarter.parse(value))
    except QuarterError:
        return None


def _duplicates(frame: pd.DataFrame, hashed: Hashed | None) -> tuple[np.ndarray, pd.Series]:
    """Rows whose key repeats an earlier row's (rows with an incomplete key are not compared)."""
    dup = duplicated(frame, hashed)
    if frame.shape[1] == 1:
        shown = frame.iloc[:, 0]
    else:
        shown = frame.astype(str).agg(" / ".join, axis=1) if dup.any() else frame.iloc[:, 0]
    return dup, shown


def _rejects(frame: pd.DataFrame, table: Table, reject: np.ndarray,
             reasons: pd.Series) -> pd.DataFrame:
    """Rejected rows as the user sent them: where, why, then every column by its header.

    Personal columns are present but blank.
    """
    if not reject.any():  # the usual batch: no row to show, only the layout
        return pd.DataFrame(columns=["file", "sheet", "row", "reasons",
                                     *(col.header for col in table.columns)])
    rows = frame.loc[reject]
    out = {
        "file": _printable_labels(rows["_file"]),
        "sheet": _printable_labels(rows["_sheet"]),
        "row": rows["_row"].to_numpy(),
        "reasons": pd.array(reasons.reindex(np.flatnonzero(reject)).array, dtype="str"),
    }
    for col in table.columns:
        if col.personal or col.name not in rows.columns:
            out[col.header] = pd.array(_repeated("", len(rows)), dtype="str")
        else:
            out[col.header] = _as_text(rows[col.name])
    return pd.DataFrame(out)


def _as_text(values: pd.Series) -> object:
    """A column of rejected rows as text, as the user sent it (date-times as exported); kept
    in Arrow where it is, not made a Python string per cell."""
    if pd.api.types.is_datetime64_dtype(values.dtype):
        return pd.array(datetime_text(values.to_numpy()), dtype="str")
    text = arrow_text(values)
    if text is not None:
        return pd.array(text, dtype="str")
    return values.astype(object).to_numpy()


def _repeated(text: str, n: int) -> pa.Array:
    return pa.array([text], pa.string()).take(np.zeros(n, dtype=np.int32))


def _printable_labels(labels: pd.Series) -> pd.api.extensions.ExtensionArray:
    """File or sheet names, escaped once per distinct name, not once per row."""
    codes, names = pd.factorize(labels, use_na_sentinel=False)
    shown = pa.array([printable(str(name)) for name in names], pa.string())
    return pd.array(shown.take(pa.array(codes)), dtype="str")
