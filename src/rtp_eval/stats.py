"""Confidence intervals and tests for proportions, as used in every gender breakdown.

All functions accept scalars or arrays (one value per table cell) and return float arrays, so a
whole table is handled in one call. A cell without observations (n = 0) gets NaN, never an error:
empty cells are normal in sparse breakdowns and are shown as not available.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

# scipy and statsmodels are imported where they are used: loading them takes about two
# seconds, which every per-year aggregation job would otherwise pay without using them.
ArrayLike = npt.ArrayLike
FloatArray = npt.NDArray[np.float64]

DEFAULT_CONFIDENCE_LEVEL = 0.95


def _alpha(confidence_level: float) -> float:
    if not 0.0 < confidence_level < 1.0:
        raise ValueError(f"confidence_level must lie strictly in (0, 1), got {confidence_level}")
    return 1.0 - confidence_level


def _as_counts(successes: ArrayLike, n: ArrayLike) -> tuple[FloatArray, FloatArray]:
    # Nullable pandas integers become NaN here; such cells are then treated like n = 0.
    k = np.asarray(successes, dtype="float64")
    m = np.asarray(n, dtype="float64")
    k, m = np.broadcast_arrays(k, m)
    if np.any((k < 0) | (k > m)):
        raise ValueError("successes must lie between 0 and n")
    return k, m


def proportion(successes: ArrayLike, n: ArrayLike) -> FloatArray:
    """successes / n, NaN where n is 0 or missing."""
    k, m = _as_counts(successes, n)
    valid = m > 0
    return np.where(valid, k / np.where(valid, m, 1.0), np.nan)


def wilson_interval(
    successes: ArrayLike,
    n: ArrayLike,
    confidence_level: float = DEFAULT_CONFIDENCE_LEVEL,
) -> tuple[FloatArray, FloatArray]:
    """Wilson score interval for successes / n (lower, upper); NaN where n is 0 or missing.

    Wilson keeps its coverage for small cells and proportions near 0 or 1, where the Wald
    interval collapses; it is the interval Swedish official statistics and the method section use.
    """
    alpha = _alpha(confidence_level)
    k, m = _as_counts(successes, n)
    valid = m > 0
    # Evaluating only valid cells keeps statsmodels from dividing by zero.
    low = np.full(k.shape, np.nan)
    high = np.full(k.shape, np.nan)
    if np.any(valid):
        from statsmodels.stats.proportion import proportion_confint

        lo, hi = proportion_confint(k[valid], m[valid], alpha=alpha, method="wilson")
        low[valid] = np.clip(lo, 0.0, 1.0)
        high[valid] = np.clip(hi, 0.0, 1.0)
    return low, high


@dataclass(frozen=True)
class ProportionDifference:
    """Difference p_a - p_b with its Newcombe interval and the p-value of the same method."""

    difference: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    p_value: FloatArray


# Far beyond any p-value that can be printed: 2 * (1 - Phi(40)) is below the smallest double.
_Z_MAX = 40.0
# Halving [0, 40] this often brings the bracket below the spacing of doubles near the root.
_BISECTION_STEPS = 64


def _z(confidence_level: float) -> float:
    """The two-sided normal quantile of a confidence level (1.96 for 0.95)."""
    from statistics import NormalDist

    return NormalDist().inv_cdf(1.0 - _alpha(confidence_level) / 2.0)


def _wilson_bounds(
    k: FloatArray, n: FloatArray, z: FloatArray | float
) -> tuple[FloatArray, FloatArray]:
    """Wilson bounds for k / n at the normal quantile z (n > 0), statsmodels' formula.

    Written out rather than taken from statsmodels so that the interval can be evaluated at
    any z, which the p-value below searches over; k = 0 and k = n are pinned to 0 and 1, so
    that rounding cannot move a bound that is exact.
    """
    p = k / n
    z2 = np.square(z)
    denominator = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denominator
    half = z * np.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denominator
    low = np.where(k == 0, 0.0, np.clip(centre - half, 0.0, 1.0))
    high = np.where(k == n, 1.0, np.clip(centre + half, 0.0, 1.0))
    return low, high


def _newcombe_bounds(
    ka: FloatArray, ma: FloatArray, kb: FloatArray, mb: FloatArray, z: FloatArray | float
) -> tuple[FloatArray, FloatArray]:
    """Newcombe's method 10 for p_a - p_b at the normal quantile z (both groups non-empty)."""
    pa, pb = ka / ma, kb / mb
    low_a, high_a = _wilson_bounds(ka, ma, z)
    low_b, high_b = _wilson_bounds(kb, mb, z)
    difference = pa - pb
    low = difference - np.sqrt(np.square(pa - low_a) + np.square(high_b - pb))
    high = difference + np.sqrt(np.square(high_a - pa) + np.square(pb - low_b))
    # Rounding can push the bounds a hair outside the possible range of a difference.
    return np.clip(low, -1.0, 1.0), np.clip(high, -1.0, 1.0)


def _two_groups(
    successes_a: ArrayLike, n_a: ArrayLike, successes_b: ArrayLike, n_b: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, npt.NDArray[np.bool_]]:
    """Both groups' counts broadcast together, and where both groups have observations."""
    ka, ma = _as_counts(successes_a, n_a)
    kb, mb = _as_counts(successes_b, n_b)
    ka, ma, kb, mb = np.broadcast_arrays(ka, ma, kb, mb)
    return ka, ma, kb, mb, (ma > 0) & (mb > 0)


def newcombe_interval(
    successes_a: ArrayLike,
    n_a: ArrayLike,
    successes_b: ArrayLike,
    n_b: ArrayLike,
    confidence_level: float = DEFAULT_CONFIDENCE_LEVEL,
) -> tuple[FloatArray, FloatArray]:
    """Newcombe's hybrid score interval (his method 10) for p_a - p_b; NaN if a group is empty.

    Newcombe (1998), Stat Med 17:873-890: the bounds combine the two groups' Wilson intervals.
    The same as statsmodels' `confint_proportions_2indep(compare="diff", method="newcomb")`.
    """
    z = _z(confidence_level)
    ka, ma, kb, mb, valid = _two_groups(successes_a, n_a, successes_b, n_b)
    low = np.full(ka.shape, np.nan)
    high = np.full(ka.shape, np.nan)
    low[valid], high[valid] = _newcombe_bounds(ka[valid], ma[valid], kb[valid], mb[valid], z)
    return low, high


def newcombe_p_value(
    successes_a: ArrayLike, n_a: ArrayLike, successes_b: ArrayLike, n_b: ArrayLike
) -> FloatArray:
    """Two-sided p-value of p_a = p_b that belongs to Newcombe's interval; NaN if a group is empty.

    The p-value is the smallest alpha at which the (1 - alpha) Newcombe interval excludes 0, so
    the test and the interval cannot disagree: p < alpha exactly when the (1 - alpha) interval
    excludes 0. Wilson intervals widen with z, so the bound nearer 0 moves towards 0 as z grows
    and crosses it once, at z*; then p = 2 * (1 - Phi(z*)). Equal rates give p = 1.

    z* is found by bisection on all cells at once (the interval has no closed-form inverse);
    the same function gives the interval, so the bisection decides exactly as the interval does.

    This replaces Fisher's exact test, which is conditional and more conservative than the
    interval: where the interval excluded 0 with Fisher's p above 0.05, the table contradicted
    itself.
    """
    ka, ma, kb, mb, valid = _two_groups(successes_a, n_a, successes_b, n_b)
    out = np.full(ka.shape, np.nan)
    if not np.any(valid):
        return out
    ka, ma, kb, mb = ka[valid], ma[valid], kb[valid], mb[valid]
    below = np.zeros(ka.shape)  # excludes 0 here (or is 0)
    above = np.full(ka.shape, _Z_MAX)  # includes 0 here, unless even _Z_MAX excludes it
    for _ in range(_BISECTION_STEPS):
        middle = (below + above) / 2.0
        low, high = _newcombe_bounds(ka, ma, kb, mb, middle)
        excludes = (low > 0.0) | (high < 0.0)
        below = np.where(excludes, middle, below)
        above = np.where(excludes, above, middle)
    from scipy.special import erfc

    # 2 * (1 - Phi(z)) = erfc(z / sqrt(2)), without the cancellation of 1 - Phi for large z.
    out[valid] = np.clip(erfc(below / np.sqrt(2.0)), 0.0, 1.0)
    return out


def proportion_difference(
    successes_a: ArrayLike,
    n_a: ArrayLike,
    successes_b: ArrayLike,
    n_b: ArrayLike,
    confidence_level: float = DEFAULT_CONFIDENCE_LEVEL,
) -> ProportionDifference:
    """p_a - p_b (e.g. women's minus men's approval rate), Newcombe interval and its p-value."""
    ci_low, ci_high = newcombe_interval(successes_a, n_a, successes_b, n_b, confidence_level)
    return ProportionDifference(
        difference=proportion(successes_a, n_a) - proportion(successes_b, n_b),
        ci_low=ci_low,
        ci_high=ci_high,
        p_value=newcombe_p_value(successes_a, n_a, successes_b, n_b),
    )
