"""一、企业群众评价情况: totals, level counts after verification, the region table."""

from __future__ import annotations

from fractions import Fraction

from ..config import Config
from ..figures import EvaluationSummary, RegionRow
from ..reduce import Aggregates
from ._common import ACTIVE_MODE, level_counts


def region_rows(agg: Aggregates, config: Config) -> list[RegionRow]:
    """One row for city units, one per configured district, by the record's region code."""
    frame = agg.evaluations
    rows = [(config.city.city_row_label, config.city.city_region_code)]
    rows += [(d.name, d.code) for d in config.city.districts]
    out = []
    for label, code in rows:
        part = frame.loc[frame["region_code"].astype(object) == code]
        out.append(RegionRow(
            label=label,
            region_code=code,
            total=int(part["count"].sum()),
            active=int(part.loc[part["mode"].astype(object) == ACTIVE_MODE, "count"].sum()),
            levels=level_counts(part),
        ))
    return out


def evaluation_summary(
    current: Aggregates, previous: Aggregates | None, config: Config
) -> EvaluationSummary:
    frame = current.evaluations
    total = int(frame["count"].sum())
    active = int(frame.loc[frame["mode"].astype(object) == ACTIVE_MODE, "count"].sum())
    levels = level_counts(frame)
    bad = set(config.bad_reviews.levels)
    satisfied = sum(n for level, n in levels.items() if level not in bad)
    return EvaluationSummary(
        total=total,
        active=active,
        active_rate=Fraction(active, total) if total else Fraction(0),
        levels=levels,
        satisfied_rate=Fraction(satisfied, total) if total else Fraction(0),
        regions=region_rows(current, config),
        previous_levels=level_counts(previous.evaluations) if previous is not None else None,
    )
