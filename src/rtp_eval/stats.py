"""Confidence intervals and tests for proportions, as used in every gender breakdown.

All functions accept scalars or arrays (one value per table cell) and return float arrays, so a
whole table is handled in one call. A cell without observations (n = 0) gets NaN, never an error:
empty cells are normal in sparse breakdowns and are shown as not available.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

# scipy.stats and statsmodels are imported where they are used: loading them takes about two
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
    """Difference p_a - p_b with its Newcombe interval and an exact two-sided p-value."""

    difference: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    p_value: FloatArray


def newcombe_interval(
    successes_a: ArrayLike,
    n_a: ArrayLike,
    successes_b: ArrayLike,
    n_b: ArrayLike,
    confidence_level: float = DEFAULT_CONFIDENCE_LEVEL,
) -> tuple[FloatArray, FloatArray]:
    """Newcombe's hybrid score interval (his method 10) for p_a - p_b; NaN if a group is empty."""
    alpha = _alpha(confidence_level)
    ka, ma = _as_counts(successes_a, n_a)
    kb, mb = _as_counts(successes_b, n_b)
    ka, ma, kb, mb = np.broadcast_arrays(ka, ma, kb, mb)
    valid = (ma > 0) & (mb > 0)
    low = np.full(ka.shape, np.nan)
    high = np.full(ka.shape, np.nan)
    if np.any(valid):
        from statsmodels.stats.proportion import confint_proportions_2indep

        lo, hi = confint_proportions_2indep(
            ka[valid],
            ma[valid],
            kb[valid],
            mb[valid],
            compare="diff",
            method="newcomb",
            alpha=alpha,
        )
        # Rounding can push the bounds a hair outside the possible range of a difference.
        low[valid] = np.clip(lo, -1.0, 1.0)
        high[valid] = np.clip(hi, -1.0, 1.0)
    return low, high


def exact_test_p_value(
    successes_a: ArrayLike, n_a: ArrayLike, successes_b: ArrayLike, n_b: ArrayLike
) -> FloatArray:
    """Two-sided p-value of Fisher's exact test of p_a = p_b; NaN if a group is empty.

    Fisher's test is chosen over Boschloo's: Boschloo is more powerful in small tables but its
    unconditional maximisation grows roughly with n_a * n_b and takes seconds to minutes for
    cells of a few thousand decisions, whereas Fisher's test stays fast for every cell size the
    pipeline meets. Fisher is conservative, which errs on the side of not declaring a gender
    difference; that is the safer side for a published evaluation. It is computed per cell
    because scipy's exact tests take one 2x2 table at a time.
    """
    from scipy.stats import fisher_exact

    ka, ma = _as_counts(successes_a, n_a)
    kb, mb = _as_counts(successes_b, n_b)
    ka, ma, kb, mb = np.broadcast_arrays(ka, ma, kb, mb)
    out = np.full(ka.shape, np.nan)
    valid = (ma > 0) & (mb > 0)
    for index in np.ndindex(ka.shape):
        if not valid[index]:
            continue
        a, b = int(ka[index]), int(kb[index])
        table = [[a, int(ma[index]) - a], [b, int(mb[index]) - b]]
        out[index] = fisher_exact(table, alternative="two-sided").pvalue
    return out


def proportion_difference(
    successes_a: ArrayLike,
    n_a: ArrayLike,
    successes_b: ArrayLike,
    n_b: ArrayLike,
    confidence_level: float = DEFAULT_CONFIDENCE_LEVEL,
) -> ProportionDifference:
    """p_a - p_b (e.g. women's minus men's approval rate), Newcombe interval, Fisher p-value."""
    ci_low, ci_high = newcombe_interval(successes_a, n_a, successes_b, n_b, confidence_level)
    return ProportionDifference(
        difference=proportion(successes_a, n_a) - proportion(successes_b, n_b),
        ci_low=ci_low,
        ci_high=ci_high,
        p_value=exact_test_p_value(successes_a, n_a, successes_b, n_b),
    )
