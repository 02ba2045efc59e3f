"""评优评先: the quarter's red-flag windows and the persons with repeated service-star awards."""

from __future__ import annotations

import pandas as pd

from ..config import Config
from ..figures import Awards, Star
from ..quarters import Quarter
from ._common import Units, quarter_of


def in_quarter_months(months: pd.Series, quarter: Quarter) -> pd.Series:
    """Which ``YYYY-MM`` texts fall in the quarter."""
    wanted = {f"{quarter.year:04d}-{m:02d}" for m in quarter.months}
    return months.astype(object).isin(wanted)


def awards(small: dict[str, pd.DataFrame], quarter: Quarter, config: Config, units: Units) -> Awards:
    flags = small.get("red_flags", pd.DataFrame(columns=["quarter", "unit"]))
    flags = flags.loc[flags["quarter"].map(quarter_of) == quarter] if len(flags) else flags
    red = [units.full_name(u) for u in dict.fromkeys(flags["unit"].astype(str))]

    stars = small.get("stars", pd.DataFrame(columns=["month", "person", "unit"]))
    stars = stars.loc[in_quarter_months(stars["month"], quarter)] if len(stars) else stars
    counts: dict[tuple[str, str], int] = {}
    for person, unit in zip(stars["person"].astype(str), stars["unit"].astype(str), strict=True):
        key = (person, units.short(unit))
        counts[key] = counts.get(key, 0) + 1  # insertion order: first appearance
    listed = [
        Star(person, unit, units.full_name(unit), n)
        for (person, unit), n in counts.items()
        if n >= config.awards.star_min_awards
    ]
    return Awards(red_flags=red, stars=listed)
