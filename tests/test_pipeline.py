"""Pipeline glue against a stand-in loader with the agreed API (load_quarter -> QuarterInputs)."""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass
from datetime import date

import pandas as pd
import pytest
from synthetic import random_quarter

from hcp_lib.config import load_config
from hcp_lib.metrics import compute_bulletin
from hcp_lib.pipeline import build_bulletin, build_bulletin_with_report
from hcp_lib.quarters import Quarter
from hcp_lib.reduce import reduce_quarter

CFG = load_config()
Q = Quarter.parse("2022Q2")


@dataclass
class FakeInputs:
    quarter: Quarter
    tables: dict[str, pd.DataFrame]
    report: dict


@pytest.fixture
def loader(monkeypatch):
    calls = []

    def load_quarter(folder, quarter, config, mode="strict"):
        calls.append(str(quarter))
        tables = {p.stem: pd.read_pickle(p) for p in sorted(folder.glob("*.pkl"))}
        return FakeInputs(quarter, tables, {"folder": str(folder), "mode": mode})

    module = types.ModuleType("hcp_lib.load")
    module.load_quarter = load_quarter
    monkeypatch.setitem(sys.modules, "hcp_lib.load", module)
    return calls


def _write(data_dir, quarter, tables):
    folder = data_dir / str(quarter)
    folder.mkdir(parents=True)
    for name, frame in tables.items():
        frame.to_pickle(folder / f"{name}.pkl")


@pytest.fixture
def data_dir(tmp_path):
    quarters = {Q.previous(): random_quarter(CFG, Q.previous(), 800, 11, id_prefix="P"),
                Q: random_quarter(CFG, Q, 1200, 12),
                Q.next(): random_quarter(CFG, Q.next(), 600, 13, id_prefix="N")}
    quarters[Q]["survey"] = pd.DataFrame({"quarter": ["2022Q2"], "unit": ["市商务局"],
                                          "group": ["窗口单位"], "score": ["96.25"]})
    for q, tables in quarters.items():
        _write(tmp_path, q, tables)
    return tmp_path, quarters


def test_build_bulletin_matches_direct_computation(loader, data_dir):
    root, quarters = data_dir
    bulletin, reports, timings = build_bulletin_with_report("2022Q2", root, CFG)
    assert sorted(loader) == ["2022Q1", "2022Q2", "2022Q3"]  # loaded side by side: any order
    assert [r["folder"][-6:] for r in reports] == ["2022Q2", "2022Q3", "2022Q1"]
    assert bulletin.issue_date == date(2022, 7, 26)  # from config.schedule
    assert {"load:2022Q2", "reduce:2022Q2", "compute"} <= set(timings)
    current = reduce_quarter(quarters[Q], CFG, quarter=Q, until=date(2022, 7, 26),
                             next_evaluations=quarters[Q.next()]["evaluations"])
    previous = reduce_quarter(quarters[Q.previous()], CFG, quarter=Q.previous())
    direct = compute_bulletin(current, previous, {}, CFG, quarter=Q, issue_date=date(2022, 7, 26))
    assert bulletin == direct
    assert bulletin.survey.units.mean == 9625 / 100


def test_cache_skips_loading_and_notices_changed_inputs(loader, data_dir, tmp_path):
    root, quarters = data_dir
    cache = tmp_path / "cache"
    first, reports, _ = build_bulletin_with_report(Q, root, CFG, cache_dir=cache)
    assert len(loader) == 3
    again, cached_reports, timings = build_bulletin_with_report(Q, root, CFG, cache_dir=cache)
    assert len(loader) == 3 and "cache:2022Q2" in timings
    assert again == first and cached_reports == reports
    # Another issue date changes the look-ahead: the current quarter is reduced again.
    build_bulletin(Q, root, CFG, cache_dir=cache, issue_date=date(2022, 7, 1))
    assert loader[3:] == ["2022Q2", "2022Q3"]
    # A changed input file changes the key.
    changed = quarters[Q]["evaluations"].iloc[:-1]
    changed.to_pickle(root / "2022Q2" / "evaluations.pkl")
    build_bulletin(Q, root, CFG, cache_dir=cache)
    assert loader[5:] == ["2022Q2", "2022Q3"]


def test_missing_neighbours_and_folder(loader, tmp_path):
    _write(tmp_path, Q, random_quarter(CFG, Q, 300, 5))
    bulletin = build_bulletin(Q, tmp_path, CFG, issue_date=date(2022, 7, 20))
    assert loader == ["2022Q2"]
    assert bulletin.evaluations.previous_levels is None
    assert bulletin.satisfaction.city_mean_previous is None
    with pytest.raises(FileNotFoundError):
        build_bulletin("2021Q1", tmp_path, CFG)
