"""Earlier quarters' trend rows kept beside their cached aggregates: computed once, read back,
never reused under other rules, and made by ``hcp run``'s pipeline for the previous quarter."""

from __future__ import annotations

import json

import pytest

from hcp_lib.analysis import trends as trends_module
from hcp_lib.analysis.aggregates import cache_entry, quarter_aggregates
from hcp_lib.analysis.kept_rows import ROWS_DIR, rows_path
from hcp_lib.analysis.trends import quarter_rows, standalone_issue, standalone_rows
from hcp_lib.config import load_config
from hcp_lib.pipeline import compute
from hcp_lib.quarters import Quarter

CFG = load_config()
Q1 = Quarter.parse("2022Q1")


def _kept(cache):
    return sorted((cache / ROWS_DIR).glob("*.json"))


def test_rows_are_computed_once_then_read_back(small_dataset, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    rows = quarter_rows(Q1, small_dataset, CFG, cache_dir=cache)
    expected = standalone_rows(Q1, quarter_aggregates(Q1, small_dataset, CFG), CFG)
    assert rows == expected and len(_kept(cache)) == 1

    def no_computing(*args, **kwargs):
        raise AssertionError("the kept rows should have been read")

    monkeypatch.setattr(trends_module, "standalone_rows", no_computing)
    assert quarter_rows(Q1, small_dataset, CFG, cache_dir=cache) == expected


def test_a_metric_rule_outside_the_aggregates_key_gets_rows_of_its_own(small_dataset, tmp_path):
    cache = tmp_path / "cache"
    rows = quarter_rows(Q1, small_dataset, CFG, cache_dir=cache)
    weights = {level: w / 2 for level, w in CFG.satisfaction.weights.items()}
    other = CFG.model_copy(update={"satisfaction": CFG.satisfaction.model_copy(
        update={"weights": weights})})
    folder = small_dataset / "2022Q1"
    assert cache_entry(folder, Q1, other, cache, "strict") \
        == cache_entry(folder, Q1, CFG, cache, "strict")  # the same aggregates
    changed = quarter_rows(Q1, small_dataset, other, cache_dir=cache)
    assert changed != rows
    assert changed == standalone_rows(Q1, quarter_aggregates(Q1, small_dataset, other), other)
    assert len(_kept(cache)) == 2


def test_unreadable_kept_rows_are_computed_again(small_dataset, tmp_path):
    cache = tmp_path / "cache"
    rows = quarter_rows(Q1, small_dataset, CFG, cache_dir=cache)
    (kept,) = _kept(cache)
    kept.write_text("{not json", encoding="utf-8")
    assert quarter_rows(Q1, small_dataset, CFG, cache_dir=cache) == rows
    assert json.loads(kept.read_text(encoding="utf-8")) == rows


@pytest.mark.parametrize("asked", [True, False])
def test_the_run_pipeline_keeps_the_previous_quarters_rows(small_dataset, tmp_path, asked):
    cache = tmp_path / "cache"
    compute("2022Q2", small_dataset, CFG, cache_dir=cache, engine="stream", trend_rows=asked)
    if not asked:
        assert not _kept(cache)
        return
    (kept,) = _kept(cache)
    entry = cache_entry(small_dataset / "2022Q1", Q1, CFG, cache, "strict")
    assert kept == rows_path(entry, CFG, standalone_issue(Q1, CFG))
    assert json.loads(kept.read_text(encoding="utf-8")) == standalone_rows(
        Q1, quarter_aggregates(Q1, small_dataset, CFG), CFG)
