"""Bad reviews (差评): raw counts, verdicts, and per-unit groups rolled up for the narrative."""

from __future__ import annotations

from collections import Counter

import pandas as pd

from ..config import Config
from ..contract import VERDICTS
from ..figures import BadReviewGroup, BadReviews
from ..reduce import Aggregates
from ._common import Units


def _groups(rows: pd.DataFrame, units: Units, config: Config, *, district: bool) -> list[BadReviewGroup]:
    counts: Counter[str] = Counter()
    parts: dict[str, Counter[str]] = {}
    stations: dict[str, bool] = {}
    station_kinds = set(config.bad_reviews.station_kinds)
    for name in rows["unit"]:
        top = units.top(name)
        group = top if district else units.bad_review_group(name)
        counts[group] += 1
        parts.setdefault(group, Counter())[top] += 1
        stations[group] = stations.get(group, False) or units.kind(name) in station_kinds
    out = [
        BadReviewGroup(
            unit=group,
            count=n,
            parts=_ordered_parts(group, parts[group], units) if set(parts[group]) != {group} else {},
            includes_stations=stations[group],
        )
        for group, n in counts.items()
    ]
    return sorted(out, key=lambda g: (-g.count, units.order(g.unit)))


def _ordered_parts(group: str, counted: Counter[str], units: Units) -> dict[str, int]:
    """The group's own count first (其中住房局1件、市公积金中心6件), then the rest in registry order."""
    order = sorted(counted, key=lambda u: (u != group, units.order(u)))
    return {u: counted[u] for u in order}


def bad_reviews(current: Aggregates, config: Config, units: Units) -> BadReviews:
    rows = current.bad_reviews
    unverified = config.bad_reviews.unverified_label
    verdicts = Counter(v if isinstance(v, str) and v else unverified for v in rows["verdict"])
    ordered = {v: verdicts[v] for v in (*VERDICTS, unverified) if verdicts[v]}
    ordered.update({v: n for v, n in verdicts.items() if v not in ordered})
    # A unit the registry could not resolve (quarantine mode) is shown by its recorded name.
    names = rows["unit_name"] if "unit_name" in rows else pd.Series("", index=rows.index)
    rows = rows.assign(unit=[u if isinstance(u, str) and u else (n if isinstance(n, str) else "")
                             for u, n in zip(rows["unit"], names, strict=True)])
    is_district = rows["unit"].map(units.is_district).astype(bool)
    city = _groups(rows.loc[~is_district], units, config, district=False)
    districts = _groups(rows.loc[is_district], units, config, district=True)
    return BadReviews(
        total=len(rows),
        verdicts=ordered,
        units=city,
        districts=districts,
        listed_units=[g for g in city if g.count >= config.bad_reviews.list_min_units],
        listed_districts=[g for g in districts if g.count >= config.bad_reviews.list_min_districts],
    )
