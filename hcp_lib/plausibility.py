"""Plausibility checks on the computed figures, before anything is published.

Valid rows can still add up to nonsense: level codes read in the wrong direction turn 99%
非常满意 into 2%, a quarter exported twice doubles every count. Each check here looks at the
bulletin's aggregates (and the previous quarter's, when read), is switched on or off in the
configuration's ``plausibility`` section, and fails with a named message saying what to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

from .config import PlausibilityConfig
from .contract import LEVELS
from .figures import Bulletin

SATISFIED, DISSATISFIED = LEVELS[:2], LEVELS[3:]


@dataclass(frozen=True)
class Implausible:
    check: str  # the configuration key that switches it off
    message: str

    def line(self) -> str:
        return f"[{self.check}] {self.message}"


def check(bulletin: Bulletin, settings: PlausibilityConfig) -> list[Implausible]:
    """Every enabled check's failures; empty when the figures look plausible."""
    found: list[Implausible] = []
    if settings.level_direction.enabled:
        found += _level_direction(bulletin, settings)
    if settings.volume.enabled:
        found += _volume(bulletin, settings.volume.max_ratio)
    if settings.rates_in_range:
        found += _rates_in_range(bulletin)
    if settings.survey_means_in_range:
        found += _survey_means(bulletin)
    return found


def _share(levels: dict[str, int], names: tuple[str, ...]) -> Fraction:
    total = sum(levels.values())
    return Fraction(sum(levels.get(n, 0) for n in names), total) if total else Fraction(0)


def _level_direction(bulletin: Bulletin, settings: PlausibilityConfig) -> list[Implausible]:
    rule = settings.level_direction
    now = bulletin.evaluations.levels
    if not sum(now.values()):
        return []
    hint = ("check input.level_codes in the configuration (descending: 5 = 非常满意; "
            "ascending: 1 = 非常满意) against the export")
    before = bulletin.evaluations.previous_levels
    if before and sum(before.values()):
        good_now, good_before = _share(now, SATISFIED), _share(before, SATISFIED)
        if good_before - good_now > Fraction(str(rule.max_satisfied_share_drop)):
            return [Implausible(
                "level_direction",
                f"非常满意和满意的占比从上季度的{float(good_before):.2%}降到{float(good_now):.2%}，"
                f"评价等级的方向可能读反了 (the satisfied share fell from {float(good_before):.2%} "
                f"to {float(good_now):.2%}; {hint})")]
    if rule.expect_satisfied_majority:
        good, bad = _share(now, SATISFIED), _share(now, DISSATISFIED)
        if bad > good:
            return [Implausible(
                "level_direction",
                f"不满意和非常不满意占{float(bad):.2%}，多于非常满意和满意的{float(good):.2%}，评价等级"
                f"的方向可能读反了 (dissatisfied {float(bad):.2%} > satisfied {float(good):.2%}; "
                f"{hint})")]
    return []


def _volume(bulletin: Bulletin, max_ratio: float) -> list[Implausible]:
    before = bulletin.evaluations.previous_levels
    now, prev = bulletin.evaluations.total, sum(before.values()) if before else 0
    if not prev or not now:
        return []
    ratio = Fraction(now, prev)
    limit = Fraction(str(max_ratio))
    if ratio > limit or ratio < 1 / limit:
        return [Implausible(
            "volume",
            f"评价总数从上季度的{prev:,}件变为{now:,}件（{float(ratio):.2f}倍），超出合理范围 "
            f"(evaluations changed {float(ratio):.2f}-fold on the previous quarter, beyond "
            f"plausibility.volume.max_ratio {max_ratio:g}; a file exported twice or cut short?)")]
    return []


def _rates(bulletin: Bulletin) -> Iterator[tuple[str, Fraction]]:
    e, s, a = bulletin.evaluations, bulletin.satisfaction, bulletin.active
    yield "主动评价率 active_rate", e.active_rate
    yield "综合满意率 satisfied_rate", e.satisfied_rate
    yield "区平均满意率 district_mean", s.district_mean
    yield "市直平均满意率 city_mean", s.city_mean
    yield "大厅主动评价率 hall_rate", a.hall_rate
    for r in [*s.district_rates, *s.city_rates]:
        yield f"{r.unit} 满意率", r.rate
    for u in a.ranking:
        yield f"{u.unit} 主动评价率", u.rate


def _rates_in_range(bulletin: Bulletin) -> list[Implausible]:
    found = []
    e = bulletin.evaluations
    if e.active > e.total:
        found.append(Implausible("rates_in_range", f"主动评价 {e.active:,} 件多于评价总数 "
                                 f"{e.total:,} 件 (active evaluations exceed all evaluations)"))
    bad = [(name, rate) for name, rate in _rates(bulletin) if not 0 <= rate <= 1]
    if bad:
        name, rate = bad[0]
        found.append(Implausible("rates_in_range", f"{name} 为 {float(rate):.2%}，不在 0–100% 之间 "
                                 f"({len(bad)} rate(s) outside 0–100%)"))
    return found


def _survey_means(bulletin: Bulletin) -> list[Implausible]:
    if bulletin.survey is None:
        return []
    found = []
    for label, group in (("窗口单位", bulletin.survey.units), ("区", bulletin.survey.districts)):
        if group.count and not 0 <= group.mean <= 100:
            found.append(Implausible("survey_means_in_range",
                                     f"第三方评估{label}平均成绩为{float(group.mean):.2f}分，不在 "
                                     f"0–100 分之间 (survey mean outside 0–100)"))
    return found
