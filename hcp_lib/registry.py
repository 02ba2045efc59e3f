"""The unit registry: every unit a bulletin may name, and how units roll up.

Names in the input resolve through it (full name, printed short name or alias); an unknown
name is an error, never a silent new unit. ``parent`` rolls a unit into another for every
unit-level figure (基层所站 into their bureau, 区直部门 into their district);
``bad_review_parent`` does so for bad-review counts only (市公积金中心 into 市住房局).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

REGISTRY_COLUMNS = (
    "short_name", "full_name", "aliases", "kind", "parent", "bad_review_parent",
    "region_code", "in_service_centre",
)
DISTRICT_KIND = "区"


class RegistryError(ValueError):
    """The registry file itself is inconsistent."""


@dataclass(frozen=True)
class Unit:
    short_name: str
    full_name: str
    kind: str
    parent: str | None
    bad_review_parent: str | None
    region_code: str
    in_service_centre: bool
    aliases: tuple[str, ...] = ()


class Registry:
    """Units keyed by their printed short name, with a name index for resolution."""

    def __init__(self, units: Iterable[Unit], source: str = "<memory>") -> None:
        self.source = source
        self.units: dict[str, Unit] = {}
        self._index: dict[str, str] = {}
        for unit in units:
            if unit.short_name in self.units:
                raise RegistryError(f"{source}: duplicate unit {unit.short_name!r}")
            self.units[unit.short_name] = unit
        for unit in self.units.values():
            for name in (unit.short_name, unit.full_name, *unit.aliases):
                key = _norm(name)
                if key in self._index and self._index[key] != unit.short_name:
                    raise RegistryError(
                        f"{source}: name {name!r} names both {self._index[key]!r} "
                        f"and {unit.short_name!r}"
                    )
                self._index[key] = unit.short_name
            for ref in (unit.parent, unit.bad_review_parent):
                if ref and ref not in self.units:
                    raise RegistryError(f"{source}: {unit.short_name!r} refers to unknown {ref!r}")

    @classmethod
    def from_csv(cls, path: str | Path) -> Registry:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        missing = set(REGISTRY_COLUMNS) - set(frame.columns)
        if missing:
            raise RegistryError(f"{path}: missing columns {sorted(missing)}")
        units = [
            Unit(
                short_name=row["short_name"].strip(),
                full_name=row["full_name"].strip(),
                kind=row["kind"].strip(),
                parent=row["parent"].strip() or None,
                bad_review_parent=row["bad_review_parent"].strip() or None,
                region_code=row["region_code"].strip(),
                in_service_centre=row["in_service_centre"].strip().lower() in {"true", "1", "是"},
                aliases=tuple(a.strip() for a in row["aliases"].split("|") if a.strip()),
            )
            for _, row in frame.iterrows()
        ]
        return cls(units, source=str(path))

    def __contains__(self, name: str) -> bool:
        return _norm(name) in self._index

    def __len__(self) -> int:
        return len(self.units)

    def resolve(self, name: str) -> str | None:
        """The short name of the unit a name refers to, or None if unknown."""
        return self._index.get(_norm(name))

    def resolve_series(self, names: pd.Series) -> pd.Series:
        """Vectorised resolve over the distinct values; unknown names become <NA>."""
        uniques = pd.Series(names.dropna().unique())
        mapping = {n: self._index.get(_norm(n)) for n in uniques}
        return names.map(mapping).astype("string")

    def top(self, short_name: str) -> str:
        """Follow ``parent`` links to the unit every unit-level figure is reported under."""
        seen = set()
        while (parent := self.units[short_name].parent) is not None:
            if short_name in seen:
                raise RegistryError(f"{self.source}: parent cycle at {short_name!r}")
            seen.add(short_name)
            short_name = parent
        return short_name

    def bad_review_group(self, short_name: str) -> str:
        """The unit a bad review is counted under (after ``top``)."""
        unit = self.units[self.top(short_name)]
        return unit.bad_review_parent or unit.short_name

    def full_name(self, short_name: str) -> str:
        return self.units[short_name].full_name

    def districts(self) -> list[Unit]:
        return [u for u in self.units.values() if u.kind == DISTRICT_KIND]

    def is_district(self, short_name: str) -> bool:
        return self.units[self.top(short_name)].kind == DISTRICT_KIND

    def frame(self) -> pd.DataFrame:
        """The registry as a DataFrame, with the roll-up targets resolved."""
        rows = []
        for u in self.units.values():
            rows.append({
                "unit": u.short_name, "full_name": u.full_name, "kind": u.kind,
                "top": self.top(u.short_name), "bad_review_group": self.bad_review_group(u.short_name),
                "region_code": u.region_code, "in_service_centre": u.in_service_centre,
                "is_district": self.is_district(u.short_name),
            })
        return pd.DataFrame(rows)


def _norm(name: str) -> str:
    return "".join(str(name).split()).replace("（", "(").replace("）", ")")
