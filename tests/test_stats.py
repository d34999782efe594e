"""Intervals and tests for proportions against published reference values."""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy.optimize import brentq
from statsmodels.stats.proportion import confint_proportions_2indep

from rtp_eval.stats import (
    newcombe_interval,
    newcombe_p_value,
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


def _statsmodels_p_value(a: int, m: int, b: int, n: int) -> float:
    """The alpha at which statsmodels' Newcombe bound nearer 0 touches 0, by brentq."""

    def nearer_bound(alpha: float) -> float:
        low, high = confint_proportions_2indep(
            a, m, b, n, compare="diff", method="newcomb", alpha=alpha
        )
        return float(low) if a / m > b / n else -float(high)

    return brentq(nearer_bound, 1e-12, 1 - 1e-12, xtol=1e-14)


@pytest.mark.parametrize(
    ("a", "m", "b", "n"),
    [(56, 70, 48, 80), (9, 10, 3, 10), (5, 56, 0, 29), (3, 4, 1, 4), (120, 400, 150, 410)],
)
def test_newcombe_p_value_inverts_statsmodels_interval(a: int, m: int, b: int, n: int) -> None:
    # An independent inversion: statsmodels' interval solved for alpha with brentq.
    assert float(newcombe_p_value(a, m, b, n)) == pytest.approx(
        _statsmodels_p_value(a, m, b, n), rel=1e-7
    )


def test_newcombe_p_value_at_the_interval_of_its_own_level() -> None:
    # At confidence 1 - p the bound nearer 0 is 0: Newcombe (1998) example (a).
    p = float(newcombe_p_value(56, 70, 48, 80))
    low, _ = newcombe_interval(56, 70, 48, 80, confidence_level=1 - p)
    assert float(low) == pytest.approx(0.0, abs=1e-12)
    assert 0.001 < p < 0.05  # the 95 % interval 0.0524 to 0.3339 excludes 0


def test_newcombe_p_value_of_extreme_tables() -> None:
    # All of one group granted, none of the other: far beyond printable; an empty group: NaN.
    p = newcombe_p_value([3000, 1, 0], [3000, 1, 5], [0, 0, 0], [3000, 1, 0])
    assert p[0] < 1e-300
    assert 0.0 < p[1] < 1.0
    assert math.isnan(p[2])


def test_newcombe_p_value_is_fast_for_many_cells() -> None:
    rng = np.random.default_rng(3)
    n_a, n_b = rng.integers(1, 5000, 20_000), rng.integers(1, 5000, 20_000)
    k_a, k_b = rng.integers(0, n_a + 1), rng.integers(0, n_b + 1)
    started = time.perf_counter()
    p = newcombe_p_value(k_a, n_a, k_b, n_b)
    # About 0.1 s; the bound only catches a per-cell loop (which took tens of seconds).
    assert time.perf_counter() - started < 5.0
    assert np.all((p >= 0) & (p <= 1))


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
    assert 0.0 <= result.p_value <= 1.0


@given(counts, counts, levels)
def test_newcombe_matches_statsmodels(a: tuple[int, int], b: tuple[int, int], level: float) -> None:
    low, high = newcombe_interval(a[0], a[1], b[0], b[1], level)
    ref_low, ref_high = confint_proportions_2indep(
        a[0], a[1], b[0], b[1], compare="diff", method="newcomb", alpha=1 - level
    )
    assert float(low) == pytest.approx(float(ref_low), abs=1e-12)
    assert float(high) == pytest.approx(float(ref_high), abs=1e-12)


@given(counts, counts, st.sampled_from([0.95, 0.99, 0.9]))
def test_p_value_below_alpha_exactly_when_the_interval_excludes_zero(
    a: tuple[int, int], b: tuple[int, int], level: float
) -> None:
    result = proportion_difference(a[0], a[1], b[0], b[1], level)
    p = float(result.p_value)
    alpha = 1 - level
    # On the boundary itself the two sides differ by rounding only.
    assume(abs(p - alpha) > 1e-9)
    excludes = result.ci_low > 0 or result.ci_high < 0
    assert (p < alpha) == excludes
    assert 0.0 <= p <= 1.0


@given(counts, st.integers(min_value=1, max_value=5))
def test_equal_rates_give_p_value_one(a: tuple[int, int], factor: int) -> None:
    k, n = a
    assert float(newcombe_p_value(k, n, k * factor, n * factor)) == 1.0


@given(counts, counts)
def test_p_value_is_symmetric_in_the_groups(a: tuple[int, int], b: tuple[int, int]) -> None:
    forward = proportion_difference(a[0], a[1], b[0], b[1])
    backward = proportion_difference(b[0], b[1], a[0], a[1])
    assert float(forward.p_value) == float(backward.p_value)
    assert float(forward.ci_low) == -float(backward.ci_high)
