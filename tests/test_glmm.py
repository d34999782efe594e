"""Random-intercept logistic regression against lme4's published cbpp fit, plus properties that
any maximum-likelihood fit must have and a small simulation of the boundary LR test."""

from __future__ import annotations

import math
from pathlib import Path
from random import Random

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy import optimize, special, stats

from rtp_eval import glmm

CBPP = Path(__file__).resolve().parent / "data" / "reference" / "cbpp.csv"

# lme4: glmer(cbind(incidence, size - incidence) ~ period + (1 | herd), cbpp, binomial).
LME4_LAPLACE_BETA = np.array([-1.3983, -0.9919, -1.1282, -1.5797])
LME4_LAPLACE_SE = np.array([0.2312, 0.3032, 0.3228, 0.4220])
LME4_LAPLACE_VARIANCE = 0.4123
LME4_LAPLACE_LOGLIK = -92.03

PROPERTY_SETTINGS = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def cbpp_arrays() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    assert CBPP.exists(), f"reference data missing: {CBPP}"
    data = pd.read_csv(CBPP)
    X = np.column_stack(
        [np.ones(len(data))] + [(data["period"] == k).to_numpy(float) for k in (2, 3, 4)]
    )
    return data["incidence"].to_numpy(), data["size"].to_numpy(), X, data["herd"].to_numpy() - 1


@pytest.fixture(scope="module")
def cbpp_laplace() -> glmm.GlmmFit:
    return glmm.fit_glmm(*cbpp_arrays(), nagq=1)


def simulate(
    seed: int, n_groups: int, per_group: int, variance: float, trials: int = 1
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Intercept, a binary and a continuous covariate; logit = −0.5 + 0.8·x1 + 0.3·x2 + b_g."""
    rng = np.random.default_rng(seed)
    groups = np.repeat(np.arange(n_groups), per_group)
    n = groups.size
    X = np.column_stack([np.ones(n), rng.integers(0, 2, n), rng.normal(size=n)])
    effects = rng.normal(scale=math.sqrt(variance), size=n_groups)
    eta = X @ np.array([-0.5, 0.8, 0.3]) + effects[groups]
    successes = rng.binomial(trials, special.expit(eta))
    return successes, np.full(n, trials), X, groups


# ---------------------------------------------------------------------------------------------
# Reference: lme4 on cbpp


def test_cbpp_laplace_matches_lme4(cbpp_laplace: glmm.GlmmFit) -> None:
    fit = cbpp_laplace
    assert fit.converged and not fit.boundary
    np.testing.assert_allclose(fit.beta, LME4_LAPLACE_BETA, atol=1e-3)
    assert fit.variance == pytest.approx(LME4_LAPLACE_VARIANCE, abs=1e-3)
    # lme4's logLik includes the binomial coefficients: without them it would be about +93.4.
    assert fit.loglik == pytest.approx(LME4_LAPLACE_LOGLIK, abs=0.01)
    np.testing.assert_allclose(np.sqrt(np.diag(fit.beta_cov)), LME4_LAPLACE_SE, rtol=0.02)
    assert (fit.n_obs, fit.n_groups) == (56, 15)


def test_cbpp_adaptive_quadrature_matches_lme4() -> None:
    fit = glmm.fit_glmm(*cbpp_arrays(), nagq=25)
    assert fit.converged and not fit.boundary
    assert fit.variance == pytest.approx(0.419, abs=0.005)
    assert fit.beta[0] == pytest.approx(-1.399, abs=0.002)


def test_cbpp_profile_interval_is_close_to_lme4(cbpp_laplace: glmm.GlmmFit) -> None:
    # lme4's confint(method = "profile") for the herd SD: about 0.3 to 1.13.
    low, high = glmm.profile_interval(cbpp_laplace)
    assert 0.2 <= math.sqrt(low) <= 0.4
    assert 0.95 <= math.sqrt(high) <= 1.3
    critical = stats.chi2.ppf(0.95, df=1)
    for end in (low, high):
        drop = 2 * (cbpp_laplace.loglik - glmm.profile_loglik(cbpp_laplace, math.sqrt(end)))
        assert drop == pytest.approx(critical, abs=1e-4)


def test_cbpp_herd_variance_is_significant(cbpp_laplace: glmm.GlmmFit) -> None:
    statistic, p_value = glmm.boundary_lr_test(cbpp_laplace)
    assert statistic == pytest.approx(2 * (cbpp_laplace.loglik - cbpp_laplace.null_loglik))
    assert statistic > 10
    assert p_value == pytest.approx(0.5 * stats.chi2.sf(statistic, df=1))
    assert p_value < 0.001


def test_glm_loglik_matches_statsmodels_with_binomial_constants() -> None:
    successes, trials, X, _ = cbpp_arrays()
    model = sm.GLM(np.column_stack([successes, trials - successes]), X, sm.families.Binomial())
    reference = model.fit(tol=1e-12)
    fitted = special.expit(X @ reference.params)
    expected = np.sum(stats.binom.logpmf(successes, trials, fitted))
    glm = glmm.fit_glm(successes, trials, X)
    np.testing.assert_allclose(glm.beta, reference.params, atol=1e-7)
    np.testing.assert_allclose(glm.beta_cov, reference.cov_params(), rtol=1e-6)
    assert glm.loglik == pytest.approx(expected, abs=1e-8)
    assert glmm.glm_loglik(successes, trials, X) == glm.loglik


def test_cbpp_fit_is_deterministic(cbpp_laplace: glmm.GlmmFit) -> None:
    again = glmm.fit_glmm(*cbpp_arrays(), nagq=1)
    assert np.array_equal(again.beta, cbpp_laplace.beta)
    assert np.array_equal(again.beta_cov, cbpp_laplace.beta_cov)
    assert again.variance == cbpp_laplace.variance
    assert np.array_equal(again.modes, cbpp_laplace.modes)


# ---------------------------------------------------------------------------------------------
# Internals that everything rests on


@pytest.mark.parametrize("nagq", [1, 2, 7])
def test_gradient_matches_finite_differences(nagq: int) -> None:
    data = glmm.make_data(*cbpp_arrays())
    rule = glmm._Quadrature.of(nagq)
    params = np.array([-1.2, -0.8, -1.3, -1.4, 0.9])
    error = optimize.check_grad(
        lambda x: glmm._marginal(data, x, rule)[0],
        lambda x: glmm._marginal(data, x, rule)[1],
        params,
        epsilon=1e-6,
    )
    assert error < 1e-4


def test_merging_equal_rows_is_exact() -> None:
    successes, trials, X, groups = simulate(3, n_groups=6, per_group=30, variance=0.5)
    X = X[:, :2]  # categorical only, so rows merge
    merged = glmm.make_data(successes, trials, X, groups)
    unmerged = glmm.GlmmData(
        successes.astype(float),
        trials.astype(float),
        np.asfortranarray(X),
        groups,
        6,
        merged.log_binomial,
        successes.size,
    )
    assert merged.successes.size == 12
    rule = glmm._Quadrature.of(5)
    params = np.array([-0.3, 0.6, 0.8])
    value_merged, gradient_merged, _ = glmm._marginal(merged, params, rule)
    value_unmerged, gradient_unmerged, _ = glmm._marginal(unmerged, params, rule)
    assert value_merged == pytest.approx(value_unmerged, abs=1e-9)
    np.testing.assert_allclose(gradient_merged, gradient_unmerged, atol=1e-9)


# ---------------------------------------------------------------------------------------------
# Properties


@st.composite
def binomial_data(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """A few groups of binomial rows with an intercept and a binary covariate, no separation.

    Success shares lean towards a level per group, so that a good share of fits is interior.
    """
    n_groups = draw(st.integers(1, 5))
    group_shares = draw(st.lists(st.floats(0, 1), min_size=n_groups, max_size=n_groups))
    rows = draw(
        st.lists(
            st.tuples(
                st.integers(0, n_groups - 1),
                st.integers(0, 1),
                st.integers(1, 6),
                st.floats(0, 1),
            ),
            min_size=4,
            max_size=18,
        )
    )
    groups = np.array([row[0] for row in rows])
    x = np.array([row[1] for row in rows], dtype=float)
    trials = np.array([row[2] for row in rows])
    shares = 0.6 * np.array(group_shares)[groups] + 0.4 * np.array([row[3] for row in rows])
    successes = np.round(shares * trials).astype(int)
    # The GLM estimate is finite when each covariate level has successes and failures.
    for level in (0, 1):
        at = x == level
        assume(0 < successes[at].sum() < trials[at].sum())
    X = np.column_stack([np.ones(x.size), x])
    return successes, trials, X, groups, n_groups


@PROPERTY_SETTINGS
@given(binomial_data(), st.sampled_from([1, 3]))
def test_fit_is_at_least_as_good_as_the_glm(data: tuple, nagq: int) -> None:
    successes, trials, X, groups, n_groups = data
    fit = glmm.fit_glmm(successes, trials, X, groups, n_groups, nagq=nagq)
    model = sm.GLM(np.column_stack([successes, trials - successes]), X, sm.families.Binomial())
    fitted = special.expit(X @ model.fit().params)
    glm_loglik = np.sum(stats.binom.logpmf(successes, trials, fitted))
    assert fit.loglik >= glm_loglik - 1e-6
    assert fit.variance >= 0
    assert fit.boundary == (fit.variance == 0)
    assert np.all(np.isfinite(fit.beta)) and np.all(np.isfinite(fit.beta_cov))
    assert np.all(fit.mode_variances <= fit.variance + 1e-12)


@PROPERTY_SETTINGS
@given(binomial_data())
def test_aggregated_rows_fit_like_individual_rows(data: tuple) -> None:
    successes, trials, X, groups, n_groups = data
    aggregated = glmm.fit_glmm(successes, trials, X, groups, n_groups)
    rows = np.repeat(np.arange(successes.size), trials)
    position = np.arange(rows.size) - np.repeat(np.cumsum(trials) - trials, trials)
    outcome = (position < successes[rows]).astype(int)
    individual = glmm.fit_glmm(outcome, np.ones(rows.size), X[rows], groups[rows], n_groups)
    np.testing.assert_allclose(aggregated.beta, individual.beta, atol=1e-6)
    assert aggregated.variance == pytest.approx(individual.variance, abs=1e-6)
    # The conventions differ only by the binomial coefficients, which 0/1 rows do not have.
    constant = np.sum(
        special.gammaln(trials + 1)
        - special.gammaln(successes + 1)
        - special.gammaln(trials - successes + 1)
    )
    assert aggregated.loglik - constant == pytest.approx(individual.loglik, abs=1e-8)
    assert individual.n_obs == trials.sum()


@PROPERTY_SETTINGS
@given(binomial_data(), st.randoms(use_true_random=False))
def test_permuting_rows_and_group_labels_changes_nothing(data: tuple, rnd: Random) -> None:
    successes, trials, X, groups, n_groups = data
    original = glmm.fit_glmm(successes, trials, X, groups, n_groups)
    order = np.array(rnd.sample(range(successes.size), successes.size))
    relabel = np.array(rnd.sample(range(n_groups), n_groups))
    permuted = glmm.fit_glmm(
        successes[order], trials[order], X[order], relabel[groups[order]], n_groups
    )
    np.testing.assert_allclose(permuted.beta, original.beta, atol=1e-6)
    assert permuted.variance == pytest.approx(original.variance, abs=1e-6)
    assert permuted.loglik == pytest.approx(original.loglik, abs=1e-8)
    np.testing.assert_allclose(permuted.modes[relabel], original.modes, atol=1e-5)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(binomial_data())
def test_profile_interval_contains_the_estimate(data: tuple) -> None:
    successes, trials, X, groups, n_groups = data
    fit = glmm.fit_glmm(successes, trials, X, groups, n_groups)
    low, high = glmm.profile_interval(fit)
    assert 0 <= low <= fit.variance <= high
    assert (low == 0) == (glmm.boundary_lr_test(fit)[0] <= stats.chi2.ppf(0.95, 1) + 1e-6)


@PROPERTY_SETTINGS
@given(binomial_data(), st.floats(-5, 5))
def test_lr_p_value_is_a_probability(data: tuple, shift: float) -> None:
    successes, trials, X, groups, n_groups = data
    fit = glmm.fit_glmm(successes, trials, X, groups, n_groups)
    statistic, p_value = glmm.boundary_lr_test(fit)
    assert statistic >= 0 and 0 <= p_value <= 1
    assert (p_value == 1) == (statistic == 0)
    assert (statistic == 0) == fit.boundary or statistic < 1e-6
    statistic, p_value = glmm.boundary_lr_test(fit, fit.loglik + abs(shift))
    assert (statistic, p_value) == (0.0, 1.0)
    statistic, p_value = glmm.boundary_lr_test(fit, fit.loglik - abs(shift) - 1e-3)
    assert 0 <= p_value <= 0.5


# ---------------------------------------------------------------------------------------------
# Quadrature, boundary and awkward data


def test_laplace_agrees_with_quadrature_when_groups_have_many_trials() -> None:
    data = simulate(11, n_groups=12, per_group=20, variance=0.6, trials=50)
    laplace = glmm.fit_glmm(*data, nagq=1)
    quadrature = glmm.fit_glmm(*data, nagq=15)
    np.testing.assert_allclose(laplace.beta, quadrature.beta, atol=2e-3)
    assert laplace.variance == pytest.approx(quadrature.variance, rel=0.01)
    assert laplace.loglik == pytest.approx(quadrature.loglik, abs=0.01)
    np.testing.assert_allclose(laplace.modes, quadrature.modes, atol=5e-3)


def test_no_group_variance_gives_a_boundary_fit_equal_to_the_glm() -> None:
    # Seed chosen where the ML estimate is on the boundary, as for about half of the seeds.
    successes, trials, X, groups = simulate(0, n_groups=5, per_group=40, variance=0.0)
    fit = glmm.fit_glmm(successes, trials, X, groups, nagq=5)
    glm = glmm.fit_glm(successes, trials, X)
    assert fit.boundary and fit.converged
    assert fit.variance == 0.0
    np.testing.assert_array_equal(fit.beta, glm.beta)
    np.testing.assert_array_equal(fit.beta_cov, glm.beta_cov)
    assert fit.loglik == glm.loglik == fit.null_loglik
    assert glmm.boundary_lr_test(fit) == (0.0, 1.0)
    assert glmm.profile_interval(fit)[0] == 0.0
    np.testing.assert_array_equal(fit.modes, np.zeros(5))


def test_groups_with_only_successes_or_failures_get_finite_modes() -> None:
    rng = np.random.default_rng(5)
    groups = np.repeat(np.arange(8), 10)
    successes = np.concatenate([np.ones(10), np.zeros(10), rng.integers(0, 2, 60)])
    fit = glmm.fit_glmm(successes, np.ones(80), np.ones((80, 1)), groups, nagq=9)
    assert fit.converged and not fit.boundary
    assert fit.modes[0] > 1 and fit.modes[1] < -1
    assert np.all(np.isfinite(fit.modes)) and np.all(fit.mode_variances > 0)


def test_one_group_is_a_boundary_fit() -> None:
    successes, trials, X, _ = simulate(2, n_groups=1, per_group=30, variance=1.0)
    fit = glmm.fit_glmm(successes, trials, X, np.zeros(30, dtype=int))
    assert fit.boundary and fit.converged and fit.n_groups == 1


def test_single_observation_groups_and_unused_codes_are_fine() -> None:
    successes, trials, X, groups = simulate(4, n_groups=30, per_group=1, variance=1.0)
    fit = glmm.fit_glmm(successes, trials, X, groups, n_groups=32)
    assert fit.converged and np.all(np.isfinite(fit.beta))
    assert fit.n_groups == 32
    # Groups without rows keep the prior: mode 0 and the full variance.
    assert fit.modes[30:].tolist() == [0.0, 0.0]
    np.testing.assert_allclose(fit.mode_variances[30:], fit.variance)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"successes": np.array([1, 2, 7])}, "between 0 and trials"),
        ({"trials": np.array([0, 5, 5])}, "trials >= 1"),
        ({"groups": np.array([0, 1, 2])}, "n_groups"),
        ({"groups": np.array([0.5, 1, 1])}, "integers"),
        ({"X": np.ones((3, 2))}, "full column rank"),
        ({"successes": np.array([0, 0, 0])}, "does not vary"),
        ({"X": np.ones((2, 1))}, "same length"),
    ],
)
def test_bad_inputs_are_rejected(change: dict, message: str) -> None:
    arguments = {
        "successes": np.array([1, 2, 3]),
        "trials": np.array([5, 5, 5]),
        "X": np.ones((3, 1)),
        "groups": np.array([0, 1, 1]),
        "n_groups": 2,
    }
    arguments.update(change)
    with pytest.raises(ValueError, match=message):
        glmm.fit_glmm(**arguments)


def test_nagq_must_be_a_positive_integer() -> None:
    with pytest.raises(ValueError, match="nagq"):
        glmm.fit_glmm(*cbpp_arrays(), nagq=0)


# ---------------------------------------------------------------------------------------------
# Prediction


def test_predictions_combine_fixed_and_group_effects(cbpp_laplace: glmm.GlmmFit) -> None:
    fit = cbpp_laplace
    X_new = np.array([[1, 0, 0, 0], [1, 0, 0, 0], [1, 0, 0, 1]], dtype=float)
    codes = np.array([0, -1, 3])
    estimate, low, high = glmm.predict_with_intervals(fit, X_new, codes, level=0.95)
    eta = X_new @ fit.beta + np.array([fit.modes[0], 0.0, fit.modes[3]])
    np.testing.assert_allclose(estimate, special.expit(eta))
    assert np.all(low < estimate) and np.all(estimate < high)
    se = np.sqrt(fit.beta_cov[0, 0] + fit.variance)
    z = stats.norm.ppf(0.975)
    assert low[1] == pytest.approx(special.expit(fit.beta[0] - z * se))
    # A known herd is better determined than a new one.
    assert high[0] - low[0] < high[1] - low[1]
    narrow = glmm.predict_with_intervals(fit, X_new, codes, level=0.5)
    assert np.all(narrow[1] > low) and np.all(narrow[2] < high)


# ---------------------------------------------------------------------------------------------
# Simulation of the boundary LR test


def rejection_rate(variance: float, seeds: range) -> float:
    rejections = 0
    for seed in seeds:
        fit = glmm.fit_glmm(*simulate(seed, n_groups=40, per_group=50, variance=variance))
        assert fit.converged
        rejections += glmm.boundary_lr_test(fit)[1] < 0.05
    return rejections / len(seeds)


@pytest.mark.slow
def test_boundary_lr_test_has_power_and_keeps_its_level() -> None:
    # 40 strata of 50 people. With σ² = 0.5 the test should nearly always reject; with σ² = 0 at
    # about the nominal 5 % (the ½χ²₀ + ½χ²₁ mixture; plain χ²₁ would give about 2.5 %).
    assert rejection_rate(0.5, range(40)) >= 0.8
    assert rejection_rate(0.0, range(100, 200)) <= 0.12
