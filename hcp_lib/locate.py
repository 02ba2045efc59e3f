"""Where each published entry's computed value lives in a ``Bulletin``.

An entry id names its figure (``evaluations.region.思明区.基本满意.share``); ``locate`` maps it to
the raw computed value, unformatted. Keeping the map in one table makes an unknown id an
explicit error rather than a silently skipped figure.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .config import Config
from .contract import LEVELS
from .figures import BadReviewGroup, Bulletin, Improvement, RegionRow, SurveyGroup
from .quarters import Quarter

MISTAKEN_VERDICTS = frozenset({"误差评", "恶意差评"})


class NotComputed(LookupError):
    """The bulletin holds no value for this figure (a section or a previous quarter is absent)."""


class Absent(LookupError):
    """The figure names an item (a unit, a row, a paragraph) that the computed list lacks."""


class UnknownFigure(KeyError):
    """No rule says where an entry id's value lives."""


@dataclass(frozen=True)
class RowShare:
    """One share of a table row; the whole row is needed to print it (rows total 100%)."""

    shares: tuple[Fraction, ...]
    index: int


@dataclass(frozen=True)
class Change:
    """A value and its previous-quarter value, in printed units (points or percentage points)."""

    current: Fraction
    previous: Fraction

    @property
    def delta(self) -> Fraction:
        return self.current - self.previous


@dataclass(frozen=True)
class Flag:
    """A true/false claim with the counts behind it, shown beside the verdict (6/6 个区提高)."""

    value: bool
    detail: str = ""

    def __bool__(self) -> bool:
        return self.value


Handler = Callable[..., Any]
_RULES: list[tuple[re.Pattern[str], Handler]] = []


def _rule(pattern: str) -> Callable[[Handler], Handler]:
    def add(fn: Handler) -> Handler:
        _RULES.append((re.compile(f"^{pattern}$"), fn))
        return fn
    return add


def locate(bulletin: Bulletin, config: Config, entry_id: str) -> Any:
    """The raw computed value behind ``entry_id``; raises NotComputed, Absent or UnknownFigure."""
    for pattern, fn in _RULES:
        m = pattern.match(entry_id)
        if m:
            return fn(bulletin, config, **m.groupdict())
    raise UnknownFigure(entry_id)


def known_id(entry_id: str) -> bool:
    return any(pattern.match(entry_id) for pattern, _ in _RULES)


def _need(value: Any, what: str) -> Any:
    if value is None:
        raise NotComputed(what)
    return value


def _pct_change(current: Fraction, previous: Fraction | None, what: str) -> Change:
    """Rates are fractions of 1; their change prints in percentage points."""
    return Change(current * 100, _need(previous, what) * 100)


# ------------------------------------------------------------------ masthead and awards
@_rule(r"header\.title")
def _title(b: Bulletin, c: Config) -> str:
    return c.city.title


@_rule(r"header\.issuer")
def _issuer(b: Bulletin, c: Config) -> str:
    return c.city.issuer


@_rule(r"header\.issue_in_year")
def _issue_in_year(b: Bulletin, c: Config) -> int:
    return b.issue_in_year


@_rule(r"header\.issue_overall")
def _issue_overall(b: Bulletin, c: Config) -> int:
    return b.issue_overall


@_rule(r"header\.date")
def _date(b: Bulletin, c: Config) -> Any:
    return b.issue_date


@_rule(r"header\.quarter")
def _quarter(b: Bulletin, c: Config) -> str:
    return Quarter.parse(b.quarter).short_cn


@_rule(r"awards\.red_flags")
def _red_flags(b: Bulletin, c: Config) -> list[str]:
    return list(b.awards.red_flags)


@_rule(r"awards\.stars")
def _stars(b: Bulletin, c: Config) -> list[list[str]]:
    return [[s.person, s.unit_full_name] for s in b.awards.stars]


# ------------------------------------------------------------------ evaluations
@_rule(r"evaluations\.(?P<field>total|active|active_rate|satisfied_rate)")
def _eval_field(b: Bulletin, c: Config, field: str) -> Any:
    return getattr(b.evaluations, field)


@_rule(r"evaluations\.levels\.(?P<level>[^.]+)\.count")
def _level_count(b: Bulletin, c: Config, level: str) -> int:
    return b.evaluations.levels.get(level, 0)


@_rule(r"evaluations\.levels\.(?P<level>[^.]+)\.share")
def _level_share(b: Bulletin, c: Config, level: str) -> Fraction:
    return b.evaluations.share(level) if level in b.evaluations.levels else Fraction(0)


@_rule(r"evaluations\.levels\.(?P<level>[^.]+)\.share\.change")
def _level_share_change(b: Bulletin, c: Config, level: str) -> Change:
    prev = _need(b.evaluations.previous_levels, "previous quarter's level counts")
    prev_total = sum(prev.values())
    if not prev_total:
        raise NotComputed("previous quarter has no evaluations")
    return _pct_change(_level_share(b, c, level), Fraction(prev.get(level, 0), prev_total), "")


@_rule(r"evaluations\.region\.title")
def _region_title(b: Bulletin, c: Config) -> str:
    return c.city.table_title.format(ordinal=Quarter.parse(b.quarter).ordinal_cn)


@_rule(r"evaluations\.region\.rows")
def _region_rows(b: Bulletin, c: Config) -> list[str]:
    return [r.label for r in b.evaluations.regions]


def _region(b: Bulletin, label: str) -> RegionRow:
    for row in b.evaluations.regions:
        if row.label == label:
            return row
    raise Absent(f"no region row {label}")


@_rule(r"evaluations\.region\.(?P<label>[^.]+)\.(?P<field>total|active)")
def _region_field(b: Bulletin, c: Config, label: str, field: str) -> int:
    return getattr(_region(b, label), field)


@_rule(r"evaluations\.region\.(?P<label>[^.]+)\.(?P<level>[^.]+)\.count")
def _region_count(b: Bulletin, c: Config, label: str, level: str) -> int:
    return _region(b, label).levels.get(level, 0)


@_rule(r"evaluations\.region\.(?P<label>[^.]+)\.(?P<level>[^.]+)\.share")
def _region_share(b: Bulletin, c: Config, label: str, level: str) -> RowShare:
    row = _region(b, label)
    if level not in LEVELS:
        raise Absent(f"no level {level}")
    shares = tuple(
        Fraction(row.levels.get(lv, 0), row.total) if row.total else Fraction(0) for lv in LEVELS
    )
    return RowShare(shares, LEVELS.index(level))


# ------------------------------------------------------------------ survey
def _group(b: Bulletin, group: str) -> SurveyGroup:
    survey = _need(b.survey, "third-party survey")
    return survey.units if group == "units" else survey.districts


@_rule(r"survey\.(?P<group>units|districts)\.(?P<field>count|mean|top|bottom)")
def _survey_field(b: Bulletin, c: Config, group: str, field: str) -> Any:
    return getattr(_group(b, group), field)


@_rule(r"survey\.(?P<group>units|districts)\.mean\.change")
def _survey_change(b: Bulletin, c: Config, group: str) -> Change:
    g = _group(b, group)
    return Change(Fraction(g.mean), Fraction(_need(g.previous_mean, "previous survey mean")))


# ------------------------------------------------------------------ satisfaction
@_rule(r"satisfaction\.(?P<group>districts|city)\.mean(?P<prev>\.previous)?")
def _sat_mean(b: Bulletin, c: Config, group: str, prev: str | None) -> Fraction:
    s = b.satisfaction
    if group == "districts":
        return _need(s.district_mean_previous, "previous district mean") if prev else s.district_mean
    return _need(s.city_mean_previous, "previous city mean") if prev else s.city_mean


def _improved(found: Improvement | None, what: str, measure: str) -> tuple[Improvement, str]:
    imp = _need(found, f"previous quarter's {what} rates")
    return imp, f"{imp.improved}/{imp.compared} {measure}提高"


@_rule(r"satisfaction\.districts\.all_improved")
def _districts_improved(b: Bulletin, c: Config) -> Flag:
    imp, detail = _improved(b.satisfaction.districts_improvement, "district", "个区")
    return Flag(imp.all, detail)


@_rule(r"satisfaction\.city_units\.most_improved")
def _city_units_improved(b: Bulletin, c: Config) -> Flag:
    """多数: more than ``satisfaction.majority_above`` of the units rated in both quarters."""
    imp, detail = _improved(b.satisfaction.city_improvement, "city unit", "家")
    return Flag(imp.most(c.satisfaction.majority), detail)


@_rule(r"satisfaction\.below_city_mean")
def _below_mean(b: Bulletin, c: Config) -> list[Any]:
    return list(b.satisfaction.below_city_mean)


@_rule(r"satisfaction\.below_city_mean\.count")
def _below_mean_count(b: Bulletin, c: Config) -> int:
    return len(b.satisfaction.below_city_mean)


# ------------------------------------------------------------------ bad reviews
@_rule(r"bad_reviews\.total")
def _bad_total(b: Bulletin, c: Config) -> int:
    return b.bad_reviews.total


@_rule(r"bad_reviews\.all_mistaken_or_malicious")
def _all_mistaken(b: Bulletin, c: Config) -> bool:
    v = b.bad_reviews.verdicts
    others = sum(n for k, n in v.items() if k not in MISTAKEN_VERDICTS)
    return others == 0 and sum(v.values()) == b.bad_reviews.total


def _bad_lists(b: Bulletin, group: str) -> list[BadReviewGroup]:
    br = b.bad_reviews
    return list(br.listed_units if group == "units" else br.listed_districts)


@_rule(r"bad_reviews\.(?P<group>units|districts)")
def _bad_names(b: Bulletin, c: Config, group: str) -> list[str]:
    return [g.unit for g in _bad_lists(b, group)]


@_rule(r"bad_reviews\.(?P<group>units|districts)\.(?P<unit>[^.]+)\.(?P<field>count|includes_stations|parts)")
def _bad_field(b: Bulletin, c: Config, group: str, unit: str, field: str) -> Any:
    for g in _bad_lists(b, group):
        if g.unit == unit:
            return dict(g.parts) if field == "parts" else getattr(g, field)
    raise Absent(f"{unit} is not among the listed {group}")


# ------------------------------------------------------------------ mechanism
@_rule(r"mechanism\.(?P<check>late_push|missing_evals)\.(?P<group>districts|units)\.count")
def _mech_count(b: Bulletin, c: Config, check: str, group: str) -> int:
    prefix = "late_push" if check == "late_push" else "missing_eval"
    return len(getattr(b.mechanism, f"{prefix}_{group}"))


@_rule(r"mechanism\.missing_evals\.units\.other_than_late")
def _other_than_late(b: Bulletin, c: Config) -> bool:
    return not set(b.mechanism.missing_eval_units) & set(b.mechanism.late_push_units)


@_rule(r"mechanism\.below_active_threshold\.count")
def _mech_below(b: Bulletin, c: Config) -> int:
    return len(b.mechanism.below_active_threshold)


@_rule(r"mechanism\.repeat_items\.continue_after_quarter")
def _repeat(b: Bulletin, c: Config) -> bool:
    least = c.mechanism.repeat_min_after
    return any(i.after_quarter >= least for i in b.mechanism.repeat_items)


# ------------------------------------------------------------------ active rates
@_rule(r"active\.hall_rate")
def _hall(b: Bulletin, c: Config) -> Fraction:
    return b.active.hall_rate


@_rule(r"active\.city_rate")
def _city_rate(b: Bulletin, c: Config) -> Fraction:
    return b.active.city_rate


@_rule(r"active\.city_rate\.change")
def _city_rate_change(b: Bulletin, c: Config) -> Change:
    return _pct_change(b.active.city_rate, b.active.city_rate_previous, "previous city rate")


@_rule(r"active\.(?P<field>leaders|below_threshold)")
def _active_names(b: Bulletin, c: Config, field: str) -> list[str]:
    return [u.unit for u in getattr(b.active, field)]


@_rule(r"active\.big_units")
def _big_units(b: Bulletin, c: Config) -> list[Any]:
    return list(b.active.big_units)


@_rule(r"active\.below_threshold\.count")
def _active_below_count(b: Bulletin, c: Config) -> int:
    return len(b.active.below_threshold)


# ------------------------------------------------------------------ commendations
def _paragraph(b: Bulletin, number: str) -> Any:
    banners = _need(b.commendations, "commendations").banners
    n = int(number)
    if not 1 <= n <= len(banners):
        raise Absent(f"no banner paragraph {n}")
    return banners[n - 1]


@_rule(r"commendations\.banners\.count")
def _banner_count(b: Bulletin, c: Config) -> int:
    return len(_need(b.commendations, "commendations").banners)


@_rule(r"commendations\.banners\.(?P<number>\d+)\.months")
def _banner_months(b: Bulletin, c: Config, number: str) -> list[int]:
    return list(_paragraph(b, number).months)


@_rule(r"commendations\.banners\.(?P<number>\d+)\.units")
def _banner_units(b: Bulletin, c: Config, number: str) -> list[str]:
    return list(_paragraph(b, number).units)


@_rule(r"commendations\.banners\.(?P<number>\d+)\.entries")
def _banner_entries(b: Bulletin, c: Config, number: str) -> list[dict[str, Any]]:
    return [
        {"unit": e.unit, "subunit": e.subunit, "source": e.source, "wording": e.wording,
         "count": e.count}
        for e in _paragraph(b, number).entries
    ]


_COMMENDATION_FIELDS = {
    "letters.count": "letters", "letters.months": "letter_months",
    "letters.units": "letter_units", "letters.sources": "letter_sources",
    "praise.units": "praise_units", "praise.months": "praise_months",
    "praise.persons": "praised_persons",
}


@_rule(r"commendations\.(?P<path>letters\.(?:count|months|units|sources)|praise\.(?:units|months|persons))")
def _commendation_field(b: Bulletin, c: Config, path: str) -> Any:
    value = getattr(_need(b.commendations, "commendations"), _COMMENDATION_FIELDS[path])
    if path == "praise.persons":
        return [list(p) for p in value]
    return value if isinstance(value, int) else list(value)


@_rule(r"commendations\.(?P<path>letters|praise)\.units\.count")
def _commendation_unit_count(b: Bulletin, c: Config, path: str) -> int:
    cm = _need(b.commendations, "commendations")
    return len(cm.letter_units if path == "letters" else cm.praise_units)


@_rule(r"commendations\.praise\.person_times")
def _person_times(b: Bulletin, c: Config) -> int:
    return len(_need(b.commendations, "commendations").praised_persons)
