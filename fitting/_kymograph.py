"""Kymograph fits: the release flux, duration, diffusion and buffer parameters of a smooth spark, fitted to a
line-scan image (one spark, or an averaged spark) by multistart least squares, with Laplace intervals."""

import math
import time
from collections.abc import Mapping, Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, ArrayLike

from cicrjax import InputError, LineScan, SparkSite, WithBuffers, local_devices, map_sharded, simulate_spatial
from cicrjax._parameters import parameter_info

from ._free import FreeParameter, default_free
from ._multistart import _rank
from ._nan_on_error import nan_on_error
from ._optimisers import AbstractOptimiser, LevenbergMarquardt, RunOutput
from ._result import FitResult, laplace_intervals
from ._starts import sample_starts
from ._strategies import AbstractStrategy

_LOG_2PI = math.log(2.0 * math.pi)
# the buffer parameters of a `cicrjax.cardiac_spark` (buffer 0 the dye, buffer 1 the stationary buffer), by name
BUFFER_PARAMETERS = {
    "dye_D": (lambda m: m.buffers[0].D, "µm²/s", "nonnegative"),
    "buffer_total": (lambda m: m.buffers[1].kinetics.B_total, "µM", "positive"),
    "buffer_kon": (lambda m: m.buffers[1].kinetics.k_on, "1/(µM·s)", "positive"),
    "buffer_koff": (lambda m: m.buffers[1].kinetics.k_off, "1/s", "positive"),
}


def spark_parameters(model: WithBuffers) -> dict[str, tuple]:
    """Every parameter a kymograph fit can free, by name: (getter, unit, constraint); the release site's
    ([`cicrjax.SparkSite`][]: `flux`, `duration`, `D_c`, `t_on`, `site_x`, ...) and the buffers' (`dye_D`,
    `buffer_total`, `buffer_kon`, `buffer_koff`).

    **Example:** `sorted(spark_parameters(cicrjax.cardiac_spark()))`
    """
    site = {
        p.name: (lambda m, n=p.name: getattr(m.model, n), p.unit, p.constraint) for p in parameter_info(model.model)
    }
    return {**site, **BUFFER_PARAMETERS}


class KymographProblem(eqx.Module):
    """A spark model, a line scan and a ΔF/F0 image (lines × pixels) to fit, with the free parameters; build it
    with [`fitting.define_kymograph_problem`][]. The objective is the Gaussian NLL of the image with σ profiled
    (σ̂² = RSS/n)."""

    model: WithBuffers
    scan: LineScan
    t: Array
    x: Array
    data: Array
    free: tuple[FreeParameter, ...] = eqx.field(static=True)
    t_end: float = eqx.field(static=True)
    dt: float = eqx.field(static=True)
    save_dt: float = eqx.field(static=True)
    penalty: float = eqx.field(static=True, default=1e10)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.free)

    @property
    def n_data(self) -> int:
        return int(self.data.size)

    def to_theta(self, values: Mapping[str, float] | ArrayLike) -> Array:
        """Natural values (a mapping by name, or an array in `names` order) → the unconstrained vector."""
        if isinstance(values, Mapping):
            values = [values[n] for n in self.names]
        return jnp.asarray(
            [p.transform.forward(float(v), p.lower, p.upper) for p, v in zip(self.free, values, strict=True)]
        )

    def natural(self, theta: ArrayLike) -> Array:
        """Unconstrained vector → natural values (`names` order); works under jit."""
        theta = jnp.asarray(theta)
        return jnp.stack([p.transform.inverse(theta[..., i], p.lower, p.upper) for i, p in enumerate(self.free)], -1)

    def initial_values(self) -> np.ndarray:
        """The natural values the problem was built with (`names` order)."""
        table = spark_parameters(self.model)
        return np.array([float(table[n][0](self.model)) for n in self.names])

    def with_values(self, values: ArrayLike) -> WithBuffers:
        """The model at natural values `values` (`names` order)."""
        table = spark_parameters(self.model)
        getters = [table[n][0] for n in self.names]
        values = jnp.asarray(values)
        return eqx.tree_at(lambda m: [g(m) for g in getters], self.model, [values[i] for i in range(len(getters))])

    def image(self, model: WithBuffers) -> tuple[Array, Array]:
        """The model's ΔF/F0 at the problem's lines and pixels, and whether the simulation stayed finite."""
        sol = simulate_spatial(model, self.t_end, dt=self.dt, save_dt=self.save_dt)
        return self.scan.observe(sol, self.t, self.x) - 1.0, sol.success

    def residuals(self, theta: Array) -> Array:
        """data − model (flattened); large constant residuals where the simulation fails."""
        pred, ok = self.image(self.with_values(self.natural(theta)))
        r = (self.data - pred).ravel()
        big = jnp.sqrt(self.penalty / r.shape[0])
        return jnp.where(ok & jnp.all(jnp.isfinite(r)), r, big)

    def nll(self, theta: Array) -> Array:
        """The Gaussian NLL with σ profiled, 0.5·n·(log 2π + log(RSS/n) + 1); the penalty where it fails."""
        r = self.residuals(theta)
        n = r.shape[0]
        value = 0.5 * n * (_LOG_2PI + jnp.log(jnp.sum(r**2) / n) + 1.0)
        return jnp.where(jnp.isfinite(value) & (jnp.sum(r**2) < self.penalty), value, self.penalty)


class KymographLeastSquares(AbstractStrategy):
    """One start of a kymograph fit: Levenberg–Marquardt on the image residuals (default) or a scalar optimiser
    (L-BFGS, Adam) on the NLL; the run's value is the NLL with σ profiled.

    **Example:** `fit_kymograph(problem, 4, strategy=KymographLeastSquares(LevenbergMarquardt(max_steps=50)))`
    """

    optimiser: AbstractOptimiser = LevenbergMarquardt(max_steps=60, rtol=1e-6)
    name = "kymograph-least-squares"

    def check(self, problem) -> None:
        """Any of the optimisers fits a kymograph: nothing to refuse."""

    def run(self, problem: KymographProblem, theta0: Array) -> RunOutput:
        least_squares = isinstance(self.optimiser, LevenbergMarquardt)
        fn = problem.residuals if least_squares else problem.nll
        out = self.optimiser.minimise(fn, theta0, problem.penalty)
        value = problem.nll(out.theta)
        failed = value >= problem.penalty
        return RunOutput(out.theta, value, out.iterations, out.converged & ~failed, out.failures, out.start_failed)


@eqx.filter_jit
@nan_on_error
def _run_starts(problem: KymographProblem, thetas: Array, strategy: AbstractStrategy, devices) -> RunOutput:
    return map_sharded(lambda th: strategy.run(problem, th), thetas, devices)


@eqx.filter_jit
@nan_on_error
def _linearise(problem: KymographProblem, theta: Array):
    """The fitted image and simulation's fields, and the residuals' Jacobian (forward mode) at `theta`."""
    model = problem.with_values(problem.natural(theta))
    sol = simulate_spatial(model, problem.t_end, dt=problem.dt, save_dt=problem.save_dt)
    pred = problem.scan.observe(sol, problem.t, problem.x) - 1.0
    return pred, sol.success, sol.ys, jax.jacfwd(problem.residuals)(theta)


def define_kymograph_problem(
    model: WithBuffers,
    t: ArrayLike,
    x: ArrayLike,
    df_f0: ArrayLike,
    *,
    free: Sequence[str],
    bounds: Mapping[str, tuple[float, float]] | None = None,
    transforms: Mapping[str, str] | None = None,
    start: Mapping[str, float] | None = None,
    scan: LineScan | None = None,
    dt: float = 2e-5,
    save_dt: float = 1e-3,
) -> KymographProblem:
    """Define a kymograph fit: a spark model (a [`cicrjax.SparkSite`][] with buffers, as [`cicrjax.cardiac_spark`][]),
    the ΔF/F0 image `df_f0` (lines × pixels) at line times `t` (s, from the simulation's start at 0, the model at
    rest before its `t_on`) and pixel centres `x` (µm, on the model's grid), and the names to free.

    **Arguments:** `free` names from [`fitting.spark_parameters`][] (e.g. `flux`, `D_c`, `duration`,
    `buffer_total`); `bounds`, `transforms`, `start` by name (defaults as [`fitting.define_problem`][]: a decade
    either way, log for positive parameters); `scan` the line scan's optics (default [`cicrjax.LineScan`][]()); the
    simulation runs to the last line with time step `dt` and saves every `save_dt` (s).

    **Example:** `define_kymograph_problem(cardiac_spark(), t, x, df, free=["flux", "D_c"])`
    """
    if not (isinstance(model, WithBuffers) and isinstance(model.model, SparkSite)):
        raise InputError("a kymograph fit needs a SparkSite with buffers, such as cicrjax.cardiac_spark()")
    if model.grid.geometry != "line":
        raise InputError(
            "a kymograph fit needs a line-grid spark such as cicrjax.cardiac_spark(); 3-D sparks are not fitted"
        )
    bounds, transforms, start = dict(bounds or {}), dict(transforms or {}), dict(start or {})
    t, x, data = (np.asarray(a, dtype=float) for a in (t, x, df_f0))
    if t.ndim != 1 or x.ndim != 1 or data.shape != (t.size, x.size):
        raise InputError(
            f"the kymograph has shape {data.shape}; it must be (lines, pixels) = ({t.size}, {x.size}) with 1-D t, x"
        )
    if t.size < 3 or x.size < 3 or not (np.all(np.diff(t) > 0) and np.all(np.diff(x) > 0)):
        raise InputError("line times and pixel positions must increase, with at least 3 of each")
    if not np.all(np.isfinite(data)):
        raise InputError("the kymograph holds NaN or infinite values; remove or fill them first")
    if t[0] < 0:
        raise InputError(f"line times start at {t[0]:g} s; they count from the simulation's start at 0")
    grid = model.grid
    if x[0] < 0 or x[-1] > grid.n * grid.dx:
        raise InputError(
            f"pixels span {x[0]:g}–{x[-1]:g} µm, outside the model's grid (0–{grid.n * grid.dx:g} µm); "
            "use a longer grid"
        )
    table = spark_parameters(model)
    if isinstance(free, str) or not free:
        raise InputError("free takes a non-empty list of names, e.g. free=['flux', 'D_c']")
    params = []
    for name in free:
        if name not in table:
            raise InputError(f"unknown spark parameter {name!r} to fit; valid: {', '.join(table)}")
        getter, unit, constraint = table[name]
        value = float(start.get(name, float(getter(model))))
        if constraint == "nonnegative" and value > 0:
            constraint = "positive"  # a diffusion coefficient or rate fitted on a log scale, as the positive ones
        p = default_free(name, value, constraint, unit, transforms.get(name), bounds.get(name))
        p.check_value(value, "start" if name in start else "initial value")
        params.append(p)
        if name in start:
            model = eqx.tree_at(getter, model, jnp.asarray(value))
    if len(set(free)) != len(free):
        raise InputError(f"a free parameter is named twice: {list(free)}")
    for name in [*bounds, *transforms, *start]:
        if name not in free:
            raise InputError(f"{name} has bounds, a transform or a start but is not free; add it to free")
    if data.size < len(params) + 3:
        raise InputError(f"{data.size} pixels cannot determine {len(params)} free parameters and σ")
    n_saves = max(int(np.ceil(t[-1] / save_dt)), 1)
    return KymographProblem(
        model=model,
        scan=LineScan() if scan is None else scan,
        t=jnp.asarray(t),
        x=jnp.asarray(x),
        data=jnp.asarray(data),
        free=tuple(params),
        t_end=n_saves * save_dt,
        dt=dt,
        save_dt=save_dt,
    )


def fit_kymograph(
    problem: KymographProblem,
    n_starts: int = 4,
    *,
    strategy: AbstractStrategy | None = None,
    sampling: str = "lhs",
    seed: int = 0,
    include_initial: bool = True,
    tol: float = 1e-3,
) -> FitResult:
    """Fit a [`fitting.KymographProblem`][] from `n_starts` seeded starts (with `include_initial`, the first is the
    problem's initial values) and summarise the best one with Gauss–Newton Laplace intervals (JᵀJ/σ̂² of the
    image residuals, as [`fitting.summarise`][]). The result's `prediction` and `residual` are images (lines ×
    pixels); `trajectory` the fitted simulation's fields (saves × fields × cells).

    **Example:** `result = fit_kymograph(define_kymograph_problem(cardiac_spark(), t, x, df, free=["flux"]), 4)`
    """
    strategy = KymographLeastSquares() if strategy is None else strategy
    starts = sample_starts(problem, n_starts, sampling=sampling, seed=seed, include_initial=include_initial)
    clock = time.perf_counter()
    out = _run_starts(problem, jnp.asarray(starts), strategy, local_devices(None))
    jax.block_until_ready(out)
    ms = _rank(out, starts, tol, strategy, time.perf_counter() - clock, "kymograph", problem.penalty)
    theta = jnp.asarray(ms.best_theta)
    pred, ok, trajectory, jac = _linearise(problem, theta)
    pred, jac = np.asarray(pred), np.asarray(jac)
    data = np.asarray(problem.data)
    residual = data - pred
    n, k = data.size, len(problem.free)
    rss = float(np.sum(residual**2))
    sigma = math.sqrt(rss / n)
    nll = 0.5 * n * (_LOG_2PI + math.log(rss / n) + 1.0)
    low = high = np.full(k, np.nan)
    cov = np.full((k, k), np.nan)
    if bool(ok) and not ms.all_failed:
        low, high, cov = laplace_intervals(problem.free, theta, jac.T @ jac / sigma**2)
    return FitResult(
        names=problem.names,
        units=tuple(p.unit for p in problem.free),
        estimates=np.asarray(problem.natural(theta)),
        theta=np.asarray(theta),
        ci_low=low,
        ci_high=high,
        ci_method="gauss-newton" if np.all(np.isfinite(cov)) else "none",
        covariance=cov,
        nll=nll,
        neg_log_posterior=nll,
        k=k + 1,  # and σ
        n_data=n,
        aic=2 * (k + 1) + 2 * nll,
        bic=(k + 1) * math.log(n) + 2 * nll,
        r2=1.0 - rss / float(np.sum((data - data.mean()) ** 2)),
        converged=bool(ms.converged[0]),
        solver_ok=bool(ok),
        prediction=pred,
        residual=residual,
        trajectory=np.asarray(trajectory),
        offset=0.0,
        scale=1.0,
        sigma=sigma,
        multistart=ms,
        derived={},
    )
