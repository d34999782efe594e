"""Maximum-likelihood random-intercept logistic regression (binomial GLMM, one grouping factor).

Model: y_i ~ Binomial(n_i, expit(x_i'β + b_g(i))), b_g ~ N(0, σ²); the model of lme4's
``glmer(cbind(y, n - y) ~ X + (1 | group), family = binomial, nAGQ = k)``. MAIHDA fits it with the
intersectional strata as groups.

Method. The random effects are written b_g = σ·u_g with u_g ~ N(0, 1) (lme4's spherical form), so
σ = 0 is an ordinary point of the parameter space, not a singularity. For given (β, σ) each group's
integral over u_g is approximated by adaptive Gauss–Hermite quadrature, centred at the conditional
mode û_g and scaled by the conditional SD from the curvature there; one node is the Laplace
approximation (lme4's nAGQ = 1). The modes come from a bracketed Newton iteration run for all
groups at once. The marginal log-likelihood and its exact gradient (including how mode and
curvature move with the parameters) are maximised over (β, σ ≥ 0) by L-BFGS-B from the ordinary
logistic regression, then polished by Newton steps on a finite-difference Hessian of the analytic
gradient. Rows with equal group and covariates are merged first (exact, and fast for categorical
covariates).

Conventions:

- Log-likelihoods include the binomial coefficients log C(n_i, y_i), as lme4's Laplace fits do
  (cbpp: −92.03). The same convention holds for every nAGQ and for the GLM, so all are comparable.
  Aggregated rows and the same data expanded to 0/1 rows give the same estimates; their
  log-likelihoods differ by Σ log C(n_i, y_i).
- ``beta_cov`` is the β block of the inverse Hessian of −loglik with respect to (β, σ), as lme4's
  ``vcov`` for glmer; if that Hessian is not positive definite, the inverse of its β block (σ held
  fixed). A boundary fit reports the GLM covariance.
- A fit is a boundary fit when σ̂ ≤ 1e-4 (lme4's ``isSingular`` tolerance) or when σ = 0 fits at
  least as well; it is then reported exactly as the GLM (σ² = 0, GLM β and log-likelihood).
- Everything is deterministic: no random starts.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special, stats

from rtp_eval.stats import DEFAULT_CONFIDENCE_LEVEL

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
ValueAndGradient = Callable[[FloatArray], tuple[float, FloatArray]]

BOUNDARY_SD = 1e-4  # lme4's isSingular tolerance on θ
MODE_TOLERANCE = 1e-10
MAX_MODE_ITERATIONS = 200
# Newton decrement g'H⁻¹g (twice the expected remaining gain in log-likelihood): below the first a
# fit counts as converged; Newton steps continue while it exceeds the second.
NEWTON_DECREMENT_TOLERANCE = 1e-8
NEWTON_DECREMENT_NEGLIGIBLE = 1e-14
FD_STEP = 1e-5
START_SD = 1.0  # lme4's starting θ
RESTART_SDS = (0.3, 3.0)
ZERO_STATISTIC = 1e-8  # LR statistics below this are rounding, not evidence


@dataclass(frozen=True, eq=False)
class GlmmData:
    """Validated model data, rows with equal group and covariates possibly merged.

    ``log_binomial`` is Σ log C(n_i, y_i) over the rows as given, ``n_obs`` their number.
    """

    successes: FloatArray
    trials: FloatArray
    X: FloatArray  # column-major: X.T @ v and X @ b are several times faster on tall X
    groups: IntArray
    n_groups: int
    log_binomial: float
    n_obs: int

    @property
    def n_fixed(self) -> int:
        return int(self.X.shape[1])


@dataclass(frozen=True, eq=False)
class GlmFit:
    """Ordinary logistic regression (the σ² = 0 model) fitted by maximum likelihood."""

    beta: FloatArray
    beta_cov: FloatArray
    loglik: float
    converged: bool


@dataclass(frozen=True, eq=False)
class GlmmFit:
    """A fitted random-intercept logistic regression; see the module docstring for conventions."""

    beta: FloatArray
    beta_cov: FloatArray
    variance: float
    loglik: float
    nagq: int
    converged: bool
    boundary: bool
    modes: FloatArray  # conditional modes of b_g = σ·u_g
    mode_variances: FloatArray  # σ²·s_g², s_g² = 1 / (1 + σ²·Σ n_i μ_i (1 − μ_i)) at the mode
    n_obs: int
    n_groups: int
    null_loglik: float  # the GLM (σ² = 0) at its maximum, same constant convention
    data: GlmmData = field(repr=False)

    @property
    def sd(self) -> float:
        return math.sqrt(self.variance)


# ---------------------------------------------------------------------------------------------
# Data


def make_data(
    successes: ArrayLike,
    trials: ArrayLike,
    X: ArrayLike,
    groups: ArrayLike | None = None,
    n_groups: int | None = None,
) -> GlmmData:
    """Check and convert the arrays; ``groups`` None means one group."""
    y = np.asarray(successes, dtype=np.float64).ravel()
    n = np.asarray(trials, dtype=np.float64).ravel()
    design = np.asarray(X, dtype=np.float64)
    if design.ndim == 1:
        design = design[:, None]
    if y.size == 0:
        raise ValueError("no observations")
    if n.shape != y.shape or design.ndim != 2 or design.shape[0] != y.size:
        raise ValueError("successes, trials and the rows of X must have the same length")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(n)) and np.all(np.isfinite(design))):
        raise ValueError("successes, trials and X must be finite")
    if np.any(n < 1) or np.any(y < 0) or np.any(y > n):
        raise ValueError("need trials >= 1 and successes between 0 and trials")
    if np.sum(y) == 0 or np.sum(y) == np.sum(n):
        raise ValueError("the outcome does not vary: all trials are successes or all failures")
    if np.linalg.matrix_rank(design) < design.shape[1]:
        raise ValueError("X does not have full column rank")
    codes = np.zeros(y.size, dtype=np.int64) if groups is None else _group_codes(groups, y.size)
    count = int(codes.max()) + 1 if n_groups is None else int(n_groups)
    if codes.min() < 0 or codes.max() >= count:
        raise ValueError("group codes must lie in 0 .. n_groups - 1")
    log_binomial, n_obs = _log_binomial(y, n), int(y.size)
    y, n, design, codes = _merge_equal_rows(y, n, design, codes)
    return GlmmData(y, n, np.asfortranarray(design), codes, count, log_binomial, n_obs)


def _merge_equal_rows(
    y: FloatArray, n: FloatArray, design: FloatArray, codes: IntArray
) -> tuple[FloatArray, FloatArray, FloatArray, IntArray]:
    """Sum successes and trials over rows with the same group and covariates.

    Exact: the likelihood kernel y·η − n·log(1 + e^η) is additive over rows sharing η, and the
    binomial constants are taken from the rows as given. Individual-level data with categorical
    covariates shrink to a few rows per group. Kept only when it saves at least a fifth.
    """
    key = np.column_stack([codes.astype(np.float64), design])
    unique, inverse = np.unique(key, axis=0, return_inverse=True)
    if unique.shape[0] > 0.8 * y.size:
        return y, n, design, codes
    inverse = inverse.ravel()
    size = unique.shape[0]
    merged_y = _weighted_bincount(inverse, y, size)
    merged_n = _weighted_bincount(inverse, n, size)
    return merged_y, merged_n, unique[:, 1:].copy(), unique[:, 0].astype(np.int64)


def _group_codes(groups: ArrayLike, n_obs: int) -> IntArray:
    raw = np.asarray(groups).ravel()
    if raw.shape != (n_obs,):
        raise ValueError("groups must have one code per observation")
    codes = raw.astype(np.int64)
    if not np.array_equal(codes, raw):
        raise ValueError("group codes must be integers")
    return codes


def _log_binomial(y: FloatArray, n: FloatArray) -> float:
    return float(
        np.sum(special.gammaln(n + 1) - special.gammaln(y + 1) - special.gammaln(n - y + 1))
    )


def _softplus_and_mean(eta: FloatArray) -> tuple[FloatArray, FloatArray]:
    """log(1 + e^η) and expit(η) from one exponential (np.logaddexp is several times slower)."""
    small = np.exp(-np.abs(eta))
    softplus = np.maximum(eta, 0.0) + np.log1p(small)
    mean = np.where(eta >= 0, 1.0, small) / (1.0 + small)
    return softplus, mean


# ---------------------------------------------------------------------------------------------
# GLM (σ² = 0)


def fit_glm(successes: ArrayLike, trials: ArrayLike, X: ArrayLike) -> GlmFit:
    """Logistic regression by Newton's method (= Fisher scoring for the canonical link)."""
    return _fit_glm(make_data(successes, trials, X))


def glm_loglik(successes: ArrayLike, trials: ArrayLike, X: ArrayLike) -> float:
    """Maximised log-likelihood of the logistic regression, binomial coefficients included."""
    return fit_glm(successes, trials, X).loglik


def _glm_value_and_gradient(data: GlmmData, beta: FloatArray) -> tuple[float, FloatArray]:
    eta = data.X @ beta
    softplus, mu = _softplus_and_mean(eta)
    value = float(np.sum(data.successes * eta - data.trials * softplus))
    gradient = data.X.T @ (data.successes - data.trials * mu)
    return value, gradient


def _glm_information(data: GlmmData, beta: FloatArray) -> FloatArray:
    mu = special.expit(data.X @ beta)
    weights = data.trials * mu * (1 - mu)
    return data.X.T @ (data.X * weights[:, None])


def _fit_glm(data: GlmmData, max_iterations: int = 100) -> GlmFit:
    beta = np.zeros(data.n_fixed)
    value, gradient = _glm_value_and_gradient(data, beta)
    converged = False
    for _ in range(max_iterations):
        information = _glm_information(data, beta)
        step = np.linalg.lstsq(information, gradient, rcond=None)[0]
        decrement = float(gradient @ step)
        converged = decrement < NEWTON_DECREMENT_TOLERANCE
        if decrement < NEWTON_DECREMENT_NEGLIGIBLE:
            break
        # Step halving keeps separated data (MLE at infinity) from oscillating.
        for _ in range(60):
            new_value, new_gradient = _glm_value_and_gradient(data, beta + step)
            if new_value >= value:
                break
            step = step / 2
        else:
            break
        beta, value, gradient = beta + step, new_value, new_gradient
    cov = _safe_inverse(_glm_information(data, beta))
    return GlmFit(beta, cov, value + data.log_binomial, converged)


def _weighted_bincount(index: NDArray[np.integer], weights: FloatArray, size: int) -> FloatArray:
    # Weighted counts are float64 sums; numpy's stubs type every bincount as integers.
    return cast(FloatArray, np.bincount(index, weights=weights, minlength=size))


def _inverse(matrix: FloatArray) -> FloatArray:
    # numpy's stubs widen the result of inv to any floating type; a float64 matrix stays float64.
    return cast(FloatArray, np.linalg.inv(matrix))


def _safe_inverse(matrix: FloatArray) -> FloatArray:
    try:
        return _inverse(matrix)
    except np.linalg.LinAlgError:
        # Same widening in numpy's stubs as for inv.
        return cast(FloatArray, np.linalg.pinv(matrix))


# ---------------------------------------------------------------------------------------------
# Conditional modes and the marginal likelihood


def _group_sum(data: GlmmData, values: FloatArray) -> FloatArray:
    return _weighted_bincount(data.groups, values, data.n_groups)


def _conditional_modes(
    data: GlmmData, offset: FloatArray, sd: float, start: FloatArray
) -> FloatArray:
    """Modes û_g of h_g(u) = Σ_i ℓ_i(offset_i + σu) − u²/2, all groups at once, from ``start``.

    h_g is strictly concave (h'' ≤ −1), so h'_g has one root, inside ±(σ·N_g + 1) because the
    binomial score is bounded by the trials N_g; Newton steps that leave the current bracket are
    replaced by bisection, which makes all-success or all-failure groups safe.
    """
    group_trials = _group_sum(data, data.trials)
    low = -abs(sd) * group_trials - 1.0
    high = abs(sd) * group_trials + 1.0
    u = np.clip(start, low, high)
    for _ in range(MAX_MODE_ITERATIONS):
        mu = special.expit(offset + sd * u[data.groups])
        score = _group_sum(data, data.successes - data.trials * mu)
        curvature = 1.0 + sd**2 * _group_sum(data, data.trials * mu * (1 - mu))
        slope = sd * score - u
        low = np.where(slope > 0, u, low)
        high = np.where(slope < 0, u, high)
        proposal = u + slope / curvature
        # A Newton step moves towards the root, so only an overshoot past the far end is caught.
        outside = (proposal < low) | (proposal > high)
        proposal = np.where(outside, 0.5 * (low + high), proposal)
        done = np.max(np.abs(proposal - u)) < MODE_TOLERANCE
        u = proposal
        if done:
            break
    return u


@dataclass(frozen=True)
class _Quadrature:
    """Gauss–Hermite nodes z_k and log(w_k) + z_k² (the e^{−z²} weight is part of the integrand)."""

    nodes: FloatArray
    log_weights: FloatArray

    @classmethod
    def of(cls, nagq: int) -> _Quadrature:
        nodes, weights = np.polynomial.hermite.hermgauss(nagq)
        return cls(nodes, np.log(weights) + nodes**2)


@dataclass(frozen=True)
class _GroupState:
    """Per-group quantities at the conditional mode for given (β, σ)."""

    mode: FloatArray  # û_g
    scale: FloatArray  # s_g = (1 + σ²H_g)^(−1/2)
    weight_sum: FloatArray  # H_g = Σ n μ (1 − μ)
    score: FloatArray  # Σ (y − n μ) at the mode
    row_weight: FloatArray  # n μ (1 − μ) per row
    row_skew: FloatArray  # n μ (1 − μ)(1 − 2μ) per row: d(row_weight)/dη


def _group_state(data: GlmmData, offset: FloatArray, sd: float, start: FloatArray) -> _GroupState:
    mode = _conditional_modes(data, offset, sd, start)
    mu = special.expit(offset + sd * mode[data.groups])
    row_weight = data.trials * mu * (1 - mu)
    weight_sum = _group_sum(data, row_weight)
    return _GroupState(
        mode=mode,
        scale=1.0 / np.sqrt(1.0 + sd**2 * weight_sum),
        weight_sum=weight_sum,
        score=_group_sum(data, data.successes - data.trials * mu),
        row_weight=row_weight,
        row_skew=row_weight * (1 - 2 * mu),
    )


def _marginal(
    data: GlmmData, params: FloatArray, rule: _Quadrature, start: FloatArray | None = None
) -> tuple[float, FloatArray, _GroupState]:
    """Approximate marginal log-likelihood at params = (β, σ), its exact gradient, the modes.

    Group g contributes log s_g − ½ log π + log Σ_k exp(a_k + h_g(û_g + √2 s_g z_k)). The gradient
    differentiates this whole expression, so the optimiser sees a consistent function; how û_g
    and s_g move comes from the implicit function theorem on h'_g(û_g) = 0.
    """
    beta, sd = params[:-1], float(params[-1])
    g = data.groups
    offset = data.X @ beta
    state = _group_state(data, offset, sd, np.zeros(data.n_groups) if start is None else start)
    s, mode = state.scale, state.mode

    root2z = math.sqrt(2.0) * rule.nodes
    u = mode[:, None] + s[:, None] * root2z[None, :]  # G × K
    eta = offset[:, None] + sd * u[g]  # rows × K
    softplus, mu = _softplus_and_mean(eta)
    kernel = data.successes[:, None] * eta - data.trials[:, None] * softplus
    residual = data.successes[:, None] - data.trials[:, None] * mu
    h = _group_sum_columns(data, kernel) - 0.5 * u**2
    log_terms = rule.log_weights[None, :] + h
    log_sum = special.logsumexp(log_terms, axis=1)
    value = float(np.sum(np.log(s) + log_sum)) - 0.5 * math.log(math.pi) * data.n_groups

    share = np.exp(log_terms - log_sum[:, None])  # posterior weight of each node
    node_score = _group_sum_columns(data, residual)
    slope = sd * node_score - u  # h'_g at the nodes
    m_slope = np.sum(share * slope, axis=1)
    m_slope_z = np.sum(share * slope * root2z[None, :], axis=1)
    m_sigma = np.sum(share * u * node_score, axis=1)
    q = 1.0 / s + m_slope_z  # coefficient of ds_g/dφ
    skew_sum = _group_sum(data, state.row_skew)

    # β: dû/dβ = −σ s² Σ W x,  d(σ²H)/dβ = σ² Σ V (x + σ dû/dβ),  ds/dβ = −½ s³ d(σ²H)/dβ.
    coef_w = 0.5 * q * s**5 * sd**4 * skew_sum - m_slope * sd * s**2
    coef_v = -0.5 * q * s**3 * sd**2
    averaged_residual = np.sum(share[g] * residual, axis=1)
    row_coef = averaged_residual + coef_w[g] * state.row_weight + coef_v[g] * state.row_skew
    grad_beta = data.X.T @ row_coef

    # σ: dû/dσ = s² (score − σ û H),  d(σ²H)/dσ = 2σH + σ² ΣV (û + σ dû/dσ).
    dmode = s**2 * (state.score - sd * mode * state.weight_sum)
    dscale = -0.5 * s**3 * (2 * sd * state.weight_sum + sd**2 * skew_sum * (mode + sd * dmode))
    grad_sd = float(np.sum(q * dscale + m_slope * dmode + m_sigma))

    return value + data.log_binomial, np.append(grad_beta, grad_sd), state


def _group_sum_columns(data: GlmmData, values: FloatArray) -> FloatArray:
    """Column-wise group sums of a rows × K array, as one bincount."""
    k = values.shape[1]
    index = (data.groups[:, None] * k + np.arange(k)[None, :]).ravel()
    sums = _weighted_bincount(index, values.ravel(), data.n_groups * k)
    return sums.reshape(data.n_groups, k)


# ---------------------------------------------------------------------------------------------
# Optimisation


def _negated(function: ValueAndGradient) -> ValueAndGradient:
    def negative(x: FloatArray) -> tuple[float, FloatArray]:
        value, gradient = function(x)
        return -value, -gradient

    return negative


def _fd_hessian(function: ValueAndGradient, x: FloatArray, gradient: FloatArray) -> FloatArray:
    """Forward differences of the analytic gradient, symmetrised.

    The gradient is exact to rounding, so forward differences are accurate to ~1e-6 relative,
    ample for covariances and a Newton polish, at half the cost of central ones.
    """
    size = x.size
    hessian = np.empty((size, size))
    for j in range(size):
        step = FD_STEP * max(1.0, abs(x[j]))
        moved = x.copy()
        moved[j] += step
        hessian[:, j] = (function(moved)[1] - gradient) / step
    return 0.5 * (hessian + hessian.T)


class _Objective:
    """(β, σ) ↦ (loglik, gradient); with ``sd`` given, β ↦ the same at that fixed σ.

    The modes of the last evaluation start the next Newton iteration: the optimiser moves in small
    steps, so this takes about 3 iterations instead of 5. Results depend on it only at rounding
    level, as the modes are solved to 1e-10 (with quadratic convergence) from any start.
    """

    def __init__(self, data: GlmmData, rule: _Quadrature, sd: float | None = None) -> None:
        self.data, self.rule, self.sd = data, rule, sd
        self.start = np.zeros(data.n_groups)

    def __call__(self, x: FloatArray) -> tuple[float, FloatArray]:
        params = x if self.sd is None else np.append(x, self.sd)
        value, gradient, state = _marginal(self.data, params, self.rule, self.start)
        self.start = state.mode
        return value, gradient if self.sd is None else gradient[:-1]


@dataclass(frozen=True)
class _Optimum:
    x: FloatArray
    value: float
    converged: bool  # by the Newton decrement
    hessian: FloatArray | None  # at x when computed there, for the covariance


def _maximise(
    function: ValueAndGradient,
    start: FloatArray,
    bounds: list[tuple[float | None, float | None]],
    polish: bool = True,
) -> _Optimum:
    """L-BFGS-B, then (if ``polish``) Newton steps on the finite-difference Hessian.

    Without polishing only the value is trustworthy (its error is quadratic in that of x). The last
    Newton step is taken without recomputing the Hessian: it moves x by far less than the Hessian
    changes over, and the Hessian is only used for the covariance.
    """
    result = optimize.minimize(
        _negated(function),
        start,
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-9},
    )
    x = np.asarray(result.x, dtype=np.float64)
    value, gradient = function(x)
    hessian = None
    for _ in range(8 if polish else 0):
        hessian = _fd_hessian(function, x, gradient)
        try:
            np.linalg.cholesky(-hessian)
            step = np.linalg.solve(-hessian, gradient)
        except np.linalg.LinAlgError:
            break
        decrement = float(gradient @ step)
        candidate = x + step
        if decrement < NEWTON_DECREMENT_NEGLIGIBLE or not _within(candidate, bounds):
            return _Optimum(x, value, decrement < NEWTON_DECREMENT_TOLERANCE, hessian)
        new_value, new_gradient = function(candidate)
        if new_value < value:
            return _Optimum(x, value, decrement < NEWTON_DECREMENT_TOLERANCE, hessian)
        if decrement < NEWTON_DECREMENT_TOLERANCE:
            return _Optimum(candidate, new_value, True, hessian)
        x, value, gradient = candidate, new_value, new_gradient
    return _Optimum(x, value, False, None)


def _within(x: FloatArray, bounds: list[tuple[float | None, float | None]]) -> bool:
    return all(
        (low is None or v >= low) and (high is None or v <= high)
        for v, (low, high) in zip(x, bounds, strict=True)
    )


def _boundary_curvature(data: GlmmData, beta: FloatArray) -> float:
    """d²loglik/dσ² at σ = 0: Σ_g (score_g² − H_g); positive means σ = 0 is not a local maximum."""
    mu = special.expit(data.X @ beta)
    score = _group_sum(data, data.successes - data.trials * mu)
    weight = _group_sum(data, data.trials * mu * (1 - mu))
    return float(np.sum(score**2 - weight))


def fit_glmm(
    successes: ArrayLike,
    trials: ArrayLike,
    X: ArrayLike,
    groups: ArrayLike,
    n_groups: int | None = None,
    nagq: int = 1,
) -> GlmmFit:
    """Fit the random-intercept logistic regression by maximum likelihood.

    ``nagq`` = 1 is the Laplace approximation, larger values adaptive Gauss–Hermite quadrature
    with that many nodes (lme4's nAGQ). ``X`` must contain the intercept column.
    """
    if int(nagq) != nagq or nagq < 1:
        raise ValueError("nagq must be a positive integer")
    return _fit(make_data(successes, trials, X, groups, n_groups), int(nagq))


def _fit(data: GlmmData, nagq: int) -> GlmmFit:
    glm = _fit_glm(data)
    rule = _Quadrature.of(nagq)
    objective = _Objective(data, rule)
    bounds: list[tuple[float | None, float | None]] = [(None, None)] * data.n_fixed + [(0.0, None)]
    best = _maximise(objective, np.append(glm.beta, START_SD), bounds)
    # L-BFGS-B can land on σ = 0, where the σ-gradient vanishes, although σ = 0 is a saddle.
    if best.x[-1] <= BOUNDARY_SD and _boundary_curvature(data, glm.beta) > 0:
        for sd in RESTART_SDS:
            candidate = _maximise(objective, np.append(glm.beta, sd), bounds)
            if candidate.value > best.value:
                best = candidate
    if best.x[-1] <= BOUNDARY_SD or best.value <= glm.loglik:
        return _boundary_fit(data, glm, nagq)
    return _interior_fit(data, rule, objective, best, glm.loglik, nagq)


def _boundary_fit(data: GlmmData, glm: GlmFit, nagq: int) -> GlmmFit:
    return GlmmFit(
        beta=glm.beta,
        beta_cov=glm.beta_cov,
        variance=0.0,
        loglik=glm.loglik,
        nagq=nagq,
        converged=glm.converged,
        boundary=True,
        modes=np.zeros(data.n_groups),
        mode_variances=np.zeros(data.n_groups),
        n_obs=data.n_obs,
        n_groups=data.n_groups,
        null_loglik=glm.loglik,
        data=data,
    )


def _interior_fit(
    data: GlmmData,
    rule: _Quadrature,
    objective: ValueAndGradient,
    optimum: _Optimum,
    null_loglik: float,
    nagq: int,
) -> GlmmFit:
    params = optimum.x
    sd = float(params[-1])
    _, gradient, state = _marginal(data, params, rule)
    hessian = optimum.hessian
    if hessian is None:
        hessian = _fd_hessian(objective, params, gradient)
    return GlmmFit(
        beta=params[:-1].copy(),
        beta_cov=_beta_covariance(-hessian, data.n_fixed),
        variance=sd**2,
        loglik=optimum.value,
        nagq=nagq,
        converged=optimum.converged,
        boundary=False,
        modes=sd * state.mode,
        mode_variances=sd**2 * state.scale**2,
        n_obs=data.n_obs,
        n_groups=data.n_groups,
        null_loglik=null_loglik,
        data=data,
    )


def _beta_covariance(information: FloatArray, n_fixed: int) -> FloatArray:
    """β block of the inverse of the (β, σ) information; with σ fixed if that is not PD."""
    try:
        np.linalg.cholesky(information)
        return _inverse(information)[:n_fixed, :n_fixed]
    except np.linalg.LinAlgError:
        return _safe_inverse(information[:n_fixed, :n_fixed])


# ---------------------------------------------------------------------------------------------
# Inference


def profile_loglik(fit: GlmmFit, sd: float) -> float:
    """Log-likelihood maximised over β with the random-intercept SD held at ``sd``."""
    if sd == 0:
        return _fit_glm(fit.data).loglik
    objective = _Objective(fit.data, _Quadrature.of(fit.nagq), sd)
    bounds: list[tuple[float | None, float | None]] = [(None, None)] * fit.data.n_fixed
    return _maximise(objective, fit.beta.copy(), bounds, polish=False).value


def profile_interval(
    fit: GlmmFit, level: float = DEFAULT_CONFIDENCE_LEVEL, max_sd: float = 100.0
) -> tuple[float, float]:
    """Profile-likelihood interval for σ²: where 2·(loglik − profile) ≤ the χ²₁ quantile.

    The lower end is 0 when σ = 0 is inside the region; the upper end is inf when the region
    reaches ``max_sd``.
    """
    if not 0 < level < 1:
        raise ValueError("level must lie strictly between 0 and 1")
    critical = float(stats.chi2.ppf(level, df=1))

    def excess(sd: float) -> float:
        return 2.0 * (fit.loglik - profile_loglik(fit, sd)) - critical

    estimate = fit.sd
    low = 0.0
    if not fit.boundary and excess(0.0) > 0:
        low = optimize.brentq(excess, 0.0, estimate, xtol=1e-7)
    high = max(2.0 * estimate, 0.5)
    bracket_low = estimate
    while excess(high) <= 0:
        if high >= max_sd:
            return low**2, math.inf
        bracket_low, high = high, min(2.0 * high, max_sd)
    high = optimize.brentq(excess, bracket_low, high, xtol=1e-7)
    return low**2, high**2


def boundary_lr_test(fit: GlmmFit, null_loglik: float | None = None) -> tuple[float, float]:
    """Likelihood-ratio test of σ² = 0 against σ² > 0: (statistic, p-value).

    The null value is on the boundary, so the statistic follows ½χ²₀ + ½χ²₁:
    p = ½·P(χ²₁ > stat), and p = 1 when the statistic is 0. ``null_loglik`` defaults to the GLM
    fitted with the model.
    """
    null = fit.null_loglik if null_loglik is None else null_loglik
    statistic = 2.0 * (fit.loglik - null)
    if statistic < ZERO_STATISTIC:
        return 0.0, 1.0
    return statistic, 0.5 * float(stats.chi2.sf(statistic, df=1))


def predict_with_intervals(
    fit: GlmmFit,
    X_new: ArrayLike,
    group_codes: ArrayLike,
    level: float = DEFAULT_CONFIDENCE_LEVEL,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Predicted probabilities for rows of ``X_new`` in the given groups, with Wald intervals.

    η = x'β̂ + b̂_g with Var(η) ≈ x' Cov(β̂) x + Var(b_g | data), the conditional variance at the
    mode; the covariance between β̂ and b̂_g is ignored, so intervals are slightly narrow when
    groups are few. A group code of −1 means a new group: b = 0 and its variance is σ̂². The
    interval is formed on the logit scale and mapped back; for a new group the estimate is thus
    the median over groups, not the population-averaged probability.
    """
    if not 0 < level < 1:
        raise ValueError("level must lie strictly between 0 and 1")
    design = np.atleast_2d(np.asarray(X_new, dtype=np.float64))
    codes = np.asarray(group_codes, dtype=np.int64).ravel()
    if design.shape != (codes.size, fit.beta.size):
        raise ValueError("X_new must have one row per group code and one column per coefficient")
    if np.any((codes < -1) | (codes >= fit.n_groups)):
        raise ValueError("group codes must lie in -1 .. n_groups - 1")
    known = codes >= 0
    safe = np.where(known, codes, 0)
    effect = np.where(known, fit.modes[safe], 0.0)
    effect_var = np.where(known, fit.mode_variances[safe], fit.variance)
    eta = design @ fit.beta + effect
    se = np.sqrt(np.einsum("ij,jk,ik->i", design, fit.beta_cov, design) + effect_var)
    z = float(stats.norm.ppf(0.5 + level / 2))
    return special.expit(eta), special.expit(eta - z * se), special.expit(eta + z * se)
