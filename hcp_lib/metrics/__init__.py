"""Metrics: every figure of the bulletin, as pure functions of the reduced aggregates and config.

One module per section, in the bulletin's order; ``compute_bulletin`` assembles them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pandas as pd

from ..config import Config
from ..figures import Bulletin
from ..quarters import Quarter, issue_number
from ..reduce import SMALL_TABLES, Aggregates, normalise_small
from ._common import Units
from .active import active_rates
from .awards import awards
from .bad_reviews import bad_reviews
from .commendations import commendations
from .evaluations import evaluation_summary
from .mechanism import mechanism
from .satisfaction import satisfaction
from .survey import survey

__all__ = ["compute_bulletin"]


def compute_bulletin(
    current: Aggregates,
    previous: Aggregates | None,
    small_tables: Mapping[str, pd.DataFrame] | None,
    config: Config,
    *,
    quarter: Quarter | str,
    issue_date: date,
) -> Bulletin:
    """The whole bulletin of ``quarter``. ``small_tables`` (survey, stars, red_flags,
    commendations) default to those carried by ``current``; the previous quarter's survey
    scores are read from them, or from ``previous`` when they hold only this quarter."""
    q = Quarter.parse(quarter)
    units = Units(config.registry)
    small = dict(current.small)
    small.update({k: normalise_small(k, v) for k, v in (small_tables or {}).items()
                  if k in SMALL_TABLES and v is not None})
    survey_table = small.get("survey", pd.DataFrame(columns=["quarter", "unit", "group", "score"]))
    if previous is not None and "survey" in previous.small:
        survey_table = pd.concat([survey_table, previous.small["survey"]], ignore_index=True)
        survey_table = survey_table.drop_duplicates(["quarter", "unit"], keep="first")
    number = issue_number(q, Quarter.parse(config.numbering.first_quarter),
                          config.numbering.first_number)
    return Bulletin(
        quarter=str(q),
        previous_quarter=str(q.previous()),
        issue_in_year=number.in_year,
        issue_overall=number.overall,
        issue_date=issue_date,
        awards=awards(small, q, config, units),
        evaluations=evaluation_summary(current, previous, config),
        survey=survey(survey_table, q, config, units),
        satisfaction=satisfaction(current, previous, config, units),
        bad_reviews=bad_reviews(current, config, units),
        mechanism=mechanism(current, config, units),
        active=active_rates(current, previous, config, units),
        commendations=commendations(small, q, config, units),
    )
