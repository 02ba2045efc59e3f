"""Reduction: a quarter's record-level tables -> compact aggregates every metric is computed from.

The aggregates' size depends on how many units, items, channels … there are, never on how many
records: evaluation counts by (unit, region, item, channel, level after verification, mode,
month, hall, late push), case counts by (unit, region, item, handling channel, hall, month) with
the cases checked for, and lacking, an evaluation, plus the few raw bad reviews with their
ledger entries. Every column is turned into integer codes once; the group-by is one integer
key counted with numpy, and the evaluation -> case join is an Arrow hash lookup on case_id.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .config import Config
from .contract import LEVELS
from .moments import day_numbers, in_unit
from .quarters import Quarter

AGGREGATES_VERSION = 2
"""Bump when the aggregates' content or layout changes: cached copies are then recomputed."""

EVAL_DIMS = ("unit", "region_code", "item_code", "channel", "level", "mode", "month", "hall", "late")
CASE_DIMS = ("unit", "region_code", "item_code", "handling_channel", "hall", "month")
SMALL_TABLES = ("survey", "stars", "red_flags", "commendations")
BAD_COLUMNS = (
    "eval_id", "case_id", "item_code", "item_name", "unit", "unit_name", "region_code", "channel",
    "level", "mode", "evaluated_at", "verdict", "corrected_level", "verified_at", "rectification",
    "rectified_at",
)
POST_BAD_COLUMNS = ("item_code", "item_name", "unit", "count")


@dataclass
class Aggregates:
    """One quarter, reduced. Small DataFrames only; cache them with ``to_parquet``."""

    quarter: str
    evaluations: pd.DataFrame  # EVAL_DIMS + count
    cases: pd.DataFrame  # CASE_DIMS + cases, checked, without_evaluation
    bad_reviews: pd.DataFrame  # BAD_COLUMNS: raw bad reviews of the quarter with their ledger entry
    post_bad_reviews: pd.DataFrame  # POST_BAD_COLUMNS: raw bad reviews after the quarter, per item
    small: dict[str, pd.DataFrame] = field(default_factory=dict)  # survey, stars, red_flags, …
    meta: dict[str, Any] = field(default_factory=dict)

    def to_parquet(self, directory: str | Path) -> Path:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        for name in ("evaluations", "cases", "bad_reviews", "post_bad_reviews"):
            getattr(self, name).to_parquet(directory / f"{name}.parquet", index=False)
        for name, frame in self.small.items():
            _stringify(frame).to_parquet(directory / f"small_{name}.parquet", index=False)
        meta = {"quarter": self.quarter, "small": sorted(self.small), **self.meta}
        (directory / "meta.json").write_text(
            json.dumps(meta, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        return directory

    @classmethod
    def from_parquet(cls, directory: str | Path) -> Aggregates:
        directory = Path(directory)
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
        quarter = meta.pop("quarter")
        small = {n: pd.read_parquet(directory / f"small_{n}.parquet") for n in meta.pop("small")}
        frames = {
            name: pd.read_parquet(directory / f"{name}.parquet")
            for name in ("evaluations", "cases", "bad_reviews", "post_bad_reviews")
        }
        frames["evaluations"]["level"] = _levels(frames["evaluations"]["level"])
        return cls(quarter=quarter, small=small, meta=meta, **frames)


def reduce_quarter(
    tables: Mapping[str, pd.DataFrame],
    config: Config,
    *,
    next_evaluations: pd.DataFrame | None = None,
    quarter: Quarter | str | None = None,
    until: date | datetime | None = None,
) -> Aggregates:
    """Reduce one quarter's validated tables (``load_quarter(...).tables``).

    ``next_evaluations``: the following period's evaluations, read up to ``until`` (the
    bulletin's date, inclusive) for the look-ahead checks: post-quarter bad reviews per item
    and whether a late-completed case got its evaluation after the quarter ended.
    """
    evaluations = tables.get("evaluations", pd.DataFrame())
    cases = tables.get("cases", pd.DataFrame())
    ledger = tables.get("bad_reviews", pd.DataFrame())
    q = Quarter.parse(quarter) if quarter is not None else _infer_quarter(evaluations, cases)
    until_end = _end_of(until)

    bad_levels = [LEVELS.index(level) for level in config.bad_reviews.levels]
    raw_codes = _level_codes(evaluations.get("level", pd.Series(dtype=object)))
    level_codes = raw_codes.copy()
    ledger_pos = _index_in(evaluations.get("eval_id"), ledger.get("eval_id"))
    if config.satisfaction.use_corrected_levels and "corrected_level" in ledger and len(ledger):
        corrected = _level_codes(ledger["corrected_level"])
        hit = np.flatnonzero(ledger_pos >= 0)
        new = corrected[ledger_pos[hit]]
        keep = new >= 0
        level_codes[hit[keep]] = new[keep]

    case_hall = _hall_flags(cases, config)
    case_pos = _index_in(evaluations.get("case_id"), cases.get("case_id"))
    eval_hall = np.where(case_pos >= 0, case_hall[np.maximum(case_pos, 0)], False) \
        if len(case_hall) else np.zeros(len(evaluations), dtype=bool)

    evaluated_at = _datetimes(evaluations.get("evaluated_at"), len(evaluations))
    pushed_at = _datetimes(evaluations.get("pushed_at"), len(evaluations))
    limit = np.timedelta64(int(config.mechanism.push_limit_hours * 3600 * 1e6), "us")
    late = (pushed_at - evaluated_at) > limit  # NaT compares False: an unknown push is not late

    eval_agg = _group_count(
        {
            "unit": lambda: _encode(evaluations.get("unit")),
            "region_code": lambda: _encode(evaluations.get("region_code")),
            "item_code": lambda: _encode(evaluations.get("item_code")),
            "channel": lambda: _encode(evaluations.get("channel")),
            "level": lambda: (np.add(level_codes, 1, dtype=np.int8), np.array([None, *LEVELS], dtype=object)),
            "mode": lambda: _encode(evaluations.get("mode")),
            "month": lambda: _month_codes(evaluated_at),
            "hall": lambda: _bool_codes(eval_hall),
            "late": lambda: _bool_codes(late),
        },
        n=len(evaluations),
    )

    # Cases: which ones were old enough to be checked, and which got no evaluation at all.
    nxt = _lookahead(next_evaluations, q, until_end)
    data_end = _data_end(q, nxt, until_end, next_evaluations is not None)
    completed_at = _datetimes(cases.get("completed_at"), len(cases))
    grace = np.timedelta64(config.mechanism.missing_eval_grace_days, "D")
    checked = completed_at <= np.datetime64(data_end, "us") - grace
    # The evaluation -> case lookup already says which cases this quarter's evaluations cover;
    # only the (few) look-ahead evaluations need another hash lookup.
    evaluated = np.zeros(len(cases), dtype=bool)
    evaluated[case_pos[case_pos >= 0]] = True
    evaluated |= _is_in(cases.get("case_id"), [nxt["case_id"]] if "case_id" in nxt else [])
    case_agg = _group_count(
        {
            "unit": lambda: _encode(cases.get("unit")),
            "region_code": lambda: _encode(cases.get("region_code")),
            "item_code": lambda: _encode(cases.get("item_code")),
            "handling_channel": lambda: _encode(cases.get("handling_channel")),
            "hall": lambda: _bool_codes(case_hall),
            "month": lambda: _month_codes(completed_at),
        },
        n=len(cases),
        sums={"checked": checked, "without_evaluation": checked & ~evaluated},
        count_name="cases",
    )

    bad_mask = np.isin(raw_codes, bad_levels)
    bad = _bad_extract(evaluations, bad_mask, ledger, ledger_pos)
    post = _post_bad(nxt, config)

    meta = {
        "evaluations": len(evaluations),
        "cases": len(cases),
        "ledger": len(ledger),
        "ledger_without_evaluation": int(len(ledger) - len(np.unique(ledger_pos[ledger_pos >= 0]))),
        "evaluations_without_case": int((case_pos < 0).sum()),
        "evaluations_without_push_time": int(np.isnat(pushed_at).sum()),
        "next_evaluations_read": len(nxt),
        "lookahead_until": until_end.isoformat() if until_end else None,
        "evaluation_data_end": data_end.isoformat(),
    }
    small = {name: normalise_small(name, tables[name]) for name in SMALL_TABLES if name in tables}
    return Aggregates(str(q), eval_agg, case_agg, bad, post, small, meta)


# --- encoding -------------------------------------------------------------------------------

Codes = tuple[np.ndarray, np.ndarray]
"""Integer codes >= 0 (of any integer width: they are only added into an int64 key and used
as indices), and labels (index 0 = missing)."""


def narrowest(top: int) -> np.dtype:
    """The narrowest signed integer type holding 0..``top``: a batch's codes are written and
    read once more each, and at 500,000 rows an int64 column is 4 MB where int8 is 0.5."""
    for kind in (np.int8, np.int16, np.int32):
        if top <= np.iinfo(kind).max:
            return np.dtype(kind)
    return np.dtype(np.int64)


def _encode(values: pd.Series | None) -> Codes:
    """Integer codes for a column; code 0 is a missing value, labels[code] its value."""
    if values is None:
        return np.zeros(0, dtype=np.int64), np.array([None], dtype=object)
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = values.cat.categories
        codes = np.add(values.cat.codes.to_numpy(), 1, dtype=narrowest(len(categories)))
        labels = np.array([None, *categories.astype(object)], dtype=object)
        return codes, labels
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    labels = np.empty(len(uniques) + 1, dtype=object)
    labels[1:] = np.asarray(uniques, dtype=object)
    return codes.astype(np.int64) + 1, labels


def _bool_codes(flags: np.ndarray) -> Codes:
    """0 and 1 as the flags' own bytes (a view, not a copy; integers, so they index)."""
    return np.asarray(flags, dtype=bool).view(np.uint8), np.array([False, True], dtype=object)


def _month_codes(moments: np.ndarray) -> Codes:
    """Calendar-month codes: 1 = the first month the data spans, 0 = NaT."""
    return calendar(moments)[1]


def calendar(moments: np.ndarray) -> tuple[set[str], Codes]:
    """The days the moments fall on, and each moment's calendar-month codes, from one pass to
    whole days: a table of the few days spanned gives each day's month, where a binary search
    per row over the months' starts and a second pass for the days cost twice as much."""
    valid = ~np.isnat(moments)
    if not valid.any():
        return set(), (np.zeros(len(moments), dtype=np.int64), np.array([None], dtype=object))
    every = bool(valid.all())
    held = day_numbers(moments if every else moments[valid])
    first = int(held.min())
    held = held - first
    seen = np.flatnonzero(np.bincount(held)) + first  # counting, not sorting
    months = np.arange(first, first + int(held.max()) + 1).astype("datetime64[D]") \
        .astype("datetime64[M]").view(np.int64)
    lut = (months - months[0] + 1).astype(narrowest(len(months)))  # 1 = the first month
    if every:
        codes = lut[held]
    else:
        codes = np.zeros(len(moments), dtype=lut.dtype)
        codes[valid] = lut[held]
    labels = np.array([None, *(int(m) % 12 + 1 for m in range(months[0], months[-1] + 1))],
                      dtype=object)
    return {str(d) for d in seen.astype("datetime64[D]")}, (codes, labels)


def _group_count(
    columns: dict[str, Callable[[], Codes]],
    *,
    n: int,
    sums: dict[str, np.ndarray] | None = None,
    count_name: str = "count",
) -> pd.DataFrame:
    """Count rows per distinct combination of the coded columns (plus sums of boolean flags).

    Each column's codes are made on demand and folded at once into one int64 mixed-radix key,
    so only the key and one column's codes are ever held: memory stays flat in the columns.
    """
    sums = sums or {}
    names = list(columns)
    labels: dict[str, np.ndarray] = {}
    cards: list[int] = []
    key = np.zeros(n, dtype=np.int64)
    overflow = False
    for name, make in columns.items():
        codes, labels[name] = make()
        cards.append(len(labels[name]))
        if float(np.prod([float(c) for c in cards])) >= 2**62:
            overflow = True
            break
        key *= cards[-1]
        key += codes
    group_codes: dict[str, np.ndarray] = {}
    order = None
    if n == 0:
        inverse = np.zeros(0, dtype=np.int64)
        group_codes = {name: np.zeros(0, dtype=np.int64) for name in names}
        labels = {name: make()[1] for name, make in columns.items()}
    elif overflow:
        # Too many combinations for one int64 key: let pandas compress the codes instead.
        del key
        made = {name: make() for name, make in columns.items()}
        labels = {name: lab for name, (_, lab) in made.items()}
        frame = pd.DataFrame({name: codes for name, (codes, _) in made.items()})
        inverse = frame.groupby(names, sort=False).ngroup().to_numpy()
        first = pd.Series(np.arange(n)).groupby(inverse).first().to_numpy()
        group_codes = {name: codes[first] for name, (codes, _) in made.items()}
    else:
        inverse, uniques = pd.factorize(key, sort=False)  # hashing; order is irrelevant
        del key
        rest = uniques.astype(np.int64)
        order = np.argsort(rest, kind="stable")  # rows come out sorted by their codes
        for name, card in zip(reversed(names), reversed(cards), strict=True):
            group_codes[name] = rest % card
            rest //= card
    out: dict[str, Any] = {}
    for name in names:
        codes, labels_ = group_codes[name], labels[name]
        if name in ("hall", "late"):
            out[name] = codes.astype(bool)
        elif name == "month":
            out[name] = pd.array(labels_[codes], dtype="Int64")
        elif name == "level":
            out[name] = pd.Categorical.from_codes(codes - 1, categories=LEVELS, ordered=True)
        else:
            out[name] = pd.Categorical.from_codes(codes - 1, categories=pd.Index(labels_[1:]))
    groups = int(inverse.max()) + 1 if n else 0
    out[count_name] = np.bincount(inverse, minlength=groups).astype(np.int64)
    for name, flags in sums.items():
        out[name] = np.bincount(inverse, weights=flags.astype(np.float64),
                                minlength=groups).astype(np.int64)
    frame = pd.DataFrame(out)
    return frame.iloc[order].reset_index(drop=True) if order is not None else frame


def _levels(values: pd.Series) -> pd.Series:
    return pd.Series(pd.Categorical(values, categories=LEVELS, ordered=True), index=values.index)


def _level_codes(values: pd.Series | None) -> np.ndarray:
    """Codes 0..4 in LEVELS order (-1 missing), whatever the column's dtype."""
    if values is None or not len(values):
        return np.zeros(0, dtype=np.int8)
    if isinstance(values.dtype, pd.CategoricalDtype) and list(values.cat.categories) == list(LEVELS):
        return values.cat.codes.to_numpy().astype(np.int8)
    return pd.Categorical(values, categories=LEVELS).codes.astype(np.int8)


def _datetimes(values: pd.Series | None, n: int) -> np.ndarray:
    if values is None:
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    return in_unit(pd.to_datetime(values).to_numpy(), "us")


# --- joins on string keys -------------------------------------------------------------------


def _arrow(values: pd.Series) -> pa.Array:
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)
    array = pa.array(values, from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if not pa.types.is_string(array.type) and not pa.types.is_large_string(array.type):
        array = array.cast(pa.string())
    return array.cast(pa.large_string())


def _index_in(values: pd.Series | None, value_set: pd.Series | None) -> np.ndarray:
    """For each value, its position in ``value_set`` (first match), or -1."""
    if values is None:
        return np.zeros(0, dtype=np.int64)
    if value_set is None or not len(value_set) or not len(values):
        return np.full(len(values), -1, dtype=np.int64)
    if isinstance(values.dtype, pd.CategoricalDtype):
        per_category = _index_in(pd.Series(values.cat.categories), value_set)
        codes = values.cat.codes.to_numpy()
        return np.where(codes >= 0, per_category[np.maximum(codes, 0)], -1)
    found = pc.index_in(_arrow(values), value_set=_arrow(value_set))
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def _is_in(values: pd.Series | None, value_sets: list[pd.Series]) -> np.ndarray:
    if values is None:
        return np.zeros(0, dtype=bool)
    value_sets = [s for s in value_sets if len(s)]
    if not value_sets or not len(values):
        return np.zeros(len(values), dtype=bool)
    lookup = pa.concat_arrays([_arrow(s) for s in value_sets])
    return pc.is_in(_arrow(values), value_set=lookup).to_numpy(zero_copy_only=False)


def _hall_flags(cases: pd.DataFrame, config: Config) -> np.ndarray:
    """A case handled at a window of a configured hall (the city centre's windows)."""
    if not len(cases):
        return np.zeros(0, dtype=bool)
    rule = config.active_rate
    window = (cases["handling_channel"] == rule.hall_handling_channel).to_numpy(
        dtype=bool, na_value=False)
    if "place" not in cases:
        return np.zeros(len(cases), dtype=bool)
    return window & _in(cases["place"], list(rule.hall_places))


def _in(values: pd.Series, allowed: list[str]) -> np.ndarray:
    """Whether each value is one of ``allowed`` (a missing one is not); a categorical's
    categories are asked, not its rows."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        hit = np.append(values.cat.categories.isin(allowed), False)  # code -1: missing
        return hit[values.cat.codes.to_numpy()]
    return values.isin(allowed).to_numpy(dtype=bool, na_value=False)


# --- periods --------------------------------------------------------------------------------


def _infer_quarter(evaluations: pd.DataFrame, cases: pd.DataFrame) -> Quarter:
    for frame, column in ((evaluations, "evaluated_at"), (cases, "completed_at")):
        if column in frame and frame[column].notna().any():
            return Quarter.of(pd.Timestamp(frame[column].min()).to_pydatetime())
    raise ValueError("cannot tell the quarter from empty tables: pass quarter=")


def _end_of(until: date | datetime | None) -> datetime | None:
    """The exclusive end of the look-ahead: the day after a date, or the moment given."""
    if until is None:
        return None
    if isinstance(until, datetime):
        return until
    return datetime.combine(until, datetime.min.time()) + timedelta(days=1)


def _lookahead(nxt: pd.DataFrame | None, q: Quarter, until_end: datetime | None) -> pd.DataFrame:
    if nxt is None or not len(nxt):
        return pd.DataFrame(columns=["case_id", "item_code", "item_name", "unit", "level"])
    at = pd.to_datetime(nxt["evaluated_at"])
    keep = at >= q.end
    if until_end is not None:
        keep &= at < until_end
    return nxt.loc[keep.to_numpy()]


def _data_end(q: Quarter, nxt: pd.DataFrame, until_end: datetime | None, has_next: bool) -> datetime:
    """The end of the evaluation data read: the quarter's, or the look-ahead's when there is one."""
    if not has_next:
        return q.end
    if until_end is not None:
        return max(until_end, q.end)
    if len(nxt):
        return max(pd.Timestamp(nxt["evaluated_at"].max()).to_pydatetime(), q.end)
    return q.end


# --- the small extracts ---------------------------------------------------------------------


def _bad_extract(
    evaluations: pd.DataFrame, mask: np.ndarray, ledger: pd.DataFrame, ledger_pos: np.ndarray
) -> pd.DataFrame:
    rows = np.flatnonzero(mask)
    out = pd.DataFrame(index=range(len(rows)))
    n_own = BAD_COLUMNS.index("verdict")
    for column in BAD_COLUMNS[:n_own]:
        if column in evaluations:
            values = evaluations[column].iloc[rows]
            if isinstance(values.dtype, pd.CategoricalDtype):
                values = values.astype(object)
            out[column] = values.to_numpy()
        else:
            out[column] = None
    positions = ledger_pos[rows] if len(rows) else np.zeros(0, dtype=np.int64)
    for column in BAD_COLUMNS[n_own:]:
        if column in ledger and len(ledger):
            values = ledger[column].astype(object).to_numpy()
            out[column] = np.where(positions >= 0, values[np.maximum(positions, 0)], None)
        else:
            out[column] = None
    for column in ("evaluated_at", "verified_at", "rectified_at"):
        out[column] = pd.to_datetime(out[column])
    for column in ("level", "corrected_level"):
        out[column] = out[column].astype(object).where(out[column].notna(), None)
    return _stringify(out).sort_values(["evaluated_at", "eval_id"], kind="stable",
                                       ignore_index=True)


def _post_bad(nxt: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Raw bad reviews after the quarter (up to the look-ahead's end), counted per item."""
    empty = pd.DataFrame({c: pd.Series(dtype=np.int64 if c == "count" else object)
                          for c in POST_BAD_COLUMNS})
    if not len(nxt):
        return empty
    bad = nxt.loc[nxt["level"].astype(object).isin(list(config.bad_reviews.levels)).to_numpy()]
    if not len(bad):
        return empty
    rows: dict[Any, list[Any]] = {}
    names = bad["item_name"] if "item_name" in bad else pd.Series(None, index=bad.index)
    for code, name, unit in zip(bad["item_code"].astype(object), names.astype(object),
                                bad["unit"].astype(object), strict=True):
        entry = rows.setdefault(code, [name, {}, 0])
        entry[1][unit] = entry[1].get(unit, 0) + 1
        entry[2] += 1
    return _stringify(pd.DataFrame([
        {"item_code": code, "item_name": name,
         "unit": max(units, key=lambda u: units[u]), "count": count}
        for code, (name, units, count) in sorted(rows.items(), key=lambda kv: str(kv[0]))
    ], columns=list(POST_BAD_COLUMNS)))


def normalise_small(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with plain text cells (scores as exact decimal text, months as YYYY-MM)."""
    frame = frame.copy()
    if name == "survey" and "score" in frame:
        frame["score"] = frame["score"].map(_score_text)
    if "month" in frame:
        frame["month"] = frame["month"].map(_month_text)
    if "quarter" in frame:
        frame["quarter"] = frame["quarter"].map(_quarter_text)
    return _stringify(frame)


def _score_text(value: Any) -> str | None:
    """A score as exact text: floats by their shortest repr, so 96.25 stays 96.25."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, float | np.floating):
        return str(Decimal(repr(float(value))))
    return str(Decimal(str(value).strip()))


def _quarter_text(value: Any) -> str | None:
    """``2022年第二季度`` and ``2022Q2`` alike become ``2022Q2``; text that names none stays."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    try:
        return str(Quarter.parse(str(value)))
    except ValueError:
        return str(value)


def _month_text(value: Any) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, pd.Period | pd.Timestamp | datetime | date):
        return f"{value.year:04d}-{value.month:02d}"
    text = str(value).strip()
    return pd.Period(text, freq="M").strftime("%Y-%m") if text else None


def _stringify(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns as text (None kept) so they round-trip through Parquet."""
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].map(
                lambda v: None if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))
                else v if isinstance(v, str) else str(v))
    return frame
