"""MAIHDA: multilevel analysis of individual heterogeneity and discriminatory accuracy.

Cases (business support decisions) are nested in intersectional strata (combinations of the
configured dimensions). The models, as the literature defines them (Evans et al. 2018; Merlo
2018), for each outcome:

- `null` (Model 1): an intercept and a random intercept per stratum, nothing else;
- `main_effects` (Model 2): the same with the stratum dimensions as fixed effects. What the
  stratum random intercept still explains is the interaction: how much a stratum differs from
  what its dimensions predict added up;
- `null_adjusted` and `main_effects_adjusted`: both again with the configured covariates (by
  default support type and industry, which are not strata), labelled as such;
- `null_with_unknown` (approval only, a sensitivity check): Model 1 on every decision, with an
  unknown value as a stratum value of its own, for the decisions the other models leave out.

Approval (granted = 1, rejected = 0) is a random-intercept logistic regression fitted by maximum
likelihood with adaptive Gauss–Hermite quadrature (`rtp_eval.glmm`, checked against lme4's fit
of the cbpp data). Maximum likelihood, not a Bayesian fit: the between-strata variance must be
what the data say, and with few strata a default prior decides it (a variational fit with
statsmodels' prior moved σ²_u of the demo by a factor of 50 with the prior's scale). Its
variance is on the latent scale: VPC = σ²_u / (σ²_u + π²/3), with a profile-likelihood interval
for σ²_u (and so for the VPC), and the likelihood-ratio test of σ²_u = 0 with the boundary's
50:50 mixture of χ²₀ and χ²₁. A fit with σ²_u on the boundary 0 is marked `boundary`.

Granted amount (log kronor, granted cases only) is modelled with `MixedLM` (REML); its VPC is
σ²_u / (σ²_u + σ²_e); the test of σ²_u = 0 compares maximum-likelihood fits the same way. A
stratum variance below a millionth of the residual one is a boundary (singular) fit.

PCV = (σ²_u,null − σ²_u,main) / σ²_u,null: the share of the between-strata variance that the main
effects explain, only where the null model's variance is estimated above 0 (else the note says
why it cannot be estimated). The discriminatory accuracy is the AUC of each model's predicted
probabilities (fixed part and stratum effect) against the outcome (Merlo: 0.5 = none).

Stratum predictions (Model 1) and the main effects' prediction (Model 2's fixed part at the
stratum) have intervals from the full covariance of the coefficients plus the stratum effect's
conditional variance. Strata whose interaction (Model 2's random intercept) differs from zero
are found with z = mode / conditional SD, a two-sided normal p-value and Benjamini–Hochberg
adjustment over all strata; they are exploratory findings. On a boundary fit every interaction
is 0 and none is flagged.

Cases with an unknown value in a stratum dimension are left out of the models (an `unknown`
stratum mixes people of every kind and is no social position); they stay in the descriptive table
and in the sensitivity model. A model is skipped, with the reason stated, when the data are
thinner than the configured minimums or when the fit fails; it never stops the run.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.regression.linear_model import OLS
from statsmodels.regression.mixed_linear_model import MixedLM
from statsmodels.stats.multitest import multipletests

from rtp_eval import catalog
from rtp_eval.breakdown import UNKNOWN
from rtp_eval.errors import ConfigError
from rtp_eval.glmm import (
    GlmmFit,
    boundary_lr_test,
    fit_glmm,
    predict_with_intervals,
    profile_interval,
)
from rtp_eval.intersectional import KEY_COLUMNS, IntersectionalConfig
from rtp_eval.settings import IntersectionalModel, section
from rtp_eval.stats import DEFAULT_CONFIDENCE_LEVEL

LOGISTIC_VARIANCE = math.pi**2 / 3
STRATUM_SEPARATOR = "|"
# The defaults of the configuration's `intersectional.model` (its period has none).
MODEL_DEFAULTS = IntersectionalModel.model_construct()
OTHER = "other_pooled"

SUMMARY_COLUMNS: tuple[str, ...] = catalog.table("intersectional_model_summary").columns
STRATA_COLUMNS: tuple[str, ...] = catalog.table("intersectional_model_strata").columns
APPROVAL_RESULT_COLUMNS = STRATA_COLUMNS[
    STRATA_COLUMNS.index("predicted_approval") : STRATA_COLUMNS.index("predicted_amount_sek")
]
AMOUNT_RESULT_COLUMNS = STRATA_COLUMNS[
    STRATA_COLUMNS.index("predicted_amount_sek") : STRATA_COLUMNS.index("suppressed")
]


@dataclass(frozen=True)
class ModelSettings:
    """Which cases are modelled, the covariates, and the minimums below which a model is skipped."""

    period: str
    covariates: tuple[str, ...] = tuple(MODEL_DEFAULTS.covariates)
    min_decisions: int = MODEL_DEFAULTS.min_decisions
    min_outcome_events: int = MODEL_DEFAULTS.min_outcome_events
    min_strata: int = MODEL_DEFAULTS.min_strata
    min_stratum_decisions: int = MODEL_DEFAULTS.min_stratum_decisions
    min_granted_for_amount: int = MODEL_DEFAULTS.min_granted_for_amount
    min_covariate_level: int = MODEL_DEFAULTS.min_covariate_level
    max_stratum_decisions: int = MODEL_DEFAULTS.max_stratum_decisions
    fdr: float = MODEL_DEFAULTS.fdr
    confidence_level: float = DEFAULT_CONFIDENCE_LEVEL

    @classmethod
    def from_params(
        cls, model: Mapping[str, object] | None, confidence_level: float | None = None
    ) -> ModelSettings:
        values = section(IntersectionalModel, model)
        return cls(
            period=values.period,
            covariates=tuple(values.covariates),
            min_decisions=values.min_decisions,
            min_outcome_events=values.min_outcome_events,
            min_strata=values.min_strata,
            min_stratum_decisions=values.min_stratum_decisions,
            min_granted_for_amount=values.min_granted_for_amount,
            min_covariate_level=values.min_covariate_level,
            max_stratum_decisions=values.max_stratum_decisions,
            fdr=values.fdr,
            confidence_level=confidence_level or DEFAULT_CONFIDENCE_LEVEL,
        )


def model_settings(
    intersectional: Mapping[str, object], config: IntersectionalConfig
) -> ModelSettings:
    """The models' settings from the `intersectional` configuration section.

    The model period must be one of the strata table's periods, whose published cells decide
    which strata's results are shown.
    """
    model = intersectional.get("model", {})
    settings = ModelSettings.from_params(
        model if isinstance(model, Mapping) else {}, config.confidence_level
    )
    if settings.period not in config.periods:
        raise ConfigError(
            "config/config.yaml",
            "intersectional.model.period",
            f"'{settings.period}' is not one of intersectional.periods "
            f"({', '.join(config.periods)})",
        )
    return settings


@dataclass
class ModelResults:
    """The work tables of the models and the seconds each fit took (for the log only)."""

    summary: pd.DataFrame
    strata: pd.DataFrame
    seconds: dict[str, float] = field(default_factory=dict)


# --- data ------------------------------------------------------------------------------------


def stratum_label(frame: pd.DataFrame, keys: Sequence[str]) -> pd.Series:
    text = frame[list(keys)].astype(str)
    label = text[keys[0]]
    for key in keys[1:]:
        label = label + STRATUM_SEPARATOR + text[key]
    return label.astype(object)


def model_data(
    cases: pd.DataFrame, keys: Sequence[str], settings: ModelSettings
) -> tuple[pd.DataFrame, int]:
    """Cases with every stratum dimension known; rare covariate levels pooled. Also: excluded."""
    known = ~cases[list(keys)].astype("string").eq(UNKNOWN).any(axis=1)
    data = cases.loc[known.to_numpy(dtype=bool)].copy()
    for column in settings.covariates:
        counts = data[column].astype(str).value_counts()
        rare = set(counts[counts < settings.min_covariate_level].index)
        data[column] = data[column].astype(str).where(~data[column].astype(str).isin(rare), OTHER)
    for key in keys:
        data[key] = data[key].astype(str)
    data["stratum"] = stratum_label(data, keys)
    data["approved"] = data["granted_flag"].astype(float)
    return data.reset_index(drop=True), int((~known).sum())


# Seed of the models' random choices: the sample of large strata and the variational fit's
# starting values.
SAMPLING_SEED = 20161101


def sample_large_strata(
    data: pd.DataFrame, keys: Sequence[str], limit: int, seed: int = SAMPLING_SEED
) -> pd.DataFrame:
    """At most `limit` decisions of each stratum (combination of `keys`): a seeded simple random
    sample of larger ones.

    The models' cost grows with the number of decisions, not strata. Sampling within strata
    depends only on the stratum, which is in both models, so the estimates stay unbiased; large
    strata lose precision they do not need, small strata (the ones the analysis is about) keep
    every decision. The same data give the same sample.
    """
    if len(data) == 0:
        return data
    strata = data.groupby(list(keys), sort=False, dropna=False, observed=True)
    if strata.size().max() <= limit:
        return data
    draw = pd.Series(np.random.default_rng(seed).random(len(data)), index=data.index)
    order = draw.groupby([data[k] for k in keys], sort=False, dropna=False, observed=True)
    keep = order.rank(method="first").to_numpy() <= limit
    return data.loc[keep].reset_index(drop=True)


# --- statistics helpers ----------------------------------------------------------------------


def auc(scores: np.ndarray, outcome: np.ndarray) -> float:
    """Area under the ROC curve (Mann–Whitney, ties counted half); NaN without both classes."""
    scores = np.asarray(scores, dtype=float)
    outcome = np.asarray(outcome, dtype=bool)
    positives, negatives = int(outcome.sum()), int((~outcome).sum())
    if positives == 0 or negatives == 0:
        return float("nan")
    ranks = stats.rankdata(scores)
    return float((ranks[outcome].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    valid = np.isfinite(p)
    if valid.any():
        out[valid] = multipletests(p[valid], method="fdr_bh")[1]
    return out


def _z(confidence_level: float) -> float:
    return float(stats.norm.ppf(0.5 + confidence_level / 2))


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def _summary_row(period: str, outcome: str, model: str, **values: object) -> dict[str, object]:
    row: dict[str, object] = dict.fromkeys(SUMMARY_COLUMNS)
    row.update(period=period, outcome=outcome, model=model, **values)
    return row


def _skipped(
    period: str, outcome: str, reason: str, reason_sv: str, /, **values: object
) -> list[dict[str, object]]:
    return [
        _summary_row(
            period, outcome, model, status="skipped", reason=reason, reason_sv=reason_sv, **values
        )
        for model in ("null", "main_effects")
    ]


# --- approval --------------------------------------------------------------------------------

# Adaptive Gauss–Hermite nodes per stratum integral (lme4's nAGQ): the Laplace approximation
# (1 node) is biased for binary outcomes with small strata; 10 nodes agree with 25 to the third
# decimal of σ²_u on the reference data.
QUADRATURE_POINTS = 10
METHOD_BINARY = f"ML, adaptiv Gauss–Hermite ({QUADRATURE_POINTS} punkter)"
METHOD_LINEAR = "REML (varians), ML (test)"


def design_matrix(data: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """Intercept and treatment-coded dummies (first level in sorted order is the reference)."""
    parts = [np.ones((len(data), 1))]
    for column in columns:
        values = data[column].astype(str)
        levels = sorted(values.unique())
        if len(levels) < 2:
            continue
        codes = pd.Categorical(values, categories=levels).codes
        parts.append((codes[:, None] == np.arange(1, len(levels))[None, :]).astype(float))
    return np.hstack(parts)


def _levels(data: pd.DataFrame, columns: Sequence[str]) -> list[str]:
    """Columns with at least two levels in the data."""
    return [c for c in columns if data[c].nunique() > 1]


@dataclass(frozen=True)
class _BinaryFit:
    fit: GlmmFit
    strata: list[str]  # stratum of each group code
    design: np.ndarray
    codes: np.ndarray
    variance_ci: tuple[float, float]
    lr: tuple[float, float]  # statistic, p-value (boundary-aware)

    def probabilities(self) -> np.ndarray:
        """Each decision's predicted probability (fixed part and its stratum's effect)."""
        return _expit(self.design @ self.fit.beta + self.fit.modes[self.codes])

    def profile(self) -> np.ndarray:
        """Each stratum's mean design row (exact when only stratum dimensions are in it)."""
        sums = np.zeros((len(self.strata), self.design.shape[1]))
        np.add.at(sums, self.codes, self.design)
        return sums / np.bincount(self.codes, minlength=len(self.strata))[:, None]


def _fit_binary(data: pd.DataFrame, columns: Sequence[str], level: float) -> _BinaryFit:
    strata = sorted(data["stratum"].unique())
    codes = pd.Categorical(data["stratum"], categories=strata).codes.astype(np.int64)
    design = design_matrix(data, columns)
    outcome = data["approved"].to_numpy(dtype=float)
    fit = fit_glmm(outcome, np.ones(len(data)), design, codes, len(strata), QUADRATURE_POINTS)
    return _BinaryFit(
        fit, strata, design, codes, profile_interval(fit, level), boundary_lr_test(fit)
    )


def _vpc(variance: float, residual: float) -> float:
    total = variance + residual
    return variance / total if total > 0 and math.isfinite(variance) else float("nan")


def pcv(
    null_variance: float,
    null_boundary: bool,
    null_p_value: float,
    variance: float,
    boundary: bool,
    alpha: float,
) -> tuple[float, str]:
    """PCV and a note (in Swedish): why it cannot be estimated, or that it rests on a singular
    fit of the main-effects model.

    A share of a variance that the data cannot tell from 0 is noise (it can be any number,
    negative too): PCV needs the null model's variance to be above 0 by its test.
    """
    if null_boundary or not null_variance > 0:
        return float("nan"), (
            "kan inte skattas: variansen mellan strata i nollmodellen skattas till 0"
        )
    if not null_p_value < alpha:
        return float("nan"), (
            "kan inte skattas: variansen mellan strata i nollmodellen skiljer sig inte säkert "
            f"från 0 (p = {null_p_value:.3f})".replace(".", ",")
        )
    note = "huvudeffektmodellens varians mellan strata skattas till 0 (singulär skattning)"
    return (null_variance - variance) / null_variance, note if boundary else ""


def _binary_row(
    period: str, model: str, fitted: _BinaryFit, outcome: np.ndarray, **values: object
) -> dict[str, object]:
    fit = fitted.fit
    low, high = fitted.variance_ci
    return _summary_row(
        period,
        "approval",
        model,
        status="fitted",
        reason="",
        reason_sv="",
        method=METHOD_BINARY,
        stratum_variance=fit.variance,
        stratum_variance_ci_low=low,
        stratum_variance_ci_high=high,
        residual_variance=LOGISTIC_VARIANCE,
        vpc=_vpc(fit.variance, LOGISTIC_VARIANCE),
        vpc_ci_low=_vpc(low, LOGISTIC_VARIANCE),
        vpc_ci_high=_vpc(high, LOGISTIC_VARIANCE) if math.isfinite(high) else 1.0,
        lr_statistic=fitted.lr[0],
        lr_p_value=fitted.lr[1],
        boundary=fit.boundary,
        auc=auc(fitted.probabilities(), outcome),
        **values,
    )


def _approval_checks(data: pd.DataFrame, settings: ModelSettings) -> tuple[str, str] | None:
    granted = int(data["approved"].sum())
    rejected = len(data) - granted
    sizes = data["stratum"].value_counts()
    big = int((sizes >= settings.min_stratum_decisions).sum())
    if len(data) < settings.min_decisions:
        return (
            f"too_few_decisions ({len(data)} < {settings.min_decisions})",
            f"för få beslut med kända uppgifter ({len(data)}, minst {settings.min_decisions} "
            "behövs)",
        )
    if min(granted, rejected) < settings.min_outcome_events:
        return (
            f"too_few_outcomes (granted {granted}, rejected {rejected}, "
            f"minimum {settings.min_outcome_events})",
            f"för få beviljade ({granted}) eller avslagna ({rejected}) ärenden (minst "
            f"{settings.min_outcome_events} av varje behövs)",
        )
    if big < settings.min_strata:
        return (
            f"too_few_strata ({big} < {settings.min_strata})",
            f"för få strata med minst {settings.min_stratum_decisions} beslut ({big}, minst "
            f"{settings.min_strata} behövs)",
        )
    return None


def approval_models(
    data: pd.DataFrame, keys: Sequence[str], covariates: Sequence[str], level: float
) -> dict[str, _BinaryFit]:
    """Model 1 (strata only), Model 2 (strata and their dimensions as main effects) and, with
    covariates, both again adjusted for them."""
    dimensions = _levels(data, keys)
    adjust = _levels(data, covariates)
    models = {
        "null": _fit_binary(data, [], level),
        "main_effects": _fit_binary(data, dimensions, level),
    }
    if adjust:
        models["null_adjusted"] = _fit_binary(data, adjust, level)
        models["main_effects_adjusted"] = _fit_binary(data, [*dimensions, *adjust], level)
    return models


def fit_approval(
    data: pd.DataFrame, keys: Sequence[str], settings: ModelSettings
) -> tuple[list[dict[str, object]], pd.DataFrame]:
    """Summary rows and per-stratum results of the approval models."""
    period = settings.period
    sizes = data["stratum"].value_counts()
    base = {
        "cases": len(data),
        "strata": int(sizes.size),
        "strata_with_min_decisions": int((sizes >= settings.min_stratum_decisions).sum()),
        "covariates": ",".join(settings.covariates),
    }
    empty = pd.DataFrame(columns=["stratum", *APPROVAL_RESULT_COLUMNS])
    problem = _approval_checks(data, settings)
    if problem:
        return _skipped(period, "approval", *problem, **base), empty
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            models = approval_models(data, keys, settings.covariates, settings.confidence_level)
    except (np.linalg.LinAlgError, ValueError, RuntimeError) as error:
        reason = f"fit_failed ({type(error).__name__}: {error})"
        return _skipped(period, "approval", reason, "modellen gick inte att skatta", **base), empty

    null, main = models["null"], models["main_effects"]
    level = settings.confidence_level
    strata = pd.DataFrame(index=pd.Index(null.strata, name="stratum"))
    codes = np.arange(len(null.strata))
    estimate, low, high = predict_with_intervals(null.fit, null.profile(), codes, level)
    strata["predicted_approval"] = estimate
    strata["predicted_approval_ci_low"] = low
    strata["predicted_approval_ci_high"] = high
    # The fixed part of Model 2 at each stratum: its dimensions added up, with the full
    # covariance of the coefficients.
    profile = main.profile()
    fixed = profile @ main.fit.beta
    fixed_sd = np.sqrt(np.einsum("ij,jk,ik->i", profile, main.fit.beta_cov, profile))
    z = _z(level)
    strata["main_effects_approval"] = _expit(fixed)
    strata["main_effects_approval_ci_low"] = _expit(fixed - z * fixed_sd)
    strata["main_effects_approval_ci_high"] = _expit(fixed + z * fixed_sd)
    effect = main.fit.modes
    effect_sd = np.sqrt(main.fit.mode_variances)
    strata["interaction_logit"] = effect
    strata["interaction_logit_sd"] = effect_sd
    with np.errstate(divide="ignore", invalid="ignore"):
        p_values = np.where(effect_sd > 0, 2 * stats.norm.sf(np.abs(effect / effect_sd)), 1.0)
    strata["interaction_p_value"] = p_values
    strata["interaction_q_value"] = benjamini_hochberg(p_values)
    strata["flagged"] = strata["interaction_q_value"] < settings.fdr

    outcome = data["approved"].to_numpy(dtype=float)
    rows = []
    for name, fitted in models.items():
        values: dict[str, object] = {}
        if name.startswith("main_effects"):
            reference = models[name.replace("main_effects", "null")]
            values["pcv"], values["pcv_note_sv"] = pcv(
                reference.fit.variance,
                reference.fit.boundary,
                reference.lr[1],
                fitted.fit.variance,
                fitted.fit.boundary,
                1 - settings.confidence_level,
            )
        if name == "main_effects":
            values["flagged_strata"] = int(strata["flagged"].sum())
        rows.append(_binary_row(period, name, fitted, outcome, **values, **base))
    return rows, strata.reset_index()


def unknown_sensitivity(
    cases: pd.DataFrame, keys: Sequence[str], settings: ModelSettings
) -> list[dict[str, object]]:
    """Model 1 again with the decisions left out for an unknown value, `unknown` as a stratum
    value of its own: how much the complete-case estimate depends on leaving them out."""
    data = cases.copy()
    for key in keys:
        data[key] = data[key].astype(str)
    data["stratum"] = stratum_label(data, keys)
    data["approved"] = data["granted_flag"].astype(float)
    if _approval_checks(data, settings) is not None:
        return []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fitted = _fit_binary(data, [], settings.confidence_level)
    except (np.linalg.LinAlgError, ValueError, RuntimeError):
        return []
    sizes = data["stratum"].value_counts()
    return [
        _binary_row(
            settings.period,
            "null_with_unknown",
            fitted,
            data["approved"].to_numpy(dtype=float),
            cases=len(data),
            strata=int(sizes.size),
            strata_with_min_decisions=int((sizes >= settings.min_stratum_decisions).sum()),
            covariates="",
        )
    ]


# --- amount ----------------------------------------------------------------------------------

# A stratum variance below this share of the residual variance is a boundary (singular) fit.
LINEAR_BOUNDARY = 1e-6


@dataclass(frozen=True)
class _LinearFit:
    variance: float
    residual: float
    effects: pd.DataFrame  # index stratum: mean, sd
    linear: pd.DataFrame  # index stratum: fixed, fixed_sd
    boundary: bool
    lr: tuple[float, float]  # statistic, p-value of σ²_u = 0 (boundary-aware, ML fits)


def _best_mixed(model: MixedLM, reml: bool) -> Any:
    # statsmodels' default L-BFGS can stop at a boundary point with a wrong intercept, and
    # gradient methods can meet a singular matrix when the stratum variance is near zero. Several
    # optimisers are tried and the converged fit with the highest likelihood is kept.
    fits = []
    for method in ("bfgs", "powell", "nm"):
        try:
            fit = model.fit(reml=reml, method=method)
        except (np.linalg.LinAlgError, ValueError):
            continue
        if fit.converged and np.isfinite(fit.llf):
            fits.append(fit)
    if not fits:
        raise np.linalg.LinAlgError("no optimiser converged")
    return max(fits, key=lambda fit: fit.llf)


def _fit_linear(data: pd.DataFrame, columns: Sequence[str]) -> _LinearFit:
    design = design_matrix(data, columns)
    outcome = data["log_amount"].to_numpy(dtype=float)
    model = MixedLM(outcome, design, groups=data["stratum"].to_numpy())
    result = _best_mixed(model, reml=True)
    variance = float(np.asarray(result.cov_re)[0, 0])
    strata = sorted(data["stratum"].unique())
    boundary = variance <= LINEAR_BOUNDARY * float(result.scale)
    try:
        means = {s: float(np.asarray(v)[0]) for s, v in result.random_effects.items()}
        sds = {
            s: float(np.sqrt(max(np.asarray(v)[0, 0], 0.0)))
            for s, v in result.random_effects_cov.items()
        }
    except ValueError:
        # The stratum variance is estimated as exactly zero: every stratum effect is zero.
        means, sds = dict.fromkeys(strata, 0.0), dict.fromkeys(strata, 0.0)
    effects = pd.DataFrame({"mean": means, "sd": sds}).reindex(strata)
    k = design.shape[1]
    profile = pd.DataFrame(design).groupby(data["stratum"].to_numpy()).mean().reindex(strata)
    cov = np.asarray(result.cov_params())[:k, :k]
    fixed = profile.to_numpy() @ np.asarray(result.fe_params)
    fixed_sd = np.sqrt(np.einsum("ij,jk,ik->i", profile.to_numpy(), cov, profile.to_numpy()))
    linear = pd.DataFrame({"fixed": fixed, "fixed_sd": fixed_sd}, index=profile.index)
    # The test of σ²_u = 0 compares maximum likelihoods (REML ones are not comparable with a
    # model without the random intercept), with the boundary's 50:50 mixture of χ²₀ and χ²₁.
    if boundary:
        lr = (0.0, 1.0)
    else:
        mixed = _best_mixed(model, reml=False).llf
        ordinary = float(OLS(outcome, design).fit().llf)
        statistic = max(2.0 * (float(mixed) - ordinary), 0.0)
        lr = (statistic, 0.5 * float(stats.chi2.sf(statistic, df=1)) if statistic > 0 else 1.0)
    return _LinearFit(
        0.0 if boundary else variance, float(result.scale), effects, linear, boundary, lr
    )


def _linear_row(period: str, model: str, fit: _LinearFit, **values: object) -> dict[str, object]:
    return _summary_row(
        period,
        "amount",
        model,
        status="fitted",
        reason="",
        reason_sv="",
        method=METHOD_LINEAR,
        stratum_variance=fit.variance,
        residual_variance=fit.residual,
        vpc=_vpc(fit.variance, fit.residual),
        lr_statistic=fit.lr[0],
        lr_p_value=fit.lr[1],
        boundary=fit.boundary,
        **values,
    )


def fit_amount(
    data: pd.DataFrame, keys: Sequence[str], settings: ModelSettings
) -> tuple[list[dict[str, object]], pd.DataFrame]:
    """Summary rows and per-stratum results of the models of log granted amount."""
    period = settings.period
    granted = data[(data["approved"] == 1) & (data["granted_amount"] > 0)].copy()
    granted["log_amount"] = np.log(granted["granted_amount"].astype(float))
    sizes = granted["stratum"].value_counts()
    big = int((sizes >= settings.min_stratum_decisions).sum())
    base = {
        "cases": len(granted),
        "strata": int(sizes.size),
        "strata_with_min_decisions": big,
        "covariates": ",".join(settings.covariates),
    }
    empty = pd.DataFrame(columns=["stratum", *AMOUNT_RESULT_COLUMNS])
    if len(granted) < settings.min_granted_for_amount:
        return _skipped(
            period,
            "amount",
            f"too_few_granted ({len(granted)} < {settings.min_granted_for_amount})",
            f"för få beviljade ärenden med belopp ({len(granted)}, minst "
            f"{settings.min_granted_for_amount} behövs)",
            **base,
        ), empty
    if big < settings.min_strata:
        return _skipped(
            period,
            "amount",
            f"too_few_strata ({big} < {settings.min_strata})",
            f"för få strata med minst {settings.min_stratum_decisions} beviljade ärenden ({big}, "
            f"minst {settings.min_strata} behövs)",
            **base,
        ), empty
    dimensions = _levels(granted, keys)
    adjust = _levels(granted, settings.covariates)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            models = {
                "null": _fit_linear(granted, []),
                "main_effects": _fit_linear(granted, dimensions),
            }
            if adjust:
                models["null_adjusted"] = _fit_linear(granted, adjust)
                models["main_effects_adjusted"] = _fit_linear(granted, [*dimensions, *adjust])
    except (np.linalg.LinAlgError, ValueError) as error:
        reason = f"fit_failed ({type(error).__name__}: {error})"
        return _skipped(period, "amount", reason, "modellen gick inte att skatta", **base), empty

    null, main = models["null"], models["main_effects"]
    z = _z(settings.confidence_level)
    strata = pd.DataFrame(index=null.linear.index)
    strata.index.name = "stratum"
    eta = null.linear["fixed"] + null.effects["mean"].reindex(strata.index)
    eta_sd = np.sqrt(null.linear["fixed_sd"] ** 2 + null.effects["sd"].reindex(strata.index) ** 2)
    strata["predicted_amount_sek"] = np.exp(eta)
    strata["predicted_amount_ci_low"] = np.exp(eta - z * eta_sd)
    strata["predicted_amount_ci_high"] = np.exp(eta + z * eta_sd)
    interaction = main.effects.reindex(strata.index)
    strata["amount_interaction_log"] = interaction["mean"]
    with np.errstate(divide="ignore", invalid="ignore"):
        p_values = 2 * stats.norm.sf(np.abs(interaction["mean"] / interaction["sd"]))
    p_values = np.where(interaction["sd"] > 0, p_values, 1.0)
    strata["amount_interaction_q_value"] = benjamini_hochberg(p_values)
    strata["amount_flagged"] = strata["amount_interaction_q_value"] < settings.fdr

    rows = []
    for name, fit in models.items():
        values: dict[str, object] = {}
        if name.startswith("main_effects"):
            reference = models[name.replace("main_effects", "null")]
            values["pcv"], values["pcv_note_sv"] = pcv(
                reference.variance,
                reference.boundary,
                reference.lr[1],
                fit.variance,
                fit.boundary,
                1 - settings.confidence_level,
            )
        if name == "main_effects":
            values["flagged_strata"] = int(strata["amount_flagged"].sum())
        rows.append(_linear_row(period, name, fit, **values, **base))
    return rows, strata.reset_index()


# --- everything ------------------------------------------------------------------------------


def fit_models(
    cases: pd.DataFrame,
    keys: Sequence[str],
    settings: ModelSettings,
) -> ModelResults:
    """Both outcomes' null and main-effects models on the cases of `settings.period`.

    `cases` are prepared cases (see `rtp_eval.intersectional.prepare_cases`) of the model period
    only; `keys` the stratum key columns in the model.
    """
    # The sample is drawn before the model data are built: with millions of decisions the
    # per-case text columns of the model data would otherwise dominate time and memory.
    known = ~cases[list(keys)].astype("string").eq(UNKNOWN).any(axis=1).to_numpy(dtype=bool)
    everything = cases.loc[known]
    granted = (everything["granted_flag"] == 1) & (everything["granted_amount"] > 0)
    before = {"approval": len(everything), "amount": int(granted.sum())}
    sampled = sample_large_strata(everything, keys, settings.max_stratum_decisions)
    data, _ = model_data(sampled, keys, settings)
    excluded = int((~known).sum())
    seconds = {}
    start = time.perf_counter()
    approval_rows, approval = fit_approval(data, keys, settings)
    seconds["approval"] = time.perf_counter() - start
    start = time.perf_counter()
    amount_rows, amount = fit_amount(data, keys, settings)
    seconds["amount"] = time.perf_counter() - start

    start = time.perf_counter()
    # The same sample limit for the sensitivity fit, over every decision of the period.
    with_unknown = sample_large_strata(cases, keys, settings.max_stratum_decisions)
    sensitivity = unknown_sensitivity(with_unknown, keys, settings) if excluded else []
    seconds["sensitivity"] = time.perf_counter() - start

    summary = pd.DataFrame(
        [*approval_rows, *sensitivity, *amount_rows], columns=list(SUMMARY_COLUMNS)
    )
    summary["excluded_unknown"] = excluded
    # A sum of the strata with every dimension known: not for the sensitivity model, which
    # counts the unknown ones too (its `cases` is that sum plus `excluded_unknown`).
    summary["cases_before_sampling"] = (
        summary["outcome"].map(before).where(summary["model"] != "null_with_unknown")
    )
    strata = approval.merge(amount, on="stratum", how="outer")
    strata = strata_frame(strata, keys, settings.period)
    return ModelResults(summary=_typed_summary(summary), strata=strata, seconds=seconds)


def strata_frame(results: pd.DataFrame, keys: Sequence[str], period: str) -> pd.DataFrame:
    """Per-stratum results with the output key columns (a key not modelled is `all`)."""
    out = pd.DataFrame({"period": pd.array([period] * len(results), dtype="string")})
    parts = (
        results["stratum"].astype(str).str.split(STRATUM_SEPARATOR, expand=True, regex=False)
        if len(results)
        else pd.DataFrame(columns=range(len(keys)))
    )
    for key in KEY_COLUMNS:
        if key in keys:
            out[key] = pd.array(parts[list(keys).index(key)].to_numpy(), dtype="string")
        else:
            out[key] = pd.array(["all"] * len(results), dtype="string")
    for column in STRATA_COLUMNS:
        if column in out.columns or column == "suppressed":
            continue
        values = (
            results[column] if column in results.columns else pd.Series([np.nan] * len(results))
        )
        if column in ("flagged", "amount_flagged"):
            out[column] = pd.array(values.to_numpy(dtype=object), dtype="boolean")
        else:
            out[column] = pd.array(pd.to_numeric(values).to_numpy(dtype=float), dtype="Float64")
    for column in ("predicted_amount_sek", "predicted_amount_ci_low", "predicted_amount_ci_high"):
        out[column] = np.floor(out[column] + 0.5).astype("Int64")
    out["suppressed"] = pd.array([False] * len(out), dtype="boolean")
    return out[list(STRATA_COLUMNS)]


def _typed_summary(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary with the catalogue's column types (text columns empty, not missing)."""
    out = summary.copy()
    for column, dtype in catalog.table("intersectional_model_summary").dtypes.items():
        if dtype == "string":
            out[column] = out[column].fillna("").astype("string")
        elif dtype == "boolean":
            out[column] = pd.array(out[column].to_numpy(dtype=object), dtype="boolean")
        else:
            out[column] = pd.to_numeric(out[column]).astype(dtype)
    return out


def _grand_total_hidden(published_table: pd.DataFrame, summary: pd.DataFrame) -> bool:
    """Whether the model period's total of decisions is hidden in the published strata table.

    The complete cases and those left out for an unknown value add up to that total, so the
    counts cannot be shown beside a hidden total.
    """
    if "period" not in summary:
        return False
    periods = set(summary["period"].dropna().astype(str))
    rows = published_table[published_table["period"].astype(str).isin(periods)]
    total = rows[(rows[list(KEY_COLUMNS)].astype(str) == "all").all(axis=1)]
    return bool(total["decisions"].isna().any())


# Counts of complete cases: the sum of the strata with every dimension known, and what is left.
CASE_COUNT_COLUMNS = ("cases", "cases_before_sampling", "excluded_unknown")


def publish_models(
    results: ModelResults, published_table: pd.DataFrame, hide_case_counts: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Model results shown only for strata whose cells pass disclosure in the published table.

    A stratum's approval results go with its counts (decisions) and its amount results with its
    granted amount in the model period's row of `intersectional_business_support`. The counts
    of complete cases are a sum of strata: `hide_case_counts` (from disclosure control) leaves
    them out.
    """
    strata = results.strata.copy()
    keys = ["period", *KEY_COLUMNS]
    shown = published_table[[*keys, "decisions", "amount_granted_sek"]].copy()
    for key in keys:
        shown[key] = shown[key].astype("string")
    merged = strata[keys].merge(shown, on=keys, how="left")
    counts_hidden = merged["decisions"].isna().to_numpy(dtype=bool)
    amounts_hidden = merged["amount_granted_sek"].isna().to_numpy(dtype=bool)
    strata.loc[counts_hidden, list(APPROVAL_RESULT_COLUMNS)] = pd.NA
    strata.loc[amounts_hidden, list(AMOUNT_RESULT_COLUMNS)] = pd.NA
    strata["suppressed"] = pd.array(counts_hidden | amounts_hidden, dtype="boolean")

    summary = results.summary.copy()
    work_flags = results.strata
    for outcome, column in (("approval", "flagged"), ("amount", "amount_flagged")):
        rows = (summary["outcome"] == outcome) & (summary["model"] == "main_effects")
        rows &= summary["status"] == "fitted"
        if rows.any():
            total = int(work_flags[column].fillna(False).sum())
            visible = int(strata[column].fillna(False).sum())
            summary.loc[rows, "flagged_strata"] = visible
            summary.loc[rows, "flagged_strata_suppressed"] = total - visible
    if hide_case_counts or _grand_total_hidden(published_table, results.summary):
        summary[list(CASE_COUNT_COLUMNS)] = pd.NA
    return summary, strata
