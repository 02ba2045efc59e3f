"""三、政务服务满意率: each evaluation weighs by its level; a unit's rate is the mean weight."""

from __future__ import annotations

from fractions import Fraction

import pandas as pd

from ..config import Config
from ..figures import Satisfaction, UnitRate, compare_means
from ..reduce import Aggregates
from ._common import Units, exact, level_counts, level_counts_by, with_top


def weighted_rate(levels: dict[str, int], config: Config) -> Fraction:
    """Mean weight over the evaluations, as a fraction of the top weight's scale (100 -> 1)."""
    n = sum(levels.values())
    if not n:
        return Fraction(0)
    weights = {k: exact(v) for k, v in config.satisfaction.weights.items()}
    return sum((weights[k] * c for k, c in levels.items()), Fraction(0)) / (100 * n)


def _rate(part: pd.DataFrame, label: str, config: Config) -> UnitRate | None:
    return _rate_of(level_counts(part), label, config)


def _rate_of(levels: dict[str, int], label: str, config: Config) -> UnitRate | None:
    n = sum(levels.values())
    return UnitRate(label, weighted_rate(levels, config), n) if n else None


def district_rates(agg: Aggregates, config: Config, units: Units) -> list[UnitRate]:
    """Rates of the configured districts that have evaluations, in the configured order."""
    frame = agg.evaluations
    if config.satisfaction.district_attribution == "unit":
        frame = with_top(frame, units)
        parts = [(d.name, frame["top"] == units.short(d.name)) for d in config.city.districts]
    else:
        codes = frame["region_code"].astype(object)
        parts = [(d.name, codes == d.code) for d in config.city.districts]
    rates = [_rate(frame.loc[mask], label, config) for label, mask in parts]
    return [r for r in rates if r is not None]


def city_rates(agg: Aggregates, config: Config, units: Units) -> list[UnitRate]:
    """Rates of top-level units of the configured kinds that have evaluations, registry order."""
    frame = with_top(agg.evaluations, units)
    kinds = set(config.satisfaction.city_mean_kinds)
    tops = [t for t in units.sorted(frame["top"].dropna()) if units.kind(t) in kinds]
    counts = level_counts_by(frame, "top")
    rates = [_rate_of(counts[t], t, config) for t in tops]
    return [r for r in rates if r is not None]


def _mean(rates: list[UnitRate]) -> Fraction:
    return sum((r.rate for r in rates), Fraction(0)) / len(rates) if rates else Fraction(0)


def satisfaction(
    current: Aggregates, previous: Aggregates | None, config: Config, units: Units
) -> Satisfaction:
    districts = district_rates(current, config, units)
    cities = city_rates(current, config, units)
    city_mean = _mean(cities)
    below = sorted((r for r in cities if r.rate < city_mean),
                   key=lambda r: (r.rate, units.order(r.unit)))
    rated = {r.unit for r in districts}
    unrated = [d.name for d in config.city.districts if d.name not in rated]
    rates_d = rates_c = prev_d = prev_c = None
    if previous is not None:  # the same rules, so the per-unit comparison is like for like
        rates_d = district_rates(previous, config, units)
        rates_c = city_rates(previous, config, units)
        # the previous district mean over the districts rated in both quarters (like for like)
        both = compare_means(districts, rates_d)
        prev_d = both.previous if both else None
        prev_c = _mean(rates_c) if rates_c else None
    return Satisfaction(
        district_rates=districts,
        district_mean=_mean(districts),
        district_mean_previous=prev_d,
        city_rates=cities,
        city_mean=city_mean,
        city_mean_previous=prev_c,
        below_city_mean=below,
        district_rates_previous=rates_d,
        city_rates_previous=rates_c,
        districts_unrated=unrated,
    )
