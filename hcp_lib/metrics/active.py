"""五、主动评价率: the hall windows' rate, the city units' combined rate, unit rankings."""

from __future__ import annotations

from fractions import Fraction

from ..config import Config
from ..figures import ActiveRates, UnitActivity
from ..reduce import Aggregates
from ._common import ACTIVE_MODE, Units, exact, with_top
from .evaluations import region_rows


def unit_activity(agg: Aggregates, config: Config, units: Units) -> list[UnitActivity]:
    """Every top-level unit of the configured kinds with enough evaluations, registry order."""
    frame = with_top(agg.evaluations, units)
    frame["active"] = frame["count"].where(frame["mode"].astype(object) == ACTIVE_MODE, 0)
    evals = frame.groupby("top")[["count", "active"]].sum()
    cases = with_top(agg.cases, units).groupby("top")["cases"].sum()
    kinds = set(config.active_rate.unit_kinds)
    out = []
    for top in units.sorted(evals.index):
        n, active = int(evals.at[top, "count"]), int(evals.at[top, "active"])
        if units.kind(top) in kinds and n >= max(config.active_rate.rank_min_evaluations, 1):
            out.append(UnitActivity(top, int(cases.get(top, 0)), n, active, Fraction(active, n)))
    return out


def ranked(activity: list[UnitActivity], units: Units) -> list[UnitActivity]:
    """Best first; ties: more evaluations first, then registry order."""
    return sorted(activity, key=lambda a: (-a.rate, -a.evaluations, units.order(a.unit)))


def below_threshold(activity: list[UnitActivity], config: Config, units: Units) -> list[UnitActivity]:
    """Units under the required active rate, lowest first (ties in registry order)."""
    limit = exact(config.mechanism.active_rate_threshold)
    return sorted((a for a in activity if a.rate < limit), key=lambda a: (a.rate, units.order(a.unit)))


def _city_rate(agg: Aggregates, config: Config) -> Fraction:
    row = region_rows(agg, config)[0]
    return Fraction(row.active, row.total) if row.total else Fraction(0)


def _previous_city_rate(previous: Aggregates | None, config: Config) -> Fraction | None:
    """None when there is nothing to compare with: no previous quarter, or no city evaluations."""
    if previous is None or not region_rows(previous, config)[0].total:
        return None
    return _city_rate(previous, config)


def active_rates(
    current: Aggregates, previous: Aggregates | None, config: Config, units: Units
) -> ActiveRates:
    frame = current.evaluations
    hall = frame.loc[frame["hall"].astype(bool)]
    hall_total = int(hall["count"].sum())
    hall_active = int(hall.loc[hall["mode"].astype(object) == ACTIVE_MODE, "count"].sum())
    ranking = ranked(unit_activity(current, config, units), units)
    rule = config.active_rate
    big = [a for a in ranking
           if a.cases > rule.big_unit_cases and a.rate >= exact(rule.big_unit_min_rate)]
    return ActiveRates(
        hall_rate=Fraction(hall_active, hall_total) if hall_total else Fraction(0),
        hall_active=hall_active,
        hall_total=hall_total,
        city_rate=_city_rate(current, config),
        city_rate_previous=_previous_city_rate(previous, config),
        ranking=ranking,
        leaders=ranking[: rule.leaders_top_n],
        big_units=big,
        below_threshold=below_threshold(ranking, config, units),
    )
