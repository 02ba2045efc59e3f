"""【优质服务】: banners grouped into paragraphs, thank-you letters and praise summarised."""

from __future__ import annotations

import pandas as pd

from ..config import Config
from ..figures import CommendationEntry, CommendationGroup, Commendations
from ..quarters import Quarter
from ._common import Units, distinct_in_order
from .awards import in_quarter_months


def _text(value: object) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None


def _count(value: object) -> int:
    text = _text(value)
    return int(float(text)) if text else 1


def _entry(row: pd.Series, units: Units, config: Config) -> CommendationEntry:
    persons = _text(row.get("persons"))
    sep = config.commendations.person_separator
    return CommendationEntry(
        unit=units.short(str(row["unit"])),
        subunit=_text(row.get("subunit")),
        kind=str(row["kind"]),
        source=_text(row.get("source")),
        wording=_text(row.get("wording")),
        count=_count(row.get("count")),
        persons=[p.strip() for p in persons.split(sep) if p.strip()] if persons else [],
    )


def _month(text: str) -> int:
    return int(str(text)[5:7])


def commendations(
    small: dict[str, pd.DataFrame], quarter: Quarter, config: Config, units: Units
) -> Commendations | None:
    """None when the quarter has no commendation rows."""
    table = small.get("commendations")
    if table is None or not len(table):
        return None
    table = table.loc[in_quarter_months(table["month"], quarter)]
    if not len(table):
        return None
    rule = config.commendations
    kinds = table["kind"].astype(str)

    paragraphs: dict[object, list[tuple[int, CommendationEntry]]] = {}
    for _, row in table.loc[kinds == rule.banner_kind].iterrows():
        entry = _entry(row, units, config)
        number = _text(row.get("entry"))
        key = ("entry", int(float(number))) if number else ("unit", entry.unit)
        paragraphs.setdefault(key, []).append((_month(row["month"]), entry))
    banners = [
        CommendationGroup(
            months=sorted({m for m, _ in rows}),
            units=distinct_in_order(e.unit for _, e in rows),
            kind=rule.banner_kind,
            entries=[e for _, e in rows],
        )
        for rows in paragraphs.values()
    ]

    letters = [(_month(r["month"]), _entry(r, units, config))
               for _, r in table.loc[kinds == rule.letter_kind].iterrows()]
    praise = [(_month(r["month"]), _entry(r, units, config))
              for _, r in table.loc[kinds == rule.praise_kind].iterrows()]
    return Commendations(
        banners=banners,
        letters=sum(e.count for _, e in letters),
        letter_units=distinct_in_order(e.unit for _, e in letters),
        letter_sources=distinct_in_order(e.source for _, e in letters),
        letter_months=sorted({m for m, _ in letters}),
        praised_persons=[(e.unit, p) for _, e in praise for p in e.persons],
        praise_units=distinct_in_order(e.unit for _, e in praise),
        praise_months=sorted({m for m, _ in praise}),
    )
