"""The computed bulletin: every figure and list of a quarter's report, exact and unformatted.

Metrics fill these objects; presentation formats them (display policies from configuration)
and reconciliation compares them with a published bulletin. Rates are exact ``Fraction``s
in [0, 1] (never pre-rounded floats); scores are ``Decimal``s as recorded; unit names are
registry short names (the bulletin's printed form), full names where the bulletin prints them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any


@dataclass(frozen=True)
class Star:
    person: str
    unit: str
    unit_full_name: str
    awards: int


@dataclass(frozen=True)
class Awards:
    """评优评先."""

    red_flags: list[str]  # full names, in the order given
    stars: list[Star]  # persons with at least the configured number of monthly awards


@dataclass(frozen=True)
class RegionRow:
    label: str  # 厦门市直, 思明区, …
    region_code: str
    total: int
    active: int  # 用户评价
    levels: dict[str, int]  # level label -> count, after verification


@dataclass(frozen=True)
class EvaluationSummary:
    """一、企业群众评价情况."""

    total: int
    active: int
    active_rate: Fraction
    levels: dict[str, int]
    satisfied_rate: Fraction  # 电子评价综合满意率
    regions: list[RegionRow]
    previous_levels: dict[str, int] | None = None  # the previous quarter's, for comparisons

    def share(self, level: str) -> Fraction:
        return Fraction(self.levels[level], self.total) if self.total else Fraction(0)


@dataclass(frozen=True)
class ScoreEntry:
    unit: str
    score: Decimal


@dataclass(frozen=True)
class SurveyGroup:
    count: int
    mean: Fraction
    previous_mean: Fraction | None
    top: list[str]
    bottom: list[str]
    scores: list[ScoreEntry]  # all, best first


@dataclass(frozen=True)
class Survey:
    """二、第三方评估."""

    units: SurveyGroup
    districts: SurveyGroup


@dataclass(frozen=True)
class UnitRate:
    unit: str
    rate: Fraction
    evaluations: int


@dataclass(frozen=True)
class Improvement:
    """How many units' rates rose on the previous quarter: the bulletin's 各区 / 多数 claims."""

    improved: int  # rate strictly higher than the previous quarter's, compared exactly
    compared: int  # units with a rate in both quarters
    units: int  # units with a rate this quarter
    expected: int | None = None  # units that should have a rate (e.g. every configured district)

    @property
    def all(self) -> bool:
        """Every unit was rated in both quarters and rose (各…均有所提高); a unit without
        evaluations in either quarter rules the claim out."""
        complete = self.expected is None or self.units == self.expected
        return complete and self.units > 0 and self.improved == self.compared == self.units

    def most(self, above: Fraction) -> bool:
        """More than the share ``above`` of the units compared rose (多数)."""
        return self.compared > 0 and Fraction(self.improved, self.compared) > above


def improvement(current: list[UnitRate], previous: list[UnitRate],
                expected: int | None = None) -> Improvement:
    """Units compared by name; a unit without a previous rate is not compared."""
    before = {r.unit: r.rate for r in previous}
    both = [r for r in current if r.unit in before]
    return Improvement(sum(r.rate > before[r.unit] for r in both), len(both), len(current),
                       expected)


@dataclass(frozen=True)
class MeanComparison:
    """Two quarters' means over the same units: those rated in both."""

    units: list[str]  # rated in both quarters, in this quarter's order
    mean: Fraction  # this quarter, over ``units``
    previous: Fraction  # the previous quarter, over ``units``


def _mean_of(rates: list[UnitRate]) -> Fraction:
    return sum((r.rate for r in rates), Fraction(0)) / len(rates)


def compare_means(current: list[UnitRate], previous: list[UnitRate]) -> MeanComparison | None:
    """Like with like: both means over the units rated in both quarters (None: no such unit)."""
    before = {r.unit: r for r in previous}
    both = [r for r in current if r.unit in before]
    if not both:
        return None
    return MeanComparison([r.unit for r in both], _mean_of(both),
                          _mean_of([before[r.unit] for r in both]))


@dataclass(frozen=True)
class Satisfaction:
    """三、政务服务满意率 (rates on a 0-100 scale are Fractions of 1 here, like every rate)."""

    district_rates: list[UnitRate]
    district_mean: Fraction
    district_mean_previous: Fraction | None
    city_rates: list[UnitRate]  # the units averaged into the city mean
    city_mean: Fraction
    city_mean_previous: Fraction | None
    below_city_mean: list[UnitRate]  # lowest first
    # the previous quarter's rates by the same rules (None: no previous quarter read)
    district_rates_previous: list[UnitRate] | None = None
    city_rates_previous: list[UnitRate] | None = None
    # configured districts without any evaluation this quarter (shown as 无评价)
    districts_unrated: list[str] = field(default_factory=list)

    @property
    def districts_improvement(self) -> Improvement | None:
        if self.district_rates_previous is None:
            return None
        expected = len(self.district_rates) + len(self.districts_unrated)
        return improvement(self.district_rates, self.district_rates_previous, expected)

    @property
    def districts_comparable(self) -> bool:
        """Every district rated in both quarters, so the two printed means are like for like."""
        if self.districts_unrated:
            return False
        if self.district_rates_previous is None:
            return True  # only the previous mean is known: nothing to tell apart
        now = {r.unit for r in self.district_rates}
        return now == {r.unit for r in self.district_rates_previous}

    @property
    def districts_comparison(self) -> MeanComparison | None:
        """The district means over the districts rated in both quarters."""
        if self.district_rates_previous is None:
            return None
        return compare_means(self.district_rates, self.district_rates_previous)

    @property
    def city_improvement(self) -> Improvement | None:
        if self.city_rates_previous is None:
            return None
        return improvement(self.city_rates, self.city_rates_previous)


@dataclass(frozen=True)
class BadReviewGroup:
    unit: str
    count: int
    parts: dict[str, int] = field(default_factory=dict)  # counted unit -> count, when rolled up
    includes_stations: bool = False  # 含基层所站


@dataclass(frozen=True)
class BadReviews:
    total: int  # raw 不满意 + 非常不满意
    verdicts: dict[str, int]  # 属实 / 误差评 / 恶意差评 / 未核实
    units: list[BadReviewGroup]  # city units, most first
    districts: list[BadReviewGroup]
    listed_units: list[BadReviewGroup]  # those the narrative names
    listed_districts: list[BadReviewGroup]


@dataclass(frozen=True)
class RepeatItem:
    item_code: str
    item_name: str
    unit: str
    in_quarter: int
    after_quarter: int


@dataclass(frozen=True)
class UnitActivity:
    unit: str
    cases: int
    evaluations: int
    active: int
    rate: Fraction  # active / evaluations


@dataclass(frozen=True)
class Mechanism:
    """四、机制体制落实情况."""

    late_push_districts: list[str]
    late_push_units: list[str]
    missing_eval_districts: list[str]
    missing_eval_units: list[str]
    below_active_threshold: list[UnitActivity]  # lowest first
    repeat_items: list[RepeatItem]


@dataclass(frozen=True)
class ActiveRates:
    """五、主动评价率情况."""

    hall_rate: Fraction
    hall_active: int
    hall_total: int
    city_rate: Fraction
    city_rate_previous: Fraction | None
    ranking: list[UnitActivity]  # best first
    leaders: list[UnitActivity]
    big_units: list[UnitActivity]
    below_threshold: list[UnitActivity]  # lowest first


@dataclass(frozen=True)
class CommendationEntry:
    unit: str
    subunit: str | None
    kind: str
    source: str | None
    wording: str | None
    count: int
    persons: list[str]


@dataclass(frozen=True)
class CommendationGroup:
    months: list[int]
    units: list[str]
    kind: str
    entries: list[CommendationEntry]


@dataclass(frozen=True)
class Commendations:
    """【优质服务】."""

    banners: list[CommendationGroup]
    letters: int
    letter_units: list[str]
    letter_sources: list[str]
    letter_months: list[int]
    praised_persons: list[tuple[str, str]]  # (unit, person), in recorded order
    praise_units: list[str]
    praise_months: list[int]


@dataclass(frozen=True)
class Bulletin:
    quarter: str
    previous_quarter: str
    issue_in_year: int
    issue_overall: int
    issue_date: date
    awards: Awards
    evaluations: EvaluationSummary
    survey: Survey | None
    satisfaction: Satisfaction
    bad_reviews: BadReviews
    mechanism: Mechanism
    active: ActiveRates
    commendations: Commendations | None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: Fractions as exact 'p/q' strings, Decimals and dates as text."""
        return _plain(asdict(self))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, Decimal | date):
        return str(value)
    return value
