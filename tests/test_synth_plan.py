"""The count plans and the small solvers, checked without writing any records."""

from __future__ import annotations

from fractions import Fraction

import pytest

from hcp_lib.config import load_config
from hcp_lib.synth import targets
from hcp_lib.synth.plan import plan_all
from hcp_lib.synth.solve import fit_active, fit_satisfaction, half_up, truncate


@pytest.fixture(scope="module")
def plans():
    return plan_all(load_config().registry, 20220726)


def test_q2_plan_matches_the_region_table(plans):
    u = plans["2022Q2"].units
    for _label, code, total, active, levels in targets.REGION_TABLE:
        rows = u[u["region"] == code]
        assert rows["n"].sum() == total
        assert (rows["n"] - rows["default"]).sum() == active
        assert rows["s"].sum() == levels["满意"]
        assert rows["b"].sum() == levels["基本满意"]
        assert rows["v"].sum() == levels["非常不满意"]


def test_q2_plan_bad_reviews(plans):
    bad = plans["2022Q2"].bad
    assert len(bad) == 90
    assert set(bad["verdict"]) == {"误差评", "恶意差评"}
    assert bad["corrected_level"].isna().sum() == 1


def test_q2_hall_rate(plans):
    u = plans["2022Q2"].units
    rate = Fraction(int(u["hall"].sum() - u["hall_default"].sum()), int(u["hall"].sum()))
    assert half_up(rate * 100, 2) == truncate(rate * 100, 2) == targets.HALL_ACTIVE_RATE


def test_solvers_prefer_counts_away_from_rounding_edges():
    n, d = fit_active("97.849", 61_500)
    rate = Fraction(n - d, n) * 100
    assert half_up(rate, 3) == truncate(rate, 3) == "97.849"
    n, m, exact = fit_satisfaction("97.857", [40], (400, 700))
    assert (n, m, exact) == (560, 40, False)
    n, m, exact = fit_satisfaction("98.400", [12], (150, 300))
    assert exact and 100 - Fraction(30 * m, n) == Fraction("98.4")


@pytest.mark.parametrize("seed", [1, 2])
def test_other_seeds_still_solve(seed):
    plans = plan_all(load_config().registry, seed)
    assert plans["2022Q2"].units["n"].sum() == targets.TOTAL_EVALUATIONS
