"""Drill-down into one city unit or district: which items, channels, months and sub-units
drive its bad reviews or its low active rate, and how they moved on the previous quarter.

Pure functions of a quarter's ``Aggregates``; the unit is selected as the bulletin counts it
(a city unit with everything rolling up into it, a district by its region code), so a
breakdown's totals are the unit's figures in the bulletin. No personal column and no
evaluation or case id ever appears in these tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import pandas as pd

from ..config import Config
from ..contract import LEVELS
from ..metrics._common import ACTIVE_MODE, Units
from ..metrics.satisfaction import weighted_rate
from ..reduce import Aggregates

BY = {"事项": "item_code", "渠道": "channel", "月份": "month", "实施单位": "unit"}
"""The breakdowns offered: Chinese label -> aggregate column."""
FIGURES = ["评价数", "主动评价数", "默认评价数", "主动评价率", "满意率", "差评数"]


@dataclass(frozen=True)
class Target:
    name: str  # the registry's short name (市商务局, 思明区)
    kind: Literal["unit", "district"]
    region_code: str | None = None


def target(name: str, config: Config) -> Target:
    """A district (configured) or a top-level unit of the registry, by short or full name."""
    for d in config.city.districts:
        if name in (d.name, d.code):
            return Target(d.name, "district", d.code)
    units = Units(config.registry)
    short = units.short(name)
    if not units.known(short):
        raise ValueError(f"unknown unit or district: {name}")
    return Target(units.top(short), "unit")


def evaluations_of(agg: Aggregates, t: Target, config: Config) -> pd.DataFrame:
    """The unit's rows of the evaluation counts (levels after verification)."""
    frame = agg.evaluations
    if t.kind == "district":
        return frame.loc[frame["region_code"].astype(object) == t.region_code]
    units = Units(config.registry)
    names = frame["unit"].astype(object)
    tops = names.map({n: units.top(n) for n in names.dropna().unique()})
    return frame.loc[tops == t.name]


def bad_reviews_of(agg: Aggregates, t: Target, config: Config) -> pd.DataFrame:
    """The unit's raw bad reviews (as the bulletin groups them), without ids or personal data."""
    rows = agg.bad_reviews
    units = Units(config.registry)
    names = rows["unit"].astype(object)
    tops = names.map(lambda n: units.top(n) if isinstance(n, str) else n)
    rows = rows.loc[tops == t.name].copy()
    rows["month"] = pd.to_datetime(rows["evaluated_at"]).dt.month.astype("Int64")
    return rows[["item_code", "item_name", "unit", "channel", "level", "month", "verdict"]]


def _pct(part: int, whole: int) -> float | None:
    return float(Fraction(part, whole)) * 100 if whole else None


def _figures(evals: pd.DataFrame, bad: pd.DataFrame, config: Config) -> dict[str, object]:
    total = int(evals["count"].sum())
    active = int(evals.loc[evals["mode"].astype(object) == ACTIVE_MODE, "count"].sum())
    levels = evals.groupby(evals["level"].astype(object))["count"].sum()
    counts = {lv: int(levels.get(lv, 0)) for lv in LEVELS}
    return {"评价数": total, "主动评价数": active, "默认评价数": total - active,
            "主动评价率": _pct(active, total),
            "满意率": float(weighted_rate(counts, config)) * 100 if total else None,
            "差评数": len(bad)}


def summary(agg: Aggregates, t: Target, config: Config) -> pd.DataFrame:
    """The unit's own figures this quarter (one row)."""
    row = _figures(evaluations_of(agg, t, config), bad_reviews_of(agg, t, config), config)
    return pd.DataFrame([{"季度": agg.quarter, "名称": t.name, **row}])


def breakdown(agg: Aggregates, t: Target, config: Config, by: str = "事项") -> pd.DataFrame:
    """The unit's figures split by ``by`` (事项 / 渠道 / 月份 / 实施单位), the most bad reviews
    first, then the lowest active rate; the rows add up to ``summary``."""
    column = BY[by]
    evals = evaluations_of(agg, t, config)
    bad = bad_reviews_of(agg, t, config)
    keys = pd.Index(pd.concat([evals[column].astype(object), bad[column].astype(object)]).dropna()
                    .unique())
    e_groups = dict(tuple(evals.groupby(evals[column].astype(object), observed=True)))
    b_groups = dict(tuple(bad.groupby(bad[column].astype(object))))
    rows = []
    for key in keys:
        rows.append({by: key, **_figures(e_groups.get(key, evals.iloc[:0]),
                                         b_groups.get(key, bad.iloc[:0]), config)})
    out = pd.DataFrame(rows, columns=[by, *FIGURES])
    if by == "事项":
        names = bad.dropna(subset=["item_name"]).drop_duplicates("item_code")
        known = dict(zip(names["item_code"].astype(object), names["item_name"].astype(object),
                         strict=True))
        out.insert(1, "事项名称", [known.get(code, "") for code in out[by]])
    if by == "月份":
        return out.sort_values(by).reset_index(drop=True)
    order = out.assign(_rate=out["主动评价率"].fillna(101.0))
    return (order.sort_values(["差评数", "_rate", "评价数"], ascending=[False, True, False])
            .drop(columns="_rate").reset_index(drop=True))


def verdicts(agg: Aggregates, t: Target, config: Config, by: str = "事项") -> pd.DataFrame:
    """The unit's bad reviews by ``by`` and verdict (属实 / 误差评 / 恶意差评 / 未核实)."""
    bad = bad_reviews_of(agg, t, config)
    unverified = config.bad_reviews.unverified_label
    bad = bad.assign(verdict=bad["verdict"].where(bad["verdict"].notna() & (bad["verdict"] != ""),
                                                  unverified))
    keys = [BY[by]] + (["item_name"] if by == "事项" else [])
    table = pd.crosstab([bad[k] for k in keys], bad["verdict"])
    table.index.names = [by] + (["事项名称"] if by == "事项" else [])
    table["合计"] = table.sum(axis=1)
    return table.sort_values("合计", ascending=False).reset_index().rename_axis(columns=None)


def compare(current: Aggregates, previous: Aggregates | None, t: Target, config: Config,
            by: str = "事项") -> pd.DataFrame:
    """``breakdown`` this quarter beside the previous quarter's, with the change of each
    figure (percentage points for rates)."""
    now = breakdown(current, t, config, by)
    if previous is None:
        return now
    before = breakdown(previous, t, config, by)
    keys = [by, "事项名称"] if by == "事项" else [by]
    before = before.drop(columns=[c for c in keys[1:] if c in before])
    merged = now.merge(before, on=by, how="outer", suffixes=("", "（上季度）"))
    if "事项名称" in merged:
        merged["事项名称"] = merged["事项名称"].fillna("")
    for figure in FIGURES:
        merged[f"{figure}变化"] = merged[figure].astype("float64") - merged[f"{figure}（上季度）"].astype("float64")
    columns = keys + [c for f in FIGURES for c in (f, f"{f}（上季度）", f"{f}变化")]
    return merged[columns].sort_values(["差评数", "评价数"], ascending=False, na_position="last").reset_index(drop=True)
