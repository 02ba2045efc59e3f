"""The reduction's group-by on integer keys, including its fallback when keys would overflow."""

import numpy as np
import pandas as pd

from hcp_lib.reduce import _group_count


def _column(codes, card):
    labels = np.arange(card).astype(object)
    labels[0] = None
    return lambda: (np.asarray(codes, dtype=np.int64), labels)


def test_group_count_small_and_overflowing_keys_agree():
    rng = np.random.default_rng(0)
    a, b, c = (rng.integers(1, 4, 500) for _ in range(3))
    flags = rng.random(500) < 0.3
    small = _group_count({"a": _column(a, 5), "b": _column(b, 5), "c": _column(c, 5)},
                         n=500, sums={"f": flags})
    # The same codes with labels so many that one int64 key cannot hold the combinations.
    big = 2**21 + 1
    huge = _group_count({"a": _column(a, big), "b": _column(b, big), "c": _column(c, big)},
                        n=500, sums={"f": flags})
    key = ["a", "b", "c"]
    want = pd.DataFrame({"a": a, "b": b, "c": c, "f": flags}).groupby(key).agg(
        count=("f", "size"), f=("f", "sum")).reset_index()
    for got in (small, huge):
        got = got.assign(**{k: got[k].cat.codes + 1 for k in key})
        got = got.sort_values(key, ignore_index=True)[[*key, "count", "f"]]
        pd.testing.assert_frame_equal(got, want, check_dtype=False)


def test_group_count_empty():
    frame = _group_count({"a": _column([], 3)}, n=0, sums={"f": np.zeros(0, dtype=bool)})
    assert list(frame.columns) == ["a", "count", "f"] and len(frame) == 0


def test_an_empty_quarter_reduces_and_computes(tmp_path):
    from datetime import date

    from hcp_lib.config import load_config
    from hcp_lib.contract import CASES, EVALUATIONS
    from hcp_lib.metrics import compute_bulletin
    from hcp_lib.reduce import Aggregates, reduce_quarter

    cfg = load_config()
    tables = {"evaluations": pd.DataFrame(columns=[c.name for c in EVALUATIONS.columns]),
              "cases": pd.DataFrame(columns=[c.name for c in CASES.columns]),
              "bad_reviews": pd.DataFrame()}
    agg = Aggregates.from_parquet(reduce_quarter(tables, cfg, quarter="2022Q2")
                                  .to_parquet(tmp_path / "agg"))
    b = compute_bulletin(agg, agg, {}, cfg, quarter="2022Q2", issue_date=date(2022, 7, 26))
    assert b.evaluations.total == 0 and b.active.ranking == [] and b.bad_reviews.total == 0
