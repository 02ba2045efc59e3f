"""四、机制体制落实: late pushes, cases without evaluation, low active rates, repeat bad reviews."""

from __future__ import annotations

from collections import Counter

import pandas as pd

from ..config import Config
from ..figures import Mechanism, RepeatItem
from ..reduce import Aggregates
from ._common import Units, with_top
from .active import below_threshold, unit_activity


def _split(frame: pd.DataFrame, flag: str, config: Config, units: Units) -> tuple[list[str], list[str]]:
    """Districts (configured order) and city units (registry order) with any flagged row."""
    frame = with_top(frame, units)
    tops = set(frame.loc[frame[flag].astype("int64") > 0, "top"].dropna())
    districts = [d.name for d in config.city.districts if units.short(d.name) in tops]
    city = [t for t in units.sorted(tops) if not units.is_district(t)]
    return districts, city


def repeat_items(current: Aggregates, config: Config, units: Units) -> list[RepeatItem]:
    """Items with repeated bad reviews in the quarter that kept getting them after it."""
    rule = config.mechanism
    rows = current.bad_reviews
    after = dict(zip(current.post_bad_reviews["item_code"],
                     current.post_bad_reviews["count"].astype(int), strict=True))
    out = []
    for code, part in rows.groupby(rows["item_code"].astype(object), sort=True):
        n_in, n_after = len(part), after.get(code, 0)
        if n_in >= rule.repeat_min_in_quarter and n_after >= rule.repeat_min_after:
            tops = Counter(units.top(u) for u in part["unit"] if isinstance(u, str))
            unit = min(tops, key=lambda t: (-tops[t], units.order(t))) if tops else ""
            names = part["item_name"].dropna()
            out.append(RepeatItem(str(code), str(names.iat[0]) if len(names) else "",
                                  unit, n_in, int(n_after)))
    return sorted(out, key=lambda r: (-r.in_quarter, -r.after_quarter, r.item_code))


def mechanism(current: Aggregates, config: Config, units: Units) -> Mechanism:
    late_d, late_u = _split(current.evaluations, "late", config, units)
    miss_d, miss_u = _split(current.cases, "without_evaluation", config, units)
    return Mechanism(
        late_push_districts=late_d,
        late_push_units=late_u,
        missing_eval_districts=miss_d,
        missing_eval_units=miss_u,
        below_active_threshold=below_threshold(unit_activity(current, config, units), config, units),
        repeat_items=repeat_items(current, config, units),
    )
