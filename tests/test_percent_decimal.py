"""format_percent cross-checked against Decimal.quantize, the standard library's rounding."""

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hcp_lib.config import PercentPolicy
from hcp_lib.percent import format_percent

HALF_UP = PercentPolicy(method="half_up", decimals=2)
TRUNC = PercentPolicy(method="truncate", decimals=2)


@pytest.mark.parametrize(
    ("value", "policy", "printed"),
    [
        (Fraction(1030300, 1063749), HALF_UP, "96.86%"),
        (Fraction(1030300, 1063749), TRUNC, "96.85%"),
        (Fraction(1950305, 1950306), TRUNC, "99.99%"),
        (Fraction(1, 8000), HALF_UP, "0.01%"),  # exactly 0.0125%: half goes up
        (Fraction(0), HALF_UP, "0.00%"),
        (Fraction(1), TRUNC, "100.00%"),
    ],
)
def test_rounding_methods_are_exact(value, policy, printed):
    assert format_percent(value, policy) == printed


def test_min_nonzero_and_below_100():
    tiny = Fraction(81, 1950306)
    assert format_percent(tiny, TRUNC) == "0.00%"
    assert format_percent(tiny, PercentPolicy(method="truncate", min_nonzero=True)) == "0.01%"
    near = Fraction(999999, 1000000)
    assert format_percent(near, HALF_UP) == "100.00%"
    assert format_percent(near, PercentPolicy(method="half_up", below_100=True)) == "99.99%"


def test_three_decimals():
    assert format_percent(Fraction(99996, 100000), PercentPolicy(method="half_up", decimals=3)) == "99.996%"


@given(st.integers(0, 10**6), st.integers(1, 10**6), st.sampled_from(["half_up", "truncate"]),
       st.integers(0, 4))
def test_agrees_with_decimal_quantize(num, den, method, decimals):
    value = Fraction(min(num, den), den)
    exact = Decimal(value.numerator * 100) / Decimal(value.denominator)
    rounding = ROUND_HALF_UP if method == "half_up" else ROUND_DOWN
    expected = exact.quantize(Decimal(1).scaleb(-decimals), rounding=rounding)
    policy = PercentPolicy(method=method, decimals=decimals)
    assert format_percent(value, policy) == f"{expected}%"
