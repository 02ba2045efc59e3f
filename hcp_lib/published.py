"""The published bulletin, transcribed by hand: a list of printed figures to reconcile.

``data/published/<quarter>.yaml`` holds one entry per printed figure. Loading validates every
entry against its figure kind, so a transcription slip fails loudly and names the entry.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from .yamltext import safe_load

FigureKind = Literal[
    "text", "date", "count", "percent", "score", "names", "names_subset", "pairs",
    "pairs_subset", "unit_rates", "parts", "records", "months", "flag", "change", "range",
]
DISPLAYED: frozenset[str] = frozenset({"percent", "score", "unit_rates"})
CLAIMS: frozenset[str] = frozenset({"change", "range"})
RECORD_FIELDS: tuple[str, ...] = ("unit", "subunit", "source", "wording", "count")

_PERCENT = re.compile(r"^-?\d+(\.\d+)?%$")
_SCORE = re.compile(r"^-?\d+(\.\d+)?$")
_MONTHS = re.compile(r"^\d{1,2}(\s*[-、]\s*\d{1,2})*\s*月份?$")


class PublishedError(ValueError):
    """The published file is missing, unreadable, or an entry breaks the schema."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Claim(_Model):
    """A printed statement checked as a direction and/or a closed range (printed units)."""

    direction: Literal["up", "down"] | None = None
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _bounds(self) -> Claim:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"claim min {self.min} is above max {self.max}")
        return self


class KnownInconsistency(_Model):
    """The print contradicts the bulletin's own rule; ``expected`` is what the rule gives."""

    reason: str
    reason_cn: str | None = None  # the same in Chinese, for the report's appendix
    expected: Any = None


class Entry(_Model):
    id: str
    figure: FigureKind
    published: Any
    display: str | None = None
    claim: Claim | None = None
    known_inconsistency: KnownInconsistency | None = None
    unmodelled: str | None = None
    note: str | None = None

    @property
    def section(self) -> str:
        return self.id.split(".", 1)[0]

    @model_validator(mode="after")
    def _shape(self) -> Entry:
        problem = _shape_problem(self.figure, self.published)
        if problem:
            raise ValueError(f"{self.figure} figure: {problem} (got {self.published!r})")
        if self.figure in DISPLAYED and not self.display:
            raise ValueError(f"{self.figure} figure needs `display` (a display policy or figure)")
        if self.figure in CLAIMS:
            if self.claim is None:
                raise ValueError(f"{self.figure} figure needs a `claim`")
            if self.figure == "change" and self.claim.direction is None:
                raise ValueError("change figure needs claim.direction")
            if self.figure == "range" and (self.claim.min is None or self.claim.max is None):
                raise ValueError("range figure needs claim.min and claim.max")
        elif self.claim is not None:
            raise ValueError(f"`claim` belongs to change/range figures, not {self.figure}")
        if self.known_inconsistency and self.known_inconsistency.expected is not None:
            problem = _shape_problem(self.figure, self.known_inconsistency.expected)
            if problem:
                raise ValueError(f"known_inconsistency.expected: {problem}")
        return self


class Published(_Model):
    quarter: str
    entries: tuple[Entry, ...]
    source: str = "<memory>"

    def entry(self, entry_id: str) -> Entry:
        for e in self.entries:
            if e.id == entry_id:
                return e
        raise KeyError(entry_id)


def load_published(path: str | Path) -> Published:
    """Read and validate a transcription; every error names the file and the entry id."""
    path = Path(path)
    try:
        raw = safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PublishedError(f"cannot read published figures {path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise PublishedError(f"{path}: not valid YAML: {exc}") from exc
    return parse_published(raw, source=str(path))


def parse_published(raw: Any, source: str = "<memory>") -> Published:
    """Validate an already-parsed document (see ``load_published``)."""
    if not isinstance(raw, dict) or "quarter" not in raw or not isinstance(raw.get("entries"), list):
        raise PublishedError(f"{source}: expected a mapping with `quarter` and a list `entries`")
    entries: list[Entry] = []
    seen: set[str] = set()
    for number, item in enumerate(raw["entries"], start=1):
        label = item.get("id") if isinstance(item, dict) else None
        where = f"entry {label!r}" if label else f"entry #{number} (no id)"
        if not isinstance(item, dict):
            raise PublishedError(f"{source}: {where}: expected a mapping, got {item!r}")
        try:
            entry = Entry(**item)
        except ValidationError as exc:
            raise PublishedError(f"{source}: {where}: {_brief(exc)}") from exc
        if entry.id in seen:
            raise PublishedError(f"{source}: {where}: duplicate id")
        seen.add(entry.id)
        entries.append(entry)
    return Published(quarter=str(raw["quarter"]), entries=tuple(entries), source=source)


def _brief(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts)


def _is_str_list(value: Any, width: int | None = None) -> bool:
    if not isinstance(value, list):
        return False
    if width is None:
        return all(isinstance(v, str) for v in value)
    return all(
        isinstance(v, list) and len(v) == width and all(isinstance(x, str) for x in v)
        for v in value
    )


def _shape_problem(kind: str, value: Any) -> str | None:
    """Why ``value`` cannot be a printed ``kind`` figure, or None when it can."""
    ok: bool
    if kind in {"text", "change", "range"}:
        ok, want = isinstance(value, str) and bool(value.strip()), "non-empty text"
    elif kind == "date":
        ok, want = isinstance(value, date), "a date YYYY-MM-DD"
    elif kind == "count":
        ok, want = isinstance(value, int) and not isinstance(value, bool) and value >= 0, \
            "a non-negative integer"
    elif kind == "percent":
        ok, want = isinstance(value, str) and bool(_PERCENT.match(value)), 'a quoted "12.34%"'
    elif kind == "score":
        ok, want = isinstance(value, str) and bool(_SCORE.match(value)), 'a quoted "96.25"'
    elif kind in {"names", "names_subset"}:
        ok, want = _is_str_list(value), "a list of names"
    elif kind in {"pairs", "pairs_subset"}:
        ok, want = _is_str_list(value, 2), "a list of [name, name] pairs"
    elif kind == "unit_rates":
        ok = _is_str_list(value, 2) and all(_PERCENT.match(rate) for _, rate in value)
        want = 'a list of [unit, "12.345%"] pairs'
    elif kind == "parts":
        ok = isinstance(value, dict) and all(
            isinstance(k, str) and isinstance(v, int) for k, v in value.items())
        want = "a mapping unit -> count"
    elif kind == "records":
        ok = isinstance(value, list) and all(
            isinstance(r, dict) and set(r) == set(RECORD_FIELDS) for r in value)
        want = f"a list of mappings with exactly {', '.join(RECORD_FIELDS)}"
    elif kind == "months":
        ok, want = isinstance(value, str) and bool(_MONTHS.match(value)), "months like 4-5月份"
    elif kind == "flag":
        ok, want = isinstance(value, bool), "true or false"
    else:  # pragma: no cover - FigureKind already limits kinds
        return f"unknown figure kind {kind}"
    return None if ok else f"published must be {want}"
