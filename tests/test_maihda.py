"""MAIHDA models on synthetic data with a known truth: a planted interaction is found, no stratum
effect gives a VPC near zero and flags nothing, thin data skip the model with a reason."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rtp_eval.maihda import ModelSettings, auc, fit_models

KEYS = ("group", "birth_background", "age_group", "area")
LEVELS = {
    "group": ("women", "men"),
    "birth_background": ("swedish_born", "foreign_born"),
    "age_group": ("<30", "30-49", "50-64", "65+"),
    "area": ("Östersund", "rest_of_county"),
}
PLANTED = ("women", "foreign_born", "<30", "Östersund")
SETTINGS = ModelSettings(period="2012-2018", min_decisions=200, min_granted_for_amount=100)


def synthetic_cases(seed: int, n_per_stratum: int, main: bool, planted: float) -> pd.DataFrame:
    """Balanced cases in 32 strata; logit = 1 (+ main effects) (+ planted on one stratum)."""
    rng = np.random.default_rng(seed)
    rows = []
    for stratum in itertools.product(*LEVELS.values()):
        values = dict(zip(KEYS, stratum, strict=True))
        logit = 1.0
        if main:
            logit += -0.4 * (values["group"] == "women") - 0.3 * (
                values["birth_background"] == "foreign_born"
            )
            logit += {"<30": -0.3, "30-49": 0.2, "50-64": 0.1, "65+": 0.0}[values["age_group"]]
        if stratum == PLANTED:
            logit += planted
        p = 1 / (1 + np.exp(-logit))
        granted = rng.random(n_per_stratum) < p
        amount = np.exp(rng.normal(12.0, 0.8, n_per_stratum)).round()
        for flag, value in zip(granted, amount, strict=True):
            rows.append(
                {
                    **values,
                    "granted_flag": int(flag),
                    "granted_amount": int(value) if flag else 0,
                    "support_type": str(rng.choice(["investment", "business_development"])),
                    "industry": str(rng.choice(["A", "C", "G"])),
                }
            )
    return pd.DataFrame(rows)


def _row(summary: pd.DataFrame, outcome: str, model: str) -> pd.Series:
    return summary[(summary["outcome"] == outcome) & (summary["model"] == model)].iloc[0]


def test_planted_interaction_gives_positive_vpc_and_is_flagged() -> None:
    # 32 strata x 60 decisions; the planted stratum's logit is 3 lower than its main effects
    # say (about 25 % approved instead of about 75 %).
    cases = synthetic_cases(seed=20161101, n_per_stratum=60, main=True, planted=-3.0)
    results = fit_models(cases, KEYS, SETTINGS)
    summary = results.summary
    main = _row(summary, "approval", "main_effects")
    assert main["status"] == "fitted"
    # One stratum 3 logits off among 32 gives a between-strata variance of roughly
    # 3^2/32 = 0.28; part of it goes into the main effects. The test of no variance rejects
    # in both models, and the main effects explain part of the null model's variance.
    null = _row(summary, "approval", "null")
    assert main["vpc"] > 0.01 and not main["boundary"]
    assert null["lr_p_value"] < 0.001 and main["lr_p_value"] < 0.05
    assert null["vpc"] > main["vpc"]
    assert 0 < main["pcv"] < 1 and main["pcv_note_sv"] == ""
    for row in (null, main):
        assert row["stratum_variance_ci_low"] < row["stratum_variance"]
        assert row["stratum_variance"] < row["stratum_variance_ci_high"]
        assert row["vpc_ci_low"] < row["vpc"] < row["vpc_ci_high"]
        assert "Gauss–Hermite" in row["method"]
    flagged = results.strata[results.strata["flagged"].astype("boolean").fillna(False)]
    assert [tuple(r) for r in flagged[list(KEYS)].astype(str).itertuples(index=False)] == [PLANTED]
    planted = flagged.iloc[0]
    # Part of the planted -3 goes into the main effects of its four categories (each holds the
    # stratum as 1 of 8-16 strata) and the rest is shrunk towards zero, so the estimated
    # interaction is well below -3 in size; clearly negative is what the test asks.
    assert planted["interaction_logit"] < -0.5
    assert planted["predicted_approval"] < planted["main_effects_approval"]
    assert main["flagged_strata"] == 1


def test_no_stratum_effect_gives_vpc_near_zero_and_flags_nothing() -> None:
    cases = synthetic_cases(seed=7, n_per_stratum=60, main=False, planted=0.0)
    results = fit_models(cases, KEYS, SETTINGS)
    summary = results.summary
    for model in ("null", "main_effects"):
        row = _row(summary, "approval", model)
        assert row["status"] == "fitted"
        # No stratum effect: the test does not reject, and the estimate is near or at 0.
        assert row["vpc"] < 0.02, model
        assert row["lr_p_value"] >= 0.05, model
        assert row["stratum_variance_ci_low"] == 0.0, model
    assert not results.strata["flagged"].astype("boolean").fillna(False).any()
    # A between-strata variance the test cannot tell from 0 has no share to explain.
    main = _row(summary, "approval", "main_effects")
    assert pd.isna(main["pcv"]) and main["pcv_note_sv"].startswith("kan inte skattas")
    assert _row(summary, "amount", "main_effects")["vpc"] < 0.05
    # Strata without effect cannot tell granted from rejected: at most chance differences
    # between 32 strata of 60 lift the AUC of the predicted probabilities above one half.
    assert 0.45 < _row(summary, "approval", "null")["auc"] < 0.62


def test_thin_data_skip_the_models_with_a_reason() -> None:
    cases = synthetic_cases(seed=1, n_per_stratum=3, main=False, planted=0.0)
    results = fit_models(cases, KEYS, SETTINGS)
    summary = results.summary
    assert set(summary["status"]) == {"skipped"}
    assert summary["reason"].str.contains("too_few").all()
    assert summary["reason_sv"].str.contains("för få").all()
    assert summary["vpc"].isna().all()


def test_unknown_values_are_left_out_of_the_models() -> None:
    cases = synthetic_cases(seed=3, n_per_stratum=20, main=True, planted=0.0)
    cases.loc[:9, "birth_background"] = "unknown"
    results = fit_models(cases, KEYS, SETTINGS)
    assert (results.summary["excluded_unknown"] == 10).all()
    assert not results.strata["birth_background"].eq("unknown").any()
    # ... and taken in again, as strata of their own, by the sensitivity model.
    sensitivity = _row(results.summary, "approval", "null_with_unknown")
    assert sensitivity["status"] == "fitted"
    assert sensitivity["cases"] == _row(results.summary, "approval", "null")["cases"] + 10
    assert sensitivity["strata"] > _row(results.summary, "approval", "null")["strata"]


def test_models_are_strata_only_main_effects_and_adjusted_variants() -> None:
    cases = synthetic_cases(seed=5, n_per_stratum=20, main=True, planted=0.0)
    summary = fit_models(cases, KEYS, SETTINGS).summary
    approval = summary[summary["outcome"] == "approval"]
    assert list(approval["model"]) == [
        "null",
        "main_effects",
        "null_adjusted",
        "main_effects_adjusted",
    ]
    without = fit_models(cases, KEYS, ModelSettings(**{**SETTINGS.__dict__, "covariates": ()}))
    assert set(without.summary["model"]) == {"null", "main_effects"}


def test_the_strata_only_model_fits_the_strata_and_nothing_else() -> None:
    # Model 1's prediction of a stratum lies between the typical stratum's (the intercept) and
    # the stratum's own rate: its effect is shrunk towards 0, never beyond its own data.
    from rtp_eval.maihda import approval_models, model_data

    cases = synthetic_cases(seed=20161101, n_per_stratum=60, main=True, planted=-3.0)
    data, _ = model_data(cases, KEYS, SETTINGS)
    models = approval_models(data, KEYS, (), 0.95)
    null = models["null"]
    assert null.design.shape[1] == 1  # the intercept only
    rates = data.groupby("stratum")["approved"].mean().reindex(null.strata).to_numpy()
    overall = 1 / (1 + np.exp(-null.fit.beta[0]))
    predicted = 1 / (1 + np.exp(-(null.fit.beta[0] + null.fit.modes)))
    between = (predicted - np.minimum(rates, overall) >= -1e-9) & (
        np.maximum(rates, overall) - predicted >= -1e-9
    )
    assert between.all()


def test_auc_matches_hand_computed_values() -> None:
    assert auc(np.array([0.1, 0.4, 0.35, 0.8]), np.array([0, 0, 1, 1])) == 0.75
    assert auc(np.array([1.0, 1.0]), np.array([0, 1])) == 0.5
    assert np.isnan(auc(np.array([1.0]), np.array([1])))


def test_large_strata_are_sampled_down_to_the_limit_and_small_ones_kept() -> None:
    from rtp_eval.maihda import sample_large_strata

    data = pd.DataFrame({"stratum": ["a"] * 500 + ["b"] * 40 + ["c"] * 3, "value": np.arange(543)})
    sampled = sample_large_strata(data, ["stratum"], limit=50)
    assert sampled["stratum"].value_counts().to_dict() == {"a": 50, "b": 40, "c": 3}
    # The small strata keep every decision; the sample is the same every time.
    assert set(sampled.loc[sampled["stratum"] != "a", "value"]) == set(range(500, 543))
    pd.testing.assert_frame_equal(sampled, sample_large_strata(data, ["stratum"], limit=50))
    assert sample_large_strata(data, ["stratum"], limit=500) is data


def test_planted_interaction_is_still_found_when_large_strata_are_sampled() -> None:
    cases = synthetic_cases(seed=7, n_per_stratum=80, main=True, planted=-3.0)
    settings = ModelSettings(
        period="2012-2018", min_decisions=200, min_granted_for_amount=100, max_stratum_decisions=50
    )
    results = fit_models(cases, KEYS, settings)
    approval = _row(results.summary, "approval", "main_effects")
    assert approval["cases"] == 32 * 50
    assert approval["cases_before_sampling"] == 32 * 80
    flagged = results.strata[results.strata["flagged"].astype("boolean").fillna(False)]
    assert [tuple(r) for r in flagged[list(KEYS)].astype(str).itertuples(index=False)] == [PLANTED]


def test_the_same_data_give_the_same_estimates_to_the_last_digit() -> None:
    cases = synthetic_cases(seed=3, n_per_stratum=30, main=True, planted=-1.0)
    first = fit_models(cases, KEYS, SETTINGS)
    second = fit_models(cases, KEYS, SETTINGS)
    pd.testing.assert_frame_equal(first.strata, second.strata, check_exact=True)
    pd.testing.assert_frame_equal(first.summary, second.summary, check_exact=True)


def _strata_only_loglik(successes: np.ndarray, trials: np.ndarray, sd: float) -> float:
    """Model 1's log-likelihood at its best intercept for a given SD, by direct integration.

    Written apart from `rtp_eval.glmm`: each stratum's integral over its random intercept is
    computed with scipy's adaptive quadrature, the intercept found by a scalar search.
    """
    from scipy import integrate, optimize, special, stats

    def loglik(intercept: float) -> float:
        total = 0.0
        for y, n in zip(successes, trials, strict=True):
            if sd == 0:
                p = special.expit(intercept)
                total += stats.binom.logpmf(y, n, p)
                continue

            def density(u: float, y: float = y, n: float = n) -> float:
                return float(
                    np.exp(stats.binom.logpmf(y, n, special.expit(intercept + u)))
                    * stats.norm.pdf(u, scale=sd)
                )

            value, _ = integrate.quad(density, -10 * sd, 10 * sd, epsabs=0, epsrel=1e-10)
            total += np.log(value)
        return float(total)

    best = optimize.minimize_scalar(lambda b: -loglik(b), bounds=(-5, 5), method="bounded")
    return -float(best.fun)


@pytest.mark.slow
def test_the_demo_model_table_states_what_the_data_say(demo_build: Path) -> None:
    from rtp_eval.io import read_table

    summary = read_table(
        demo_build / "results" / "tables" / "intersectional_model_summary.csv",
        "intersectional_model_summary",
    )
    approval = summary[summary["outcome"] == "approval"].set_index("model")
    for model in ("null", "main_effects"):
        row = approval.loc[model]
        assert row["status"] == "fitted" and "Gauss–Hermite" in row["method"]
        for column in ("stratum_variance", "vpc"):
            assert row[f"{column}_ci_low"] <= row[column] <= row[f"{column}_ci_high"], column
        assert 0 <= row["lr_p_value"] <= 1
    main = approval.loc["main_effects"]
    assert pd.notna(main["pcv"]) or main["pcv_note_sv"].startswith("kan inte skattas")

    # Model 1 needs only each stratum's counts: recompute its likelihood from the unsuppressed
    # strata (every dimension known, the model period) by direct integration.
    period = str(approval.loc["null", "period"])
    work = pd.read_csv(demo_build / "results" / "work" / "intersectional_business_support.csv")
    keys = ["group", "birth_background", "age_group", "area"]
    known = work[(work["period"] == period) & ~work[keys].isin(["all", "unknown"]).any(axis=1)]
    successes = known["granted"].to_numpy(dtype=float)
    trials = known["decisions"].to_numpy(dtype=float)
    assert trials.sum() == approval.loc["null", "cases"]
    variance = float(approval.loc["null", "stratum_variance"])
    at_zero = _strata_only_loglik(successes, trials, 0.0)
    at_estimate = _strata_only_loglik(successes, trials, np.sqrt(variance))
    # The estimate is a maximum: no better SD nearby (or at 0 on the boundary) ...
    for sd in (np.sqrt(variance) + 0.05, max(np.sqrt(variance) - 0.05, 0.0)):
        assert _strata_only_loglik(successes, trials, sd) <= at_estimate + 1e-6, sd
    # ... the likelihood-ratio statistic is twice the gain over no variance ...
    assert approval.loc["null", "lr_statistic"] == pytest.approx(
        2 * (at_estimate - at_zero), abs=1e-3
    )
    # ... and the interval's upper end is where the likelihood has dropped by half the χ²₁
    # quantile.
    high = np.sqrt(float(approval.loc["null", "stratum_variance_ci_high"]))
    drop = at_estimate - _strata_only_loglik(successes, trials, high)
    assert drop == pytest.approx(3.841459 / 2, abs=2e-3)


def test_case_counts_are_left_out_beside_a_hidden_period_total() -> None:
    from rtp_eval.maihda import STRATA_COLUMNS, ModelResults, publish_models

    def published(total: float | None) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "period": ["2012-2018"],
                **{key: ["all"] for key in KEYS},
                "decisions": pd.array([total], dtype="Int64"),
                "amount_granted_sek": pd.array([None], dtype="Int64"),
            }
        )

    summary = pd.DataFrame(
        {
            "period": ["2012-2018"],
            "outcome": ["approval"],
            "model": ["null"],
            "status": ["fitted"],
            "cases": [10],
            "cases_before_sampling": [10],
            "excluded_unknown": [2],
        }
    )
    strata = pd.DataFrame({column: [] for column in STRATA_COLUMNS}).astype(
        {key: "string" for key in ("period", *KEYS)}
    )
    shown, _ = publish_models(ModelResults(summary, strata), published(12))
    assert shown.loc[0, "excluded_unknown"] == 2
    # Known cases plus those left out give the period's total: not beside a hidden total.
    hidden, _ = publish_models(ModelResults(summary, strata), published(None))
    assert hidden[["cases", "cases_before_sampling", "excluded_unknown"]].isna().all(axis=None)


@pytest.mark.slow
def test_a_planted_stratum_is_found_in_most_seeds_and_no_effect_rarely_rejects() -> None:
    from scipy import stats

    from rtp_eval.maihda import approval_models, benjamini_hochberg, model_data

    def fit(seed: int, planted: float) -> tuple[float, bool]:
        cases = synthetic_cases(seed=seed, n_per_stratum=60, main=True, planted=planted)
        data, _ = model_data(cases, KEYS, SETTINGS)
        main = approval_models(data, KEYS, (), 0.95)["main_effects"]
        sd = np.sqrt(main.fit.mode_variances)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(sd > 0, main.fit.modes / sd, 0.0)
        q = benjamini_hochberg(2 * stats.norm.sf(np.abs(z)))
        flagged = {main.strata[i] for i in np.flatnonzero(q < SETTINGS.fdr)}
        return main.lr[1], "|".join(PLANTED) in flagged

    planted = [fit(seed, -3.0) for seed in range(12)]
    assert sum(p < 0.05 for p, _ in planted) >= 10
    assert sum(found for _, found in planted) >= 9
    # Without a stratum effect the test keeps its level: about 1 in 20 seeds rejects.
    null = [fit(100 + seed, 0.0)[0] for seed in range(30)]
    assert sum(p < 0.05 for p in null) <= 4
