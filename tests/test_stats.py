"""Intervals and tests for proportions against published reference values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rtp_eval.stats import (
    exact_test_p_value,
    newcombe_interval,
    proportion,
    proportion_difference,
    wilson_interval,
)


def test_wilson_matches_reference_for_8_of_10() -> None:
    # Newcombe (1998), Stat Med 17:857-872, Table I: 8/10 -> 0.4902 to 0.9433 (method 3).
    low, high = wilson_interval(8, 10)
    assert float(low) == pytest.approx(0.4902, abs=5e-5)
    assert float(high) == pytest.approx(0.9433, abs=5e-5)


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        # Newcombe (1998), Table I, method 3 (Wilson score without continuity correction).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0000, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_newcombe_table(k: int, n: int, low: float, high: float) -> None:
    lo, hi = wilson_interval(k, n)
    assert float(lo) == pytest.approx(low, abs=5e-5)
    assert float(hi) == pytest.approx(high, abs=5e-5)


def test_wilson_confidence_level_is_configurable() -> None:
    low95, high95 = wilson_interval(8, 10, confidence_level=0.95)
    low90, high90 = wilson_interval(8, 10, confidence_level=0.90)
    assert low90 > low95
    assert high90 < high95


def test_invalid_confidence_level_is_rejected() -> None:
    with pytest.raises(ValueError, match="confidence_level"):
        wilson_interval(1, 2, confidence_level=95)


def test_successes_above_n_are_rejected() -> None:
    with pytest.raises(ValueError, match="between 0 and n"):
        wilson_interval(3, 2)


def test_empty_cell_gives_nan_not_an_error() -> None:
    low, high = wilson_interval(np.array([0, 2]), np.array([0, 4]))
    assert math.isnan(low[0]) and math.isnan(high[0])
    assert not math.isnan(low[1])
    assert math.isnan(float(proportion(0, 0)))


def test_missing_counts_from_nullable_columns_give_nan() -> None:
    low, _ = wilson_interval(pd.array([1, None], dtype="Int64"), pd.array([2, None], dtype="Int64"))
    assert not math.isnan(low[0])
    assert math.isnan(low[1])


def test_newcombe_matches_paper_example() -> None:
    # Newcombe (1998), Stat Med 17:873-890, example (a): 56/70 - 48/80, method 10.
    result = proportion_difference(56, 70, 48, 80)
    assert float(result.difference) == pytest.approx(0.2)
    assert float(result.ci_low) == pytest.approx(0.0524, abs=5e-5)
    assert float(result.ci_high) == pytest.approx(0.3339, abs=5e-5)


@pytest.mark.parametrize(
    ("a", "m", "b", "n", "low", "high"),
    [
        # Further examples of the same paper, method 10.
        (9, 10, 3, 10, 0.1705, 0.8090),
        (5, 56, 0, 29, -0.0381, 0.1926),
    ],
)
def test_newcombe_matches_paper_table(
    a: int, m: int, b: int, n: int, low: float, high: float
) -> None:
    lo, hi = newcombe_interval(a, m, b, n)
    assert float(lo) == pytest.approx(low, abs=5e-5)
    assert float(hi) == pytest.approx(high, abs=5e-5)


def test_fisher_p_value_matches_reference() -> None:
    # Fisher's tea-tasting table [[3, 1], [1, 3]]: two-sided p = 34/70.
    assert float(exact_test_p_value(3, 4, 1, 4)) == pytest.approx(34 / 70)


def test_difference_with_an_empty_group_is_nan() -> None:
    result = proportion_difference([56, 1], [70, 2], [48, 0], [80, 0])
    assert not math.isnan(result.ci_low[0])
    for values in (result.difference, result.ci_low, result.ci_high, result.p_value):
        assert math.isnan(values[1])


counts = st.integers(min_value=1, max_value=2000).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
)
levels = st.sampled_from([0.8, 0.9, 0.95, 0.99])


@given(counts, levels)
def test_wilson_contains_estimate_within_unit_interval(kn: tuple[int, int], level: float) -> None:
    k, n = kn
    low, high = wilson_interval(k, n, level)
    p = k / n
    assert 0.0 <= low <= p + 1e-12
    assert p - 1e-12 <= high <= 1.0


@given(
    st.integers(min_value=0, max_value=20),
    st.integers(min_value=1, max_value=20),
    st.integers(min_value=2, max_value=10),
)
def test_wilson_narrows_with_larger_n_at_fixed_p(k: int, extra: int, factor: int) -> None:
    n = k + extra
    low, high = wilson_interval(k, n)
    low_big, high_big = wilson_interval(k * factor, n * factor)
    assert high_big - low_big < high - low


@given(counts, counts, levels)
def test_newcombe_contains_difference(a: tuple[int, int], b: tuple[int, int], level: float) -> None:
    result = proportion_difference(a[0], a[1], b[0], b[1], level)
    diff = float(result.difference)
    assert -1.0 <= result.ci_low <= diff + 1e-9
    assert diff - 1e-9 <= result.ci_high <= 1.0
    assert 0.0 <= result.p_value <= 1.0 + 1e-9
