"""Trends across quarters: each quarter's own bulletin figures side by side, with 环比
(on the previous quarter) and 同比 (on the same quarter a year earlier).

Every figure is taken from the quarter's ``Bulletin``, computed by the same metrics as
``hcp run`` from the quarter's aggregates, so a trend never disagrees with a published report.
The figures shown here do not depend on the look-ahead into the next quarter, so each quarter
is read once, without it (``aggregates.quarter_aggregates``: the pipeline's cache entry for
the quarter, shared with the bulletin runs); a second look reads only the cache.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from pathlib import Path

import pandas as pd

from ..config import Config
from ..contract import SURVEY
from ..figures import Bulletin
from ..metrics import compute_bulletin
from ..quarters import Quarter, QuarterError
from ..reduce import Aggregates
from .aggregates import aggregates_at, quarter_entry
from .kept_rows import keep_rows, read_rows, rows_path

CITY, DISTRICT, UNIT = "全市", "区", "市直部门"
DISTRICT_MEAN = "各区平均"
COLUMNS = ["季度", "类别", "名称", "评价数", "主动评价数", "主动评价率", "满意率", "差评数"]
RATES = ("主动评价率", "满意率")  # percent; changes in percentage points
COUNTS = ("评价数", "差评数")  # changes in percent of the earlier count
DEFAULT_CACHE = Path("data") / "work" / "cache"


@dataclass
class Trends:
    """One row per quarter and city / district / unit, plus each quarter's computing time."""

    table: pd.DataFrame
    seconds: dict[str, float] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # quarters that could not be read

    @property
    def quarters(self) -> list[str]:
        return list(dict.fromkeys(self.table["季度"]))


def quarter_folders(data_dir: str | Path) -> list[Quarter]:
    """The quarters with an input folder under ``data_dir``, oldest first."""
    found = []
    for child in Path(data_dir).iterdir():
        if child.is_dir():
            try:
                found.append(Quarter.parse(child.name))
            except QuarterError:
                continue
    return sorted(found, key=lambda q: q.index())


def complete_quarters(data_dir: str | Path) -> list[Quarter]:
    """Quarter folders holding a whole quarter: a folder without its 第三方评估 ledger is a
    look-ahead period (evaluations after the last bulletin) and is left out."""
    return [q for q in quarter_folders(data_dir)
            if any(p.name.startswith(SURVEY.title) for p in (Path(data_dir) / str(q)).iterdir())]


def quarter_range(data_dir: str | Path, first: str = "", last: str = "") -> list[Quarter]:
    """Complete quarters from ``first`` to ``last`` (either empty: no bound)."""
    lo = Quarter.parse(first).index() if first else None
    hi = Quarter.parse(last).index() if last else None
    pool = quarter_folders(data_dir) if (first and last) else complete_quarters(data_dir)
    return [q for q in pool if (lo is None or q.index() >= lo) and (hi is None or q.index() <= hi)]


def _pct(value: Fraction | None) -> float | None:
    return None if value is None else float(value) * 100


def bulletin_rows(b: Bulletin, config: Config) -> list[dict]:
    """The trend rows of one quarter's bulletin: the city, each district, each city unit."""
    e, s, a, r = b.evaluations, b.satisfaction, b.active, b.bad_reviews
    q = str(b.quarter)
    rows = [{"季度": q, "类别": CITY, "名称": CITY, "评价数": e.total, "主动评价数": e.active,
             "主动评价率": _pct(e.active_rate) if e.total else None,
             "满意率": _pct(s.city_mean) if s.city_rates else None, "差评数": r.total},
            {"季度": q, "类别": CITY, "名称": DISTRICT_MEAN, "评价数": None, "主动评价数": None,
             "主动评价率": None, "满意率": _pct(s.district_mean) if s.district_rates else None,
             "差评数": None}]
    regions = {x.label: x for x in e.regions}
    rates = {x.unit: x.rate for x in s.district_rates}
    bad_d = {g.unit: g.count for g in r.districts}
    for d in config.city.districts:
        region = regions.get(d.name)
        total = region.total if region else 0
        rows.append({"季度": q, "类别": DISTRICT, "名称": d.name, "评价数": total,
                     "主动评价数": region.active if region else 0,
                     "主动评价率": _pct(Fraction(region.active, total)) if total else None,
                     "满意率": _pct(rates.get(d.name)), "差评数": bad_d.get(d.name, 0)})
    activity = {x.unit: x for x in a.ranking}
    sat = {x.unit: x.rate for x in s.city_rates}
    bad_u = {g.unit: g.count for g in r.units}
    for unit in dict.fromkeys([*sat, *activity]):
        act = activity.get(unit)
        rows.append({"季度": q, "类别": UNIT, "名称": unit,
                     "评价数": act.evaluations if act else None,
                     "主动评价数": act.active if act else None,
                     "主动评价率": _pct(act.rate) if act else None,
                     "满意率": _pct(sat.get(unit)), "差评数": bad_u.get(unit, 0)})
    return rows


def with_changes(table: pd.DataFrame) -> pd.DataFrame:
    """Adds ``<figure>环比`` and ``<figure>同比``: percentage points for rates, percent of the
    earlier count for counts; empty when the earlier quarter has no figure."""
    out = table.copy()
    quarters = {q: Quarter.parse(q) for q in out["季度"].unique()}
    index = out.set_index(["季度", "类别", "名称"])
    for col in (*RATES, *COUNTS):
        for label, step in (("环比", 1), ("同比", 4)):
            def earlier(row: pd.Series, col: str = col, step: int = step) -> float | None:
                q = quarters[row["季度"]]
                for _ in range(step):
                    q = q.previous()
                key = (str(q), row["类别"], row["名称"])
                if key not in index.index:
                    return None
                before, now = index.at[key, col], row[col]
                if pd.isna(before) or pd.isna(now):
                    return None
                if col in RATES:
                    return float(now) - float(before)
                return (float(now) - float(before)) / float(before) * 100 if before else None
            out[f"{col}{label}"] = out.apply(earlier, axis=1).astype("float64")
    return out


def quarter_rows(q: Quarter, data_dir: str | Path, config: Config, *,
                 cache_dir: str | Path | None = DEFAULT_CACHE, mode: str = "strict") -> list[dict]:
    """One quarter's trend rows: kept ones (``kept_rows``), else from its cached aggregates
    when the inputs have not changed (reduced once and stored otherwise), then kept."""
    q = Quarter.parse(q)
    folder, entry = quarter_entry(q, data_dir, config, cache_dir, mode)
    kept = rows_path(entry, config, standalone_issue(q, config)) if entry else None
    rows = read_rows(kept) if kept else None
    if rows is None:
        rows = standalone_rows(q, aggregates_at(folder, q, config, entry, mode), config)
        if kept:
            keep_rows(kept, rows)
    return rows


def standalone_issue(q: Quarter, config: Config) -> date:
    """The date an earlier quarter's own bulletin carries: its scheduled one, else its last day."""
    return config.schedule.issue_date(q) or q.last_day


def standalone_rows(q: Quarter, agg: Aggregates, config: Config) -> list[dict]:
    """The trend rows of quarter ``q`` computed from its aggregates, as its own bulletin (no
    previous quarter) gives them."""
    b = compute_bulletin(agg, None, agg.small, config, quarter=q,
                         issue_date=standalone_issue(q, config))
    return bulletin_rows(b, config)


def keep_standalone_rows(q: Quarter, agg: Aggregates, config: Config, entry: Path) -> None:
    """Compute and keep the rows of the quarter whose cache entry is ``entry`` (``hcp run``
    does this where it reduces the previous quarter)."""
    kept = rows_path(entry, config, standalone_issue(q, config))
    if read_rows(kept) is None:
        keep_rows(kept, standalone_rows(q, agg, config))


def from_rows(rows: list[dict], seconds: dict[str, float] | None = None) -> Trends:
    """Trends from rows of ``bulletin_rows`` (any quarters, oldest first), with the changes."""
    table = pd.DataFrame(rows, columns=COLUMNS)
    for col in ("评价数", "主动评价数", "差评数"):
        table[col] = table[col].astype("Int64")
    for col in RATES:
        table[col] = table[col].astype("float64")
    return Trends(with_changes(table), seconds or {})


def trends(
    data_dir: str | Path,
    config: Config,
    quarters: Iterable[Quarter | str] | None = None,
    *,
    cache_dir: str | Path | None = DEFAULT_CACHE,
    mode: str = "strict",
) -> Trends:
    """Every quarter's figures with 环比 and 同比; ``quarters`` defaults to every complete
    quarter under ``data_dir``. Each quarter's bulletin figures come from its cached aggregates
    when the inputs have not changed (``cache_dir=None`` computes from the records)."""
    qs = [Quarter.parse(q) for q in quarters] if quarters is not None else complete_quarters(data_dir)
    rows: list[dict] = []
    seconds: dict[str, float] = {}
    for q in sorted(qs, key=lambda q: q.index()):
        t0 = time.perf_counter()
        rows += quarter_rows(q, data_dir, config, cache_dir=cache_dir, mode=mode)
        seconds[str(q)] = time.perf_counter() - t0
    return from_rows(rows, seconds)


def series(t: Trends, kind: str, names: Iterable[str] | None = None) -> pd.DataFrame:
    """One kind's rows (全市 / 区 / 市直部门), optionally only ``names``, in quarter order."""
    rows = t.table[t.table["类别"] == kind]
    if names is not None:
        rows = rows[rows["名称"].isin(list(names))]
    return rows.reset_index(drop=True)


def pivot(t: Trends, kind: str, figure: str) -> pd.DataFrame:
    """A figure as a name × quarter table (rows in the configured / registry order)."""
    rows = series(t, kind)
    table = rows.pivot(index="名称", columns="季度", values=figure)
    return table.reindex(index=list(dict.fromkeys(rows["名称"])), columns=t.quarters)
