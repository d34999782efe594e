"""MAIHDA models on synthetic data with a known truth: a planted interaction is found, no stratum
effect gives a VPC near zero and flags nothing, thin data skip the model with a reason."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

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
    # 3^2/32 = 0.28 before shrinkage; a VPC above 0.02 is clearly positive yet well below
    # that, leaving room for the variational fit's shrinkage.
    assert main["vpc"] > 0.02
    assert _row(summary, "approval", "null")["vpc"] > main["vpc"]
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
        # With 60 decisions per stratum the sampling noise of a stratum's logit is about
        # 1/sqrt(60 * 0.73 * 0.27) = 0.3; the variational estimate of the variance is shrunk
        # below that noise. A VPC under 0.02 (a stratum SD under about 0.26) is "near zero".
        assert row["vpc"] < 0.02, model
    assert not results.strata["flagged"].astype("boolean").fillna(False).any()
    assert _row(summary, "amount", "main_effects")["vpc"] < 0.05
    # Strata without effect cannot tell granted from rejected, but the AUC is computed on the
    # same decisions the stratum effects were estimated from, so chance differences between 32
    # strata of 60 lift it a little above one half (about 0.55-0.58 for such data).
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
