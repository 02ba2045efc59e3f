"""The embedded synthetic dataset: deterministic records calibrated to the 2022 Q2 bulletin.

``generate(out_dir)`` writes ``2022Q1/``, ``2022Q2/`` and ``2022Q3/`` (July 2022 up to the
bulletin's date) under ``out_dir``, each holding the tables of ``hcp_lib.contract`` under
their Chinese titles. The same seed always gives byte-identical files. With
``history=True`` it also writes the illustrative quarters 2021Q1 … 2021Q4 (``history.py``),
without changing a byte of the others.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

from ..config import load_config
from . import design, ledgers
from .plan import plan_all, scale_plan
from .records import Catalogue, Evaluations, cases_without_evaluation, expand, secs, stable_order
from .tables import case_columns, case_ids_of, evaluation_columns, write_bad_ledger
from .writers import write_parquet, write_xlsx

GENERATOR_VERSION = "1"
DEFAULT_SEED = 20220726
PERIODS = ("2022Q1", "2022Q2", "2022Q3")
HISTORY_PERIODS = ("2021Q1", "2021Q2", "2021Q3", "2021Q4")  # illustrative, on request
HISTORY_CASE_NUMBER = 5_000_001
MARKER = ".hcp-demo.json"
ISSUE_DATE = datetime(2022, 7, 26)
ID_BASE = {"2022Q1": 10_000_000, "2022Q2": 30_000_000, "2022Q3": 50_000_000}
PERIOD_BOUNDS = {"2022Q1": (datetime(2022, 1, 1), datetime(2022, 4, 1)),
                 "2022Q2": (datetime(2022, 4, 1), datetime(2022, 7, 1)),
                 "2022Q3": (datetime(2022, 7, 1), ISSUE_DATE)}

__all__ = ["generate", "GENERATOR_VERSION", "DEFAULT_SEED", "PERIODS", "HISTORY_PERIODS", "MARKER",
           "marker_ok"]


def generate(out_dir: Path, *, seed: int = DEFAULT_SEED, periods=PERIODS, scale: float = 1.0,
             config_path: Path | None = None, history: bool = False) -> dict[str, list[Path]]:
    """Write the synthetic dataset; return the files written per period, oldest first.

    ``scale`` < 1 writes a proportionally smaller dataset (for tests); only ``scale=1``
    reproduces the bulletin's figures. ``history`` adds the illustrative quarters 2021Q1 …
    2021Q4 (``history.py``); the 2022 files are the same bytes with or without them.
    """
    out_dir = Path(out_dir)
    cfg = load_config(config_path)
    plans = plan_all(cfg.registry, seed)
    written = _write_quarters(out_dir, cfg.registry, seed, plans, periods, scale)
    if history:
        from .history import write_history

        written = {**write_history(out_dir, cfg.registry, seed, plans["2022Q1"], plans["2022Q2"],
                                   scale), **written}
    _write_marker(out_dir, seed, scale, written)
    return written


def _write_quarters(out_dir: Path, reg, seed: int, plans, periods, scale: float
                    ) -> dict[str, list[Path]]:
    """The quarters calibrated to the bulletin (2022Q1, 2022Q2, July 2022)."""
    if scale != 1.0:
        plans = {k: scale_plan(p, scale) for k, p in plans.items()}
    cat = Catalogue.build(reg)
    # Two threads: numpy and Arrow release the GIL in their bulk work, so on two cores the
    # quarters expand side by side and each quarter's tables are built and written while the
    # next one's are. Every quarter draws from generators of its own: the same values, the
    # same bytes, in whatever order the threads run.
    with ThreadPoolExecutor(max_workers=2) as pool:
        drawn = {name: pool.submit(expand, plan, cat, np.random.default_rng([seed, 100 + i]),
                                   ID_BASE[name])
                 for i, (name, plan) in enumerate(plans.items())}
        evals = {name: future.result() for name, future in drawn.items()}
        return _write_tables(out_dir, reg, seed, plans, periods, cat, evals, pool)


def _write_tables(out_dir: Path, reg, seed: int, plans, periods, cat: Catalogue,
                  evals: dict[str, Evaluations], pool: ThreadPoolExecutor
                  ) -> dict[str, list[Path]]:
    """Each period's files; the two big tables of each period are built and written in ``pool``."""
    # Cases: one per evaluation, plus cases without evaluation; ids in completion order.
    parts_unit, parts_item, parts_hand, parts_place, parts_done = [], [], [], [], []
    for name in plans:
        ev = evals[name]
        parts_unit.append(ev.unit)
        parts_item.append(ev.item)
        parts_hand.append(ev.handling)
        parts_place.append(ev.place)
        parts_done.append(ev.completed)
    rng = np.random.default_rng([seed, 200])
    for name, plan in plans.items():
        first, end = PERIOD_BOUNDS[name]
        miss = cases_without_evaluation(plan, cat, rng, "missing", first + timedelta(days=1),
                                        min(end, ISSUE_DATE) - timedelta(days=12))
        pend = cases_without_evaluation(plan, cat, rng, "pending", end - timedelta(days=6),
                                        end - timedelta(hours=1))
        for c in (miss, pend):
            parts_unit.append(c.unit)
            parts_item.append(c.item)
            parts_hand.append(c.handling)
            parts_place.append(c.place)
            parts_done.append(c.completed)
    c_unit = np.concatenate(parts_unit)
    c_item = np.concatenate(parts_item)
    c_hand = np.concatenate(parts_hand)
    c_place = np.concatenate(parts_place)
    c_done = np.concatenate(parts_done)
    order = stable_order(c_done)
    sorted_done = c_done[order]
    seq = np.empty(len(order), dtype=np.int64)
    seq[order] = np.arange(1, len(order) + 1)
    assert len(order) < HISTORY_CASE_NUMBER  # the history's case numbers start above
    case_ids = case_ids_of(cat, c_unit, c_done, seq)
    place_idx = np.where(c_place == 3, 3 + c_unit, c_place)
    written: dict[str, list[Path]] = {}
    offsets = np.cumsum([0] + [len(evals[k].unit) for k in plans])
    comments = np.array(design.COMMENTS_GOOD + design.COMMENTS_BAD, dtype=object)
    led = ledgers.build(reg, seed)

    def evaluations_file(plan, ev: Evaluations, ids: pa.Array, path: Path) -> Path:
        return write_parquet(evaluation_columns(plan, ev, cat, ids, comments), path)

    def cases_file(plan, rows: np.ndarray, path: Path) -> Path:
        return write_parquet(case_columns(cat, case_ids.take(pa.array(rows)), c_item[rows],
                                          c_unit[rows], c_hand[rows], place_idx[rows],
                                          c_place[rows] == 0, c_done[rows],
                                          plan.strings_for_times), path)

    jobs = []
    for i, (name, plan) in enumerate(plans.items()):
        if name not in periods:
            continue
        folder = out_dir / name
        folder.mkdir(parents=True, exist_ok=True)
        files: list[Path] = []
        ev = evals[name]
        # this period's evaluations are rows offsets[i]:offsets[i + 1] of the cases
        ids = case_ids.slice(offsets[i], offsets[i + 1] - offsets[i])
        jobs.append(pool.submit(evaluations_file, plan, ev, ids, folder / "评价明细.parquet"))
        files.append(folder / "评价明细.parquet")

        first, end = PERIOD_BOUNDS[name]
        in_period = order[(sorted_done >= secs(first)) & (sorted_done < secs(end))]
        jobs.append(pool.submit(cases_file, plan, in_period, folder / "办件明细.parquet"))
        files.append(folder / "办件明细.parquet")

        files.append(write_bad_ledger(plan, ev, folder, np.random.default_rng([seed, 300 + i])))
        for title, frame in led.get(name, {}).items():
            files.append(write_xlsx(frame, folder / f"{title}.xlsx", title))
        written[name] = files
    for job in jobs:
        job.result()
    return written


def _write_marker(out_dir: Path, seed: int, scale: float, written: dict[str, list[Path]]) -> None:
    marker = {
        "generator_version": GENERATOR_VERSION, "seed": seed, "scale": scale,
        "files": {p.relative_to(out_dir).as_posix(): p.stat().st_size
                  for files in written.values() for p in files},
    }
    (out_dir / MARKER).write_text(json.dumps(marker, ensure_ascii=False, indent=1, sort_keys=True),
                                  encoding="utf-8")


def marker_ok(out_dir: Path, seed: int = DEFAULT_SEED, scale: float = 1.0,
              history: bool = False) -> bool:
    """True when ``out_dir`` holds a complete dataset of this generator version and seed (with
    the history quarters when ``history``)."""
    path = Path(out_dir) / MARKER
    try:
        marker = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if (marker.get("generator_version"), marker.get("seed"), marker.get("scale")) != (
            GENERATOR_VERSION, seed, scale):
        return False
    files = marker.get("files", {})
    wanted = {*PERIODS, *(HISTORY_PERIODS if history else ())}
    if not wanted <= {Path(f).parts[0] for f in files}:
        return False
    for rel, size in files.items():
        p = Path(out_dir) / rel
        if not p.is_file() or p.stat().st_size != size:
            return False
    return True
