"""Reconciliation: every published figure against the computed one, with a verdict each.

Pure functions: ``reconcile(published, bulletin, config)`` formats each computed figure the way
the bulletin prints it (the configured display policy), compares it with the transcription and
classifies the entry. A difference the source itself explains (documented in the transcription
as ``known_inconsistency``) is ``known``; any other difference makes the result not ``ok``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pandas as pd

from .config import Config, PercentPolicy
from .figures import Bulletin
from .locate import Absent, Change, Flag, NotComputed, RowShare, UnknownFigure, locate
from .percent import format_percent
from .published import Entry, Published, PublishedError, load_published

__all__ = [
    "STATUSES", "ReconcileError", "ReconcileResult", "Row", "check_entry", "format_computed",
    "load_published", "PublishedError", "reconcile", "same",
]

STATUSES: tuple[str, ...] = ("match", "mismatch", "known", "unexpected_match", "missing", "unchecked")
"""match: equal as printed; mismatch: differs, unexplained; known: differs as the documented
source inconsistency says; unexpected_match: documented as inconsistent yet equal (the note or
the computation is wrong); missing: the bulletin holds no value; unchecked: not in the model."""
FAILING: frozenset[str] = frozenset({"mismatch", "unexpected_match", "missing"})
STATUS_CN = {
    "match": "一致", "mismatch": "不一致", "known": "已知差异", "unexpected_match": "已知差异未出现",
    "missing": "无计算值", "unchecked": "未核对",
}
COLUMNS_CN = {"id": "项目", "published": "通报值", "computed": "计算值", "status": "结果", "note": "说明"}


class ReconcileError(ValueError):
    """Reconciliation cannot run: wrong quarter, an unknown entry id or display policy."""


@dataclass(frozen=True)
class Row:
    id: str
    section: str
    published: str
    computed: str
    status: str
    note: str = ""
    note_cn: str = ""  # for readers of the report: the source's inconsistency, in Chinese


@dataclass(frozen=True)
class ReconcileResult:
    quarter: str
    rows: tuple[Row, ...]

    @property
    def summary(self) -> dict[str, int]:
        counts = Counter(r.status for r in self.rows)
        return {s: counts.get(s, 0) for s in STATUSES}

    @property
    def ok(self) -> bool:
        """No unexplained difference: nothing mismatched, missing or unexpectedly matching."""
        return not any(r.status in FAILING for r in self.rows)

    def problems(self) -> list[Row]:
        return [r for r in self.rows if r.status in FAILING]

    def to_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(
            [{"id": r.id, "published": r.published, "computed": r.computed,
              "status": STATUS_CN[r.status], "note": r.note} for r in self.rows],
            columns=list(COLUMNS_CN),
        )
        return frame.rename(columns=COLUMNS_CN)

    def summary_text(self) -> str:
        counts = self.summary
        parts = ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts[s])
        verdict = "OK" if self.ok else "NOT OK"
        lines = [f"{self.quarter}: {len(self.rows)} published figures: {parts}. {verdict}"]
        lines += [f"  {r.status}: {r.id} (published {r.published}, computed {r.computed})"
                  for r in self.problems()]
        return "\n".join(lines)


def reconcile(published: Published, bulletin: Bulletin, config: Config) -> ReconcileResult:
    """Check every published entry against ``bulletin``, in transcription order."""
    if published.quarter != bulletin.quarter:
        raise ReconcileError(
            f"{published.source}: published figures are for {published.quarter}, "
            f"the computed bulletin for {bulletin.quarter}"
        )
    return ReconcileResult(bulletin.quarter, tuple(check_entry(e, bulletin, config)
                                                   for e in published.entries))


def check_entry(entry: Entry, bulletin: Bulletin, config: Config) -> Row:
    """One entry's verdict; configuration errors raise ReconcileError naming the entry."""
    shown = show(entry.published)

    def row(computed: str, status: str, note: str = "") -> Row:
        return Row(entry.id, entry.section, shown, computed, status, note or entry.note or "")

    if entry.unmodelled:
        return row("—", "unchecked", f"not in the Bulletin model: {entry.unmodelled}")
    try:
        raw = locate(bulletin, config, entry.id)
    except UnknownFigure as exc:
        raise ReconcileError(f"entry {entry.id!r}: no computed figure is known for this id") from exc
    except NotComputed as exc:
        return row("—", "missing", f"not computed: {exc}")
    except Absent as exc:
        return row("—", "mismatch", str(exc))
    try:
        computed = format_computed(entry, raw, config)
    except KeyError as exc:
        raise ReconcileError(f"entry {entry.id!r}: unknown display policy {exc}") from exc
    except (TypeError, ValueError, AttributeError) as exc:
        raise ReconcileError(f"entry {entry.id!r}: cannot format {raw!r}: {exc}") from exc
    equal = same(entry, entry.published, computed)
    shown_computed = show(computed) + (f"（{raw.detail}）" if isinstance(raw, Flag) and raw.detail else "")
    known = entry.known_inconsistency
    if known is None:
        return row(shown_computed, "match" if equal else "mismatch", _claim_note(entry))
    if equal:
        return row(shown_computed, "unexpected_match",
                   f"documented inconsistency not reproduced: {known.reason}")
    if known.expected is None or same(entry, known.expected, computed):
        return replace(row(shown_computed, "known", known.reason), note_cn=known.reason_cn or "")
    return row(shown_computed, "mismatch",
               f"differs from the print and from the documented {show(known.expected)}")


# ------------------------------------------------------------------ formatting
def format_computed(entry: Entry, raw: Any, config: Config) -> Any:
    """The computed value in the form the bulletin prints it (comparable with ``published``)."""
    kind = entry.figure
    if kind == "percent":
        return _percent(raw, config.display.policy_for(entry.display or ""))
    if kind == "score":
        policy = config.display.policy_for(entry.display or "")
        return format_percent(Fraction(raw) / 100, policy).removesuffix("%")
    if kind == "unit_rates":
        policy = config.display.policy_for(entry.display or "")
        return [[u.unit, format_percent(u.rate, policy)] for u in raw]
    if kind in {"change", "range"}:
        return raw.delta if isinstance(raw, Change) else Fraction(raw)
    if kind == "months":
        return months_text(raw)
    if kind == "date":
        return raw if isinstance(raw, date) else date.fromisoformat(str(raw))
    if kind == "count":
        return int(raw)
    if kind == "flag":
        return bool(raw)
    if kind in {"names", "names_subset"}:
        return [str(n) for n in raw]
    if kind in {"pairs", "pairs_subset"}:
        return [[str(a), str(b)] for a, b in raw]
    if kind == "parts":
        return {str(k): int(v) for k, v in raw.items()}
    return raw


def _percent(raw: Fraction | RowShare, policy: PercentPolicy) -> str:
    if isinstance(raw, RowShare):
        return row_percents(raw.shares, policy)[raw.index]
    return format_percent(raw, policy)


def row_percents(shares: tuple[Fraction, ...], policy: PercentPolicy) -> list[str]:
    """A table row's shares as printed; with ``total_100`` the largest absorbs the remainder."""
    printed = [format_percent(s, policy) for s in shares]
    if not policy.total_100 or not any(shares):
        return printed
    largest = max(range(len(shares)), key=lambda i: shares[i])
    others = sum(Decimal(_number(p)) for i, p in enumerate(printed) if i != largest)
    printed[largest] = f"{Decimal(100) - others:.{policy.decimals}f}%"
    return printed


def months_text(months: list[int]) -> str:
    """``[4, 5]`` as ``4-5月份``: a run of months as a range, others listed with 、."""
    ms = sorted(set(months))
    if not ms:
        return ""
    if len(ms) > 1 and ms == list(range(ms[0], ms[-1] + 1)):
        return f"{ms[0]}-{ms[-1]}月份"
    return "、".join(str(m) for m in ms) + "月份"


# ------------------------------------------------------------------ comparison
def same(entry: Entry, published: Any, computed: Any) -> bool:
    """Whether a computed value prints as ``published`` (or satisfies its claim)."""
    kind = entry.figure
    if kind in {"percent", "score"}:
        return _number(published) == _number(computed)
    if kind == "unit_rates":
        return [[u, _number(r)] for u, r in published] == [[u, _number(r)] for u, r in computed]
    if kind in {"text", "months"}:
        return _squash(published) == _squash(computed)
    if kind == "date":
        return str(published) == str(computed)
    if kind in {"names_subset", "pairs_subset"}:
        return all(item in computed for item in published)
    if kind in {"change", "range"}:
        return _claim_holds(entry, Fraction(computed))
    return published == computed


def _claim_holds(entry: Entry, value: Fraction) -> bool:
    claim = entry.claim
    if claim is None:
        raise PublishedError(f"entry {entry.id!r}: no claim to check")
    if claim.direction == "up" and value <= 0 or claim.direction == "down" and value >= 0:
        return False
    size = abs(value) if claim.direction else value
    if claim.min is not None and size < Fraction(str(claim.min)):
        return False
    return not (claim.max is not None and size > Fraction(str(claim.max)))


def _claim_note(entry: Entry) -> str:
    claim = entry.claim
    if claim is None:
        return entry.note or ""
    bounds = ""
    if claim.min is not None or claim.max is not None:
        bounds = f" by [{claim.min if claim.min is not None else '…'}, " \
                 f"{claim.max if claim.max is not None else '…'}]"
    return f"claim: {claim.direction or 'value'}{bounds}"


def _number(text: Any) -> str:
    return _squash(text).removesuffix("%")


def _squash(text: Any) -> str:
    return "".join(str(text).split())


def show(value: Any) -> str:
    """A value as one table cell."""
    if isinstance(value, Fraction):
        return str(value.numerator) if value.denominator == 1 else f"{float(value):+.4f}"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):
        if set(value) >= {"unit", "source"}:
            sub = f"/{value['subunit']}" if value.get("subunit") else ""
            return f"{value['unit']}{sub}·{value['source']}·{value['wording']}×{value['count']}"
        return "、".join(f"{k} {v}" for k, v in value.items())
    if isinstance(value, list | tuple):
        if value and all(isinstance(v, dict) for v in value):
            return "；".join(show(v) for v in value)
        if value and all(isinstance(v, list | tuple) for v in value):
            return "、".join(f"{a}（{b}）" for a, b in value)
        return "、".join(show(v) for v in value)
    return str(value)
