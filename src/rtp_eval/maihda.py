"""MAIHDA: multilevel analysis of individual heterogeneity and discriminatory accuracy.

Cases (business support decisions) are nested in intersectional strata (combinations of the
configured dimensions). Two models per outcome:

- null model: a random intercept per stratum (plus the covariates, by default support type and
  industry, which are not strata);
- main-effects model: the same with the stratum dimensions as fixed effects. What the stratum
  random intercept still explains is the interaction: how much a stratum differs from what its
  dimensions predict added up.

Approval (granted = 1, rejected = 0) is modelled with statsmodels' `BinomialBayesMixedGLM`
fitted by variational Bayes (`fit_vb`), a logistic model whose variance is reported on the latent
scale: VPC = σ²_u / (σ²_u + π²/3). statsmodels is already a dependency, fits these models in about
a second, and is the library the method description names; the variational fit approximates the
posterior (it tends to understate uncertainty a little), so intervals and p-values of single
strata are approximate and the stratum list is labelled exploratory. `vcp_mean` is the posterior
mean of the log standard deviation of the stratum intercepts; σ²_u = exp(2 · vcp_mean).

Granted amount (log kronor, granted cases only) is modelled with `MixedLM` (REML); its VPC is
σ²_u / (σ²_u + σ²_e).

PCV = (σ²_u,null − σ²_u,main) / σ²_u,null: the share of the between-strata variance that the main
effects explain. The discriminatory accuracy is the AUC of the strata: how well the null model's
stratum intercepts alone separate granted from rejected decisions (0.5 = not at all).

Strata whose interaction (the main-effects model's random intercept) differs from zero are found
with z = mean / SD, a two-sided normal p-value and Benjamini–Hochberg adjustment over all strata
of the model; they are exploratory findings, not tests of a hypothesis stated in advance.

Cases with an unknown value in a stratum dimension are left out of the models (an `unknown`
stratum mixes people of every kind and is no social position); they stay in the descriptive table.
A model is skipped, with the reason stated, when the data are thinner than the configured minimums
or when the fit fails; it never stops the run.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.genmod.bayes_mixed_glm import BinomialBayesMixedGLM
from statsmodels.regression.mixed_linear_model import MixedLM
from statsmodels.stats.multitest import multipletests

from rtp_eval import catalog
from rtp_eval.breakdown import UNKNOWN
from rtp_eval.errors import ConfigError
from rtp_eval.intersectional import KEY_COLUMNS, IntersectionalConfig
from rtp_eval.stats import DEFAULT_CONFIDENCE_LEVEL

LOGISTIC_VARIANCE = math.pi**2 / 3
STRATUM_SEPARATOR = "|"
DEFAULT_COVARIATES = ("support_type", "industry")
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

    period: str = "2012-2018"
    covariates: tuple[str, ...] = DEFAULT_COVARIATES
    min_decisions: int = 300
    min_outcome_events: int = 30
    min_strata: int = 8
    min_stratum_decisions: int = 5
    min_granted_for_amount: int = 150
    min_covariate_level: int = 20
    max_stratum_decisions: int = 5_000
    fdr: float = 0.05
    confidence_level: float = DEFAULT_CONFIDENCE_LEVEL

    @classmethod
    def from_params(
        cls, model: Mapping[str, object] | None, confidence_level: float | None = None
    ) -> ModelSettings:
        settings = dict(model or {})
        defaults = cls()
        return cls(
            period=str(settings.get("period", defaults.period)),
            covariates=tuple(settings.get("covariates", defaults.covariates)),  # type: ignore[arg-type]
            min_decisions=int(settings.get("min_decisions", defaults.min_decisions)),  # type: ignore[arg-type]
            min_outcome_events=int(
                settings.get("min_outcome_events", defaults.min_outcome_events)  # type: ignore[arg-type]
            ),
            min_strata=int(settings.get("min_strata", defaults.min_strata)),  # type: ignore[arg-type]
            min_stratum_decisions=int(
                settings.get("min_stratum_decisions", defaults.min_stratum_decisions)  # type: ignore[arg-type]
            ),
            min_granted_for_amount=int(
                settings.get("min_granted_for_amount", defaults.min_granted_for_amount)  # type: ignore[arg-type]
            ),
            min_covariate_level=int(
                settings.get("min_covariate_level", defaults.min_covariate_level)  # type: ignore[arg-type]
            ),
            max_stratum_decisions=int(
                settings.get("max_stratum_decisions", defaults.max_stratum_decisions)  # type: ignore[arg-type]
            ),
            fdr=float(settings.get("fdr", defaults.fdr)),  # type: ignore[arg-type]
            confidence_level=float(confidence_level or defaults.confidence_level),
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


def _terms(columns: Sequence[str], data: pd.DataFrame) -> list[str]:
    """`C(column)` for every column with at least two levels in the data."""
    return [f"C({c})" for c in columns if data[c].nunique() > 1]


def _formula(outcome: str, terms: Sequence[str]) -> str:
    return f"{outcome} ~ " + (" + ".join(terms) if terms else "1")


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
    period: str, outcome: str, reason: str, reason_sv: str, **values: object
) -> list[dict[str, object]]:
    return [
        _summary_row(
            period, outcome, model, status="skipped", reason=reason, reason_sv=reason_sv, **values
        )
        for model in ("null", "main_effects")
    ]


# --- approval --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _BinaryFit:
    variance: float
    effects: pd.DataFrame  # index stratum: mean, sd
    linear: pd.DataFrame  # index stratum: fixed part at the stratum's mean design, its sd


def _fit_binary(data: pd.DataFrame, terms: Sequence[str]) -> _BinaryFit:
    model = BinomialBayesMixedGLM.from_formula(
        _formula("approved", terms), {"stratum": "0 + C(stratum)"}, data
    )
    # fit_vb draws its starting values from fresh entropy unless given a generator; a fixed seed
    # makes the same data give the same estimates to the last digit.
    result = model.fit_vb(rng=np.random.default_rng(SAMPLING_SEED))
    variance = float(np.exp(2 * np.asarray(result.vcp_mean)[0]))
    effects = result.random_effects()
    effects.index = [str(i).removeprefix("C(stratum)[").removesuffix("]") for i in effects.index]
    effects.columns = ["mean", "sd"]
    design = pd.DataFrame(model.exog, columns=model.exog_names)
    profile = design.groupby(data["stratum"].to_numpy()).mean()
    fixed = profile.to_numpy() @ np.asarray(result.fe_mean)
    fixed_sd = np.sqrt((profile.to_numpy() ** 2) @ (np.asarray(result.fe_sd) ** 2))
    linear = pd.DataFrame({"fixed": fixed, "fixed_sd": fixed_sd}, index=profile.index)
    return _BinaryFit(variance, effects, linear)


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


def fit_approval(
    data: pd.DataFrame, keys: Sequence[str], settings: ModelSettings
) -> tuple[list[dict[str, object]], pd.DataFrame]:
    """Summary rows and per-stratum results of the two approval models."""
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
    covariates = _terms(settings.covariates, data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            null = _fit_binary(data, covariates)
            main = _fit_binary(data, [*_terms(keys, data), *covariates])
    except (np.linalg.LinAlgError, ValueError) as error:
        reason = f"fit_failed ({type(error).__name__}: {error})"
        return _skipped(period, "approval", reason, "modellen gick inte att skatta", **base), empty

    outcome = data["approved"].to_numpy(dtype=bool)
    null_effect = null.effects["mean"].reindex(data["stratum"]).to_numpy()
    z = _z(settings.confidence_level)
    strata = pd.DataFrame(index=null.linear.index)
    strata.index.name = "stratum"
    eta = null.linear["fixed"] + null.effects["mean"]
    eta_sd = np.sqrt(null.linear["fixed_sd"] ** 2 + null.effects["sd"] ** 2)
    strata["predicted_approval"] = _expit(eta)
    strata["predicted_approval_ci_low"] = _expit(eta - z * eta_sd)
    strata["predicted_approval_ci_high"] = _expit(eta + z * eta_sd)
    strata["main_effects_approval"] = _expit(main.linear["fixed"])
    strata["main_effects_approval_ci_low"] = _expit(
        main.linear["fixed"] - z * main.linear["fixed_sd"]
    )
    strata["main_effects_approval_ci_high"] = _expit(
        main.linear["fixed"] + z * main.linear["fixed_sd"]
    )
    interaction = main.effects.reindex(strata.index)
    strata["interaction_logit"] = interaction["mean"]
    strata["interaction_logit_sd"] = interaction["sd"]
    p_values = 2 * stats.norm.sf(np.abs(interaction["mean"] / interaction["sd"]))
    strata["interaction_p_value"] = p_values
    strata["interaction_q_value"] = benjamini_hochberg(p_values)
    strata["flagged"] = strata["interaction_q_value"] < settings.fdr
    flagged = int(strata["flagged"].sum())

    pcv = (null.variance - main.variance) / null.variance if null.variance > 0 else float("nan")
    rows = [
        _summary_row(
            period,
            "approval",
            "null",
            status="fitted",
            reason="",
            reason_sv="",
            stratum_variance=null.variance,
            residual_variance=LOGISTIC_VARIANCE,
            vpc=null.variance / (null.variance + LOGISTIC_VARIANCE),
            auc=auc(null_effect, outcome),
            **base,
        ),
        _summary_row(
            period,
            "approval",
            "main_effects",
            status="fitted",
            reason="",
            reason_sv="",
            stratum_variance=main.variance,
            residual_variance=LOGISTIC_VARIANCE,
            vpc=main.variance / (main.variance + LOGISTIC_VARIANCE),
            pcv=pcv,
            flagged_strata=flagged,
            **base,
        ),
    ]
    return rows, strata.reset_index()


# --- amount ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _LinearFit:
    variance: float
    residual: float
    effects: pd.DataFrame  # index stratum: mean, sd
    linear: pd.DataFrame  # index stratum: fixed, fixed_sd


def _fit_linear(data: pd.DataFrame, terms: Sequence[str]) -> _LinearFit:
    model = MixedLM.from_formula(_formula("log_amount", terms), data, groups=data["stratum"])
    # statsmodels' default L-BFGS can stop at a boundary point with a wrong intercept, and
    # gradient methods can meet a singular matrix when the stratum variance is near zero. Several
    # optimisers are tried and the converged fit with the highest restricted likelihood is kept.
    fits = []
    for method in ("bfgs", "powell", "nm"):
        try:
            fit = model.fit(reml=True, method=method)
        except (np.linalg.LinAlgError, ValueError):
            continue
        if fit.converged and np.isfinite(fit.llf):
            fits.append(fit)
    if not fits:
        raise np.linalg.LinAlgError("no optimiser converged")
    result = max(fits, key=lambda fit: fit.llf)
    variance = float(np.asarray(result.cov_re)[0, 0])
    strata = sorted(data["stratum"].unique())
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
    k = len(result.fe_params)
    design = pd.DataFrame(model.exog, columns=model.exog_names)
    profile = design.groupby(data["stratum"].to_numpy()).mean()
    cov = np.asarray(result.cov_params())[:k, :k]
    fixed = profile.to_numpy() @ np.asarray(result.fe_params)
    fixed_sd = np.sqrt(np.einsum("ij,jk,ik->i", profile.to_numpy(), cov, profile.to_numpy()))
    linear = pd.DataFrame({"fixed": fixed, "fixed_sd": fixed_sd}, index=profile.index)
    return _LinearFit(variance, float(result.scale), effects, linear)


def fit_amount(
    data: pd.DataFrame, keys: Sequence[str], settings: ModelSettings
) -> tuple[list[dict[str, object]], pd.DataFrame]:
    """Summary rows and per-stratum results of the two models of log granted amount."""
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
    covariates = _terms(settings.covariates, granted)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            null = _fit_linear(granted, covariates)
            main = _fit_linear(granted, [*_terms(keys, granted), *covariates])
    except (np.linalg.LinAlgError, ValueError) as error:
        reason = f"fit_failed ({type(error).__name__}: {error})"
        return _skipped(period, "amount", reason, "modellen gick inte att skatta", **base), empty

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
    p_values = np.where(interaction["sd"] > 0, p_values, np.nan)
    strata["amount_interaction_q_value"] = benjamini_hochberg(p_values)
    strata["amount_flagged"] = strata["amount_interaction_q_value"] < settings.fdr

    def vpc(fit: _LinearFit) -> float:
        total = fit.variance + fit.residual
        return fit.variance / total if total > 0 else float("nan")

    pcv = (null.variance - main.variance) / null.variance if null.variance > 0 else float("nan")
    rows = [
        _summary_row(
            period,
            "amount",
            "null",
            status="fitted",
            reason="",
            reason_sv="",
            stratum_variance=null.variance,
            residual_variance=null.residual,
            vpc=vpc(null),
            **base,
        ),
        _summary_row(
            period,
            "amount",
            "main_effects",
            status="fitted",
            reason="",
            reason_sv="",
            stratum_variance=main.variance,
            residual_variance=main.residual,
            vpc=vpc(main),
            pcv=pcv,
            flagged_strata=int(strata["amount_flagged"].sum()),
            **base,
        ),
    ]
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

    summary = pd.DataFrame([*approval_rows, *amount_rows], columns=list(SUMMARY_COLUMNS))
    summary["excluded_unknown"] = excluded
    summary["cases_before_sampling"] = summary["outcome"].map(before)
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
    out = summary.copy()
    for column in ("period", "outcome", "model", "status", "reason", "reason_sv", "covariates"):
        out[column] = out[column].fillna("").astype("string")
    for column in (
        "cases",
        "cases_before_sampling",
        "strata",
        "strata_with_min_decisions",
        "flagged_strata",
        "flagged_strata_suppressed",
        "excluded_unknown",
    ):
        out[column] = pd.to_numeric(out[column]).astype("Int64")
    for column in ("stratum_variance", "residual_variance", "vpc", "pcv", "auc"):
        out[column] = pd.to_numeric(out[column]).astype("Float64")
    return out


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
    if hide_case_counts:
        summary[list(CASE_COUNT_COLUMNS)] = pd.NA
    return summary, strata
