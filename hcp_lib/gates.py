"""Completeness gates: is the quarter whole enough to publish a bulletin about it?

A bulletin computed from part of a quarter looks exactly like one computed from all of it, so
before publishing ``hcp run`` checks, from the load reports and the dates the records cover:
the required tables have rows, every month (or day) of the quarter has records, the required
ledgers are there, and quarantine set aside no more than the configured share of any table.
Each failure is one Chinese-and-English sentence naming the gap. What passes but is not
whole (rows set aside, an optional ledger missing) becomes a notice for the manifest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pandas as pd

from .config import GatesConfig
from .contract import TABLES
from .quarters import Quarter

LEDGERS = ("bad_reviews", "survey", "stars", "red_flags", "commendations")
COMPLETE = "complete"
PROVISIONAL = "provisional"


@dataclass
class GateOutcome:
    failures: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # Chinese sentences for 数据说明

    @property
    def ok(self) -> bool:
        return not self.failures


def coverage(tables: Mapping[str, pd.DataFrame], names: Iterable[str] = ("evaluations", "cases")
             ) -> dict[str, list[str]]:
    """The days (ISO dates) on which each table has records, from its period column."""
    found: dict[str, list[str]] = {}
    for name in names:
        frame = tables.get(name)
        column = TABLES[name].period_column if name in TABLES else None
        if frame is None or column is None or column not in frame.columns:
            continue
        days = pd.to_datetime(frame[column], errors="coerce").dropna().dt.date.unique()
        found[name] = sorted(d.isoformat() for d in days)
    return found


def check(report: Mapping[str, Any], days: Mapping[str, list[str]] | None, quarter: Quarter,
          gates: GatesConfig, mode: str) -> GateOutcome:
    """Every gate on one quarter's load report (``LoadReport.to_dict()``) and its coverage."""
    outcome = GateOutcome()
    tables: Mapping[str, Any] = report.get("tables", {})
    for name in gates.required_tables:
        t = tables.get(name)
        if t is None or not t.get("files"):
            outcome.failures.append(f"{_title(name)}：没有文件 (no {name} file for {quarter})")
        elif int(t.get("accepted", 0)) == 0:
            outcome.failures.append(f"{_title(name)}：没有可用的记录 ({name} has no usable rows "
                                    f"for {quarter}: read {t.get('read', 0)}, accepted 0)")
    if gates.coverage != "off":
        for name in gates.coverage_tables:
            if name in gates.required_tables and _accepted(tables, name) == 0:
                continue  # already named above
            gap = _gap((days or {}).get(name, []), quarter, gates.coverage)
            if gap:
                outcome.failures.append(f"{_title(name)}缺少{gap}的记录 ({name} covers only part "
                                        f"of {quarter}: nothing for {gap})")
    for name in LEDGERS:
        t = tables.get(name)
        missing = t is None or not t.get("files")
        empty = not missing and _accepted(tables, name) == 0
        if name in gates.required_ledgers and (missing or empty):
            what = "没有文件" if missing else "没有可用的记录"
            outcome.failures.append(f"{_title(name)}：{what} (the required ledger {name} is "
                                    f"{'missing' if missing else 'empty'} for {quarter})")
        elif missing:
            outcome.notices.append(f"本季度未提供{_title(name)}，相关内容未列入。")
        elif empty:
            outcome.notices.append(f"本季度{_title(name)}没有可用的记录，相关内容未列入。")
    for name, t in tables.items():
        read, rejected = int(t.get("read", 0) or 0), int(t.get("rejected", 0) or 0)
        if not rejected:
            continue
        if mode == "quarantine" and read and rejected / read > gates.max_rejected_share:
            outcome.failures.append(
                f"{_title(name)}：{rejected:,} / {read:,} 行未通过校验，超过允许的 "
                f"{_percent(gates.max_rejected_share)} ({name}: {rejected / read:.2%} of the rows "
                f"rejected, above gates.max_rejected_share {gates.max_rejected_share:g})")
        else:
            outcome.notices.append(f"{_title(name)}共读取 {read:,} 行，其中 {rejected:,} 行未通过"
                                   "校验，已剔除，未计入本期统计。")
    return outcome


def _gap(days: list[str], quarter: Quarter, unit: str) -> str:
    """The months (or days) of ``quarter`` with no record, in words; empty when none."""
    present = {date.fromisoformat(d) for d in days}
    start, end = quarter.start.date(), quarter.last_day
    if unit == "month":
        seen = {d.month for d in present if start <= d <= end}
        missing = [m for m in quarter.months if m not in seen]
        return "、".join(f"{quarter.year}年{m}月" for m in missing)
    all_days = [start + timedelta(n) for n in range((end - start).days + 1)]
    missing_days = [d for d in all_days if d not in present]
    return _runs(missing_days)


def _runs(days: list[date]) -> str:
    """Consecutive days as ranges: 2022-08-01至2022-09-30、2022-09-05."""
    if not days:
        return ""
    parts, first, last = [], days[0], days[0]
    for d in days[1:]:
        if d == last + timedelta(1):
            last = d
            continue
        parts.append(_span(first, last))
        first = last = d
    parts.append(_span(first, last))
    return "、".join(parts)


def _span(first: date, last: date) -> str:
    return first.isoformat() if first == last else f"{first.isoformat()}至{last.isoformat()}"


def _accepted(tables: Mapping[str, Any], name: str) -> int:
    return int((tables.get(name) or {}).get("accepted", 0) or 0)


def _title(name: str) -> str:
    return TABLES[name].title if name in TABLES else name


def _percent(share: float) -> str:
    return f"{share * 100:g}%"
