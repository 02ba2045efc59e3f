"""Loading a quarter's input folder: the public API every later stage uses.

``load_quarter`` reads each table's files, validates them against the contract and returns
typed DataFrames (English column names, personal columns dropped) and a report of what was
read, accepted and rejected, with problems grouped. Strict mode refuses any rejected row;
quarantine mode sets rejected rows aside in a rejects file and carries on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .config import Config, load_config
from .contract import TABLES, Table
from .csvwrite import write_csv
from .masking import printable
from .problems import Problem, group
from .progress import progress
from .quarters import Quarter
from .readers import LINK_OUTSIDE, RawTable, find_files, read_table, stack, unmatched_files
from .validate import Validated, validate_table

Mode = Literal["strict", "quarantine"]
MODES: tuple[str, ...] = ("strict", "quarantine")
REJECTS_SUFFIX = "_rejects.csv"
UNUSABLE = frozenset({"missing_table", "unreadable", "outside_folder"})
"""File-level errors that stop quarantine too: their rows cannot be counted, let alone set aside."""


@dataclass
class FileRecord:
    """One sheet of one input file: where it is, how many data rows, its checksum."""

    path: str
    sheet: str | None
    rows: int
    sha256: str
    encoding: str | None


@dataclass
class TableReport:
    table: str
    files: list[FileRecord]
    read: int
    accepted: int
    rejected: int
    problems: list[Problem] = field(default_factory=list)

    @property
    def title(self) -> str:
        return TABLES[self.table].title if self.table in TABLES else self.table

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        return self.rejected == 0 and not self.errors

    def to_dict(self) -> dict:
        return {
            "table": self.table, "title": self.title,
            "files": [asdict(f) for f in self.files],
            "read": self.read, "accepted": self.accepted, "rejected": self.rejected,
            "ok": self.ok, "problems": [p.to_dict() for p in self.problems],
        }


@dataclass
class LoadReport:
    quarter: str
    folder: str
    mode: str
    tables: dict[str, TableReport]
    folder_problems: list[Problem] = field(default_factory=list)
    """Warnings about the folder itself (files that belong to no table)."""

    @property
    def ok(self) -> bool:
        """No rejected rows and no file-level errors in any table (warnings allowed)."""
        return all(t.ok for t in self.tables.values()) and not any(
            p.severity == "error" for p in self.folder_problems)

    @property
    def problems(self) -> list[Problem]:
        return [*self.folder_problems, *(p for t in self.tables.values() for p in t.problems)]

    def summary_text(self) -> str:
        """Counts per table, then the grouped problems: short however many rows are bad."""
        lines = [f"{self.quarter} — {printable(self.folder)} (mode: {self.mode})", ""]
        lines.append(_pad("表 table", 28) + "".join(
            _pad(h, w, right=True) for h, w in (("文件 files", 10), ("读取 read", 14),
                                                ("通过 accepted", 16), ("拒绝 rejected", 16))))
        for t in self.tables.values():
            lines.append(f"{_pad(f'{t.title} {t.table}', 28)}{len(t.files):>10}{t.read:>14,}{t.accepted:>16,}"
                         f"{t.rejected:>16,}")
        problems = self.problems
        if problems:
            lines += ["", f"问题 problems ({len(problems)}):"]
            lines += [f"  文件夹 folder: {p.line()}" for p in self.folder_problems]
            for t in self.tables.values():
                for p in t.problems:
                    lines.append(f"  {t.title}: {p.line()}")
        lines += ["", "结果 result: " + self._verdict()]
        return "\n".join(lines)

    def _verdict(self) -> str:
        if self.ok:
            return "OK"
        rejected = sum(t.rejected for t in self.tables.values())
        files = sum(1 for p in self.problems if p.severity == "error" and p.count == 0)
        unusable = f", {files} file-level errors" if files else ""
        if self.mode == "quarantine":
            return (f"QUARANTINED — {rejected:,} rows set aside{unusable} (拒绝的行已隔离), "
                    "accepted rows carry on")
        return f"NOT OK — {rejected:,} rows rejected{unusable} (数据未通过校验)"

    def to_dict(self) -> dict:
        return {
            "quarter": self.quarter, "folder": self.folder, "mode": self.mode, "ok": self.ok,
            "tables": {name: t.to_dict() for name, t in self.tables.items()},
            "folder_problems": [p.to_dict() for p in self.folder_problems],
        }


@dataclass
class QuarterInputs:
    quarter: Quarter
    tables: dict[str, pd.DataFrame]
    report: LoadReport


class InputValidationError(Exception):
    """Strict mode met rejected rows or unusable files; the message is the grouped summary."""

    def __init__(self, report: LoadReport) -> None:
        super().__init__(report.summary_text())
        self.report = report

    def __reduce__(self) -> tuple[type, tuple[LoadReport]]:
        # Raised in the process that loads the previous quarter, re-raised in the run's.
        return (type(self), (self.report,))


def loader_arguments(
    folder: str | Path, quarter: Quarter | str, config: Config | str | Path | None,
    mode: Mode | None,
) -> tuple[Path, Quarter, Config, Mode]:
    """The loaders' common arguments, checked and typed (the streaming loader shares them)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"input folder not found: {folder}")
    quarter = Quarter.parse(quarter)
    if not isinstance(config, Config):
        config = load_config(config)
    mode = mode or config.input.default_mode
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    return folder, quarter, config, mode


def load_quarter(
    folder: str | Path,
    quarter: Quarter | str,
    config: Config | str | Path | None = None,
    *,
    mode: Mode | None = None,
    rejects_dir: str | Path | None = None,
    tables: Iterable[str] | None = None,
) -> QuarterInputs:
    """Load, validate and type a quarter's tables from its input folder.

    ``mode`` defaults to ``config.input.default_mode``. Rejected rows are written to
    ``rejects_dir/<table>_rejects.csv`` whenever ``rejects_dir`` is given. Strict mode raises
    InputValidationError if anything is rejected; quarantine mode raises only when a required
    table has no file at all or a file cannot be read (its rows could not be counted, so
    carrying on would publish figures with rows silently missing).
    """
    folder, quarter, config, mode = loader_arguments(folder, quarter, config, mode)
    names = list(TABLES) if tables is None else list(tables)
    unknown = [n for n in names if n not in TABLES]
    if unknown:
        raise ValueError(f"unknown tables {unknown}; known: {list(TABLES)}")

    registry = config.registry
    results: dict[str, Validated] = {}
    reports: dict[str, TableReport] = {}
    for name in progress(names, desc="读取 load", unit="table"):
        table = TABLES[name]
        raw = read_table(folder, table)
        result = validate_table(raw, quarter, config, registry)
        result.problems[:0] = _file_problems(raw, folder)
        results[name] = result
        reports[name] = _table_report(raw, result)
        del raw

    if "bad_reviews" in results and "evaluations" in results:
        warnings = unknown_eval_ids(results["bad_reviews"].accepted,
                                    results["evaluations"].accepted,
                                    config.input.max_examples_per_problem)
        reports["bad_reviews"].problems += warnings  # the same list as the result's

    report = settle(folder, quarter, mode, reports, results, rejects_dir)
    frames = {name: _drop_personal(results[name].accepted, TABLES[name]) for name in names}
    return QuarterInputs(quarter, frames, report)


def empty_table(name: str, quarter: Quarter | str, config: Config) -> pd.DataFrame:
    """A table's accepted frame with no rows: the columns and dtypes a loaded one has."""
    table = TABLES[name]
    result = validate_table(stack(table, []), Quarter.parse(quarter), config)
    return _drop_personal(result.accepted, table)


def unknown_eval_ids(bad_reviews: pd.DataFrame, evaluations: pd.DataFrame,
                     max_examples: int) -> list[Problem]:
    """Ledger entries whose eval_id is not among the quarter's accepted evaluations (warnings)."""
    if bad_reviews.empty:
        return []
    ids = bad_reviews["eval_id"]
    known = pc.is_in(pa.array(ids, from_pandas=True, type=pa.string()),
                     value_set=pa.array(evaluations["eval_id"].dropna().unique(), type=pa.string()))
    missing = ~known.to_numpy(zero_copy_only=False) & ids.notna().to_numpy()
    header = TABLES["bad_reviews"].column("eval_id").header
    return group("bad_reviews", "unknown_eval_id", header, bad_reviews, missing, ids,
                 max_examples, severity="warning")


def settle(folder: Path, quarter: Quarter, mode: Mode, reports: dict[str, TableReport],
           results: dict[str, Validated], rejects_dir: str | Path | None) -> LoadReport:
    """The quarter's report (stray files included), the rejects written; raises when the
    mode or an unusable input says the quarter cannot be used. Both engines end here."""
    strays = [Problem("", name, None, None, "unmatched_file", "warning", 0, [], why)
              for name, why in unmatched_files(folder, list(TABLES.values()))]
    report = LoadReport(str(quarter), str(folder), mode, reports, strays)
    if rejects_dir is not None:
        write_rejects(results, rejects_dir)
    fatal = any(p.kind in UNUSABLE for p in report.problems)
    if (mode == "strict" and not report.ok) or fatal:
        raise InputValidationError(report)
    return report


def write_rejects(results: dict[str, Validated], rejects_dir: str | Path) -> list[Path]:
    """``<table>_rejects.csv`` (UTF-8 with BOM, so Excel opens it) per table with rejects.

    A stale file from an earlier run is removed when the table now has none.
    """
    rejects_dir = Path(rejects_dir)
    rejects_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, result in results.items():
        path = rejects_dir / f"{name}{REJECTS_SUFFIX}"
        if result.rejected.empty:
            path.unlink(missing_ok=True)
            continue
        write_csv(result.rejected, path)
        written.append(path)
    return written


def _drop_personal(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    personal = [c for c in table.personal_columns if c in frame.columns]
    return frame.drop(columns=personal) if personal else frame


def _file_problems(raw: RawTable, folder: Path) -> list[Problem]:
    table = raw.table
    problems = [Problem(table.name, name, None, None,
                        "outside_folder" if message.endswith(LINK_OUTSIDE) else "unreadable",
                        "error", 0, [], message.removeprefix(f"{name}: "))
                for name, message in raw.errors]
    if table.required and not raw.sheets and not raw.errors:
        prefixes = "、".join(f"{p}*" for p in table.prefixes)
        detail = (f"{table.title} ({table.name}): no file named {prefixes} "
                  f"(.csv/.xlsx/.xls/.ods/.et/.parquet) in {printable(str(folder))}")
        if find_files(folder, table):
            detail = f"{table.title} ({table.name}): its files in {folder} hold no sheet with data"
        problems.append(Problem(table.name, None, None, None, "missing_table", "error", 0, [],
                                detail))
    return problems


def _table_report(raw: RawTable, result: Validated) -> TableReport:
    files = [FileRecord(str(s.path), s.sheet, s.rows, s.sha256, s.encoding) for s in raw.sheets]
    read = int(np.sum([s.rows for s in raw.sheets])) if raw.sheets else 0
    if read != len(result.accepted) + len(result.rejected):  # an invariant, never user error
        raise RuntimeError(f"{raw.table.name}: rows lost in validation")
    return TableReport(raw.table.name, files, read, len(result.accepted), len(result.rejected),
                       result.problems)


def _pad(text: str, width: int, right: bool = False) -> str:
    """Pad to a display width; CJK characters take two columns."""
    fill = " " * max(0, width - sum(2 if ord(ch) > 0x2E80 else 1 for ch in text))
    return fill + text if right else text + fill

