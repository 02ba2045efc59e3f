"""Every seed gives a dataset: the hand-kept ledgers (the seed-sensitive part) over many seeds."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hcp_lib.config import load_config
from hcp_lib.synth import ledgers, targets

REG = load_config().registry


def _mean(scores) -> Decimal:
    values = [Decimal(str(v)) for v in scores]
    return sum(values, Decimal(0)) / len(values)


@pytest.mark.parametrize("seed", range(1, 61))
def test_ledgers_build_for_every_seed(seed):
    built = ledgers.build(REG, seed)
    q2 = built["2022Q2"]["第三方评估"]
    units = q2[q2["类别"] == "窗口单位"].sort_values("得分", ascending=False, kind="stable")
    districts = q2[q2["类别"] == "区"].sort_values("得分", ascending=False, kind="stable")
    assert _mean(units["得分"]) == Decimal(targets.SURVEY_UNITS_MEAN)
    assert _mean(districts["得分"]) == Decimal(targets.SURVEY_DISTRICTS_MEAN)
    top = [REG.resolve(u) for u in units["单位"].head(len(targets.SURVEY_UNITS_TOP))]
    assert top == list(targets.SURVEY_UNITS_TOP)
    q1 = built["2022Q1"]["第三方评估"]
    assert _mean(q1.loc[q1["类别"] == "区", "得分"]) == Decimal(targets.Q1_SURVEY_DISTRICTS_MEAN)
