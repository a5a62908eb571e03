"""`FitResult`: estimates, NLL, information criteria, residuals, Laplace intervals and the per-start table."""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from cicrjax import InputError
from cicrjax._executable_cache import cached_jit

from ._derived import DerivedQuantity, derived_quantities
from ._multistart import Multistart
from ._nan_on_error import nan_on_error
from ._objective import neg_log_posterior_and_grad, predict_jit, residuals
from ._problem import OBSERVATION_PARAMETERS, Problem

Z_95 = 1.959963984540054


@dataclasses.dataclass(frozen=True)
class FitResult:
    """The outcome of a fit (numpy values; natural units unless named `theta`).

    `ci_method` says how the 95% Laplace intervals were computed: `"gauss-newton"` (JᵀJ of the weighted residuals,
    σ profiled or fixed) or `"hessian-fd"` (central differences of the exact gradient); they are symmetric in the
    unconstrained coordinates and mapped through the transforms (`covariance` is Σ of `theta`, the inverse of that
    matrix). `k` counts the entries of θ plus the profiled observation parameters (one per condition for those
    profiled in every condition). `nll` is the negative log-likelihood alone; `neg_log_posterior` adds −log prior
    (equal without priors). `derived` holds gain, SR load, decay τ and period where they apply, with delta-method
    intervals ([`fitting.derived_quantities`][]).

    `names`, `estimates`, `theta` and the intervals follow the problem's free vector: per-condition parameters as
    `v3[0]`, `v3[1]`, … and a hierarchical population median as `v3.median` (`Problem.indices("v3")` finds them).
    """

    names: tuple[str, ...]
    units: tuple[str, ...]
    estimates: np.ndarray
    theta: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    ci_method: str
    covariance: np.ndarray
    nll: float
    neg_log_posterior: float
    k: int
    n_data: int
    aic: float
    bic: float
    r2: float
    converged: bool
    solver_ok: bool
    prediction: np.ndarray
    residual: np.ndarray
    trajectory: np.ndarray
    offset: float | np.ndarray
    scale: float | np.ndarray
    sigma: float | np.ndarray
    multistart: Multistart
    derived: dict[str, DerivedQuantity]

    @property
    def n_starts(self) -> int:
        return int(self.multistart.values.shape[0])

    @property
    def n_starts_at_best(self) -> int:
        return self.multistart.n_at_best

    @property
    def status(self) -> str:
        """`"converged"`, `"not converged"`, or `"all starts failed"` (the estimates are then no fit, only the best
        start's end point)."""
        if self.multistart.all_failed:
            return "all starts failed"
        return "converged" if self.converged else "not converged"

    @property
    def strategy(self) -> str:
        """The strategy that ran (e.g. `period-matched`)."""
        return self.multistart.strategy

    @property
    def strategy_reason(self) -> str:
        """Why that strategy ran (what `"auto"` saw in the trace, or `given`)."""
        return self.multistart.strategy_reason

    def estimate(self, name: str) -> float:
        """The estimate of one free parameter (natural units)."""
        return float(self.estimates[self.names.index(name)])


def _hessian_fd(problem: Problem, theta: jax.Array, h: float = 1e-4) -> np.ndarray:
    k = theta.shape[0]
    cols = []
    for i in range(k):
        gp = neg_log_posterior_and_grad(problem, theta.at[i].add(h))[1]
        gm = neg_log_posterior_and_grad(problem, theta.at[i].add(-h))[1]
        cols.append((np.asarray(gp) - np.asarray(gm)) / (2 * h))
    H = np.stack(cols, axis=1)
    return 0.5 * (H + H.T)


@cached_jit
@nan_on_error
def _residual_jacobian(problem: Problem, theta: jax.Array) -> jax.Array:
    """Forward-mode Jacobian of the weighted residuals; compiled once per problem configuration, not per call."""
    return jax.jacfwd(lambda th: residuals(problem, th))(theta)


def _gauss_newton(problem: Problem, theta: jax.Array, sigma: float, jacobian: np.ndarray | None) -> np.ndarray:
    """JᵀJ of the σ-weighted residuals (their Jacobian `jacobian` where the fit left it at `theta`, else computed);
    with σ profiled the residuals are unweighted, so divide by σ̂²."""
    J = np.asarray(_residual_jacobian(problem, theta) if jacobian is None else jacobian)
    return J.T @ J / (sigma**2 if "sigma" in problem.profile else 1.0)


def laplace_intervals(free, theta, H) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """95% Laplace intervals (natural units) and the covariance Σ = H⁺ of the unconstrained vector `theta`, from
    the Hessian (or Gauss–Newton matrix) `H` of the NLL there: θ ± 1.96·√Σᵢᵢ mapped through each
    [`fitting.FreeParameter`][]'s transform in `free`; NaN where Σᵢᵢ ≤ 0.

    **Example:** `low, high, cov = laplace_intervals(problem.free, theta, J.T @ J / sigma**2)`
    """
    cov = np.linalg.pinv(H)
    se = np.sqrt(np.where(np.diag(cov) > 0, np.diag(cov), np.nan))
    triples = list(zip(free, np.asarray(theta), se, strict=True))
    low = np.array([q.transform.inverse(t - Z_95 * s, q.lower, q.upper) for q, t, s in triples])
    high = np.array([q.transform.inverse(t + Z_95 * s, q.lower, q.upper) for q, t, s in triples])
    return np.minimum(low, high), np.maximum(low, high), cov


def summarise(
    problem: Problem,
    ms: Multistart,
    *,
    uncertainty: str | None = "laplace",
    hessian: str = "auto",
    derived: bool = True,
):
    """Turn ranked multistart runs into a [`fitting.FitResult`][] at the best start.

    **Arguments:** `uncertainty` `"laplace"` or `None`; `hessian` `"gauss-newton"`, `"hessian-fd"` or `"auto"`
    (Gauss–Newton when the noise is Gaussian, σ is not a free parameter and there are no priors or hierarchical
    populations); `derived` whether to compute the derived quantities.

    **Example:** `summarise(problem, multistart(problem, 8))`
    """
    theta = jnp.asarray(ms.best_theta)
    p = predict_jit(problem, theta)  # its trajectory is the fitted one: one program for both
    names = problem.names
    estimates = np.asarray(problem.natural(theta))
    # every entry of θ, and each profiled observation parameter once, or once per condition where profiled in each
    k = len(names) + sum(problem.data.shape[0] if q in problem.row_profile else 1 for q in problem.profile)
    n = problem.n_data
    nll = float(p.nll)
    w = np.asarray(problem.mask)
    d = np.asarray(problem.data)
    mean = np.sum(w * d) / np.sum(w)
    rss = float(np.sum(np.asarray(p.residual) ** 2))
    tss = float(np.sum(w * (d - mean) ** 2))
    low = high = np.full(len(names), np.nan)
    cov = np.full((len(names), len(names)), np.nan)
    method = "none"
    if uncertainty == "laplace" and bool(p.ok):
        if hessian == "auto":
            gaussian = (
                problem.noise is None
                and "sigma" not in names
                and "sigma" not in problem.row_profile
                and not problem.has_priors
            )
            hessian = "gauss-newton" if gaussian else "hessian-fd"
        if hessian == "gauss-newton":
            jacobian = None if ms.jacobians is None else ms.jacobians[0]
            H = _gauss_newton(problem, theta, float(p.sigma), jacobian)
        else:
            H = _hessian_fd(problem, theta)
        low, high, cov = laplace_intervals(problem.free, theta, H)
        method = hessian
    elif uncertainty not in ("laplace", None):
        raise InputError(f"uncertainty must be 'laplace' or None, got {uncertainty!r}")
    units = tuple(
        q.unit or ("" if s.parameter in OBSERVATION_PARAMETERS else _unit(problem, s.parameter))
        for q, s in zip(problem.free, problem.layout, strict=True)
    )
    return FitResult(
        names=names,
        units=units,
        estimates=estimates,
        theta=np.asarray(theta),
        ci_low=low,
        ci_high=high,
        ci_method=method,
        covariance=cov,
        nll=nll,
        neg_log_posterior=float(ms.best_value),
        k=k,
        n_data=n,
        aic=2 * k + 2 * nll,
        bic=k * np.log(n) + 2 * nll,
        r2=1.0 - rss / tss if tss > 0 else float("nan"),
        converged=bool(ms.converged[0]),
        solver_ok=bool(p.ok),
        prediction=np.asarray(p.prediction),
        residual=np.asarray(p.residual),
        trajectory=np.asarray(p.trajectory),
        offset=_observed(p.offset),
        scale=_observed(p.scale),
        sigma=_observed(p.sigma),
        multistart=ms,
        derived=derived_quantities(problem, theta, cov) if derived and bool(p.ok) else {},
    )


def compile_summary(problem: Problem, *, uncertainty: str | None = "laplace", derived: bool = True) -> None:
    """Compile (or load from the caches) the programs that [`fitting.summarise`][] will run on `problem` (its
    prediction and, with `derived`, the derived quantities' 2k + 1 or 1 simulations), by running them once at the
    start values: on a thread while the multistart runs, their compilation then takes a free core instead of
    following the fit (`cicrjax fit`).

    **Example:** `threading.Thread(target=compile_summary, args=(problem,), daemon=True).start()`
    """
    theta = jnp.asarray(np.asarray(problem.to_theta(problem.initial_values()), dtype=float))
    predict_jit(problem, theta)
    if derived:
        k = theta.shape[0]
        derived_quantities(problem, theta, np.eye(k) if uncertainty == "laplace" else None)


def _observed(value) -> float | np.ndarray:
    """An observation parameter: a float, or one value per condition where it was profiled per condition."""
    value = np.ravel(np.asarray(value))
    return float(value[0]) if value.size == 1 else value


def _unit(problem: Problem, name: str) -> str:
    for info in problem.model.parameters():
        if info.name == name:
            return info.unit
    return ""
