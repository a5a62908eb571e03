"""Profile likelihoods: re-optimise the other parameters along a grid of each one, warm-started, all profiles
batched; likelihood-ratio intervals and flat (non-identifiable) directions."""

import dataclasses
from collections.abc import Callable, Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import ArrayLike

from cicrjax import InputError

from ._nan_on_error import nan_on_error
from ._objective import objective
from ._optimisers import LBFGS, AbstractOptimiser
from ._problem import Problem

THRESHOLD_95 = 1.920729410347062  # χ²₁(0.95)/2: ΔNLL at the ends of a 95% likelihood-ratio interval


@dataclasses.dataclass(frozen=True)
class Profile:
    """The profile of one parameter (`theta` unconstrained coordinates, `values` natural units): the grid ordered
    from low to high, the optimum among them, the profiled objective `nll` at each, and the likelihood-ratio
    interval [`ci_low`, `ci_high`] where ΔNLL crosses `threshold` (NaN on a side the grid never leaves:
    `open_low` / `open_high`). `flat` marks a direction the data do not determine (open on both sides)."""

    name: str
    theta: np.ndarray
    values: np.ndarray
    nll: np.ndarray
    estimate: float
    ci_low: float
    ci_high: float
    threshold: float
    open_low: bool
    open_high: bool
    converged: np.ndarray

    @property
    def flat(self) -> bool:
        return self.open_low and self.open_high


def _crossing(offsets: np.ndarray, delta: np.ndarray, threshold: float) -> float:
    """Where ΔNLL first reaches `threshold` along one side (offsets growing from 0), interpolated linearly in the
    signed root √(2ΔNLL), which is exactly linear in the parameter for a Gaussian likelihood; NaN if never."""
    root = np.sqrt(2 * np.maximum(delta, 0.0))
    target = np.sqrt(2 * threshold)
    above = np.flatnonzero(np.isfinite(root) & (root >= target))
    if above.size == 0:
        return float("nan")
    j = above[0]
    r0, x0 = (0.0, 0.0) if j == 0 else (root[j - 1], offsets[j - 1])
    return float(x0 + (target - r0) / (root[j] - r0) * (offsets[j] - x0))


@eqx.filter_jit
def _walk(fn: Callable, optimiser: AbstractOptimiser, theta_hat, index, offsets, penalty: float):
    """One side of one profile: at each offset fix θ[index] = θ̂[index] + offset and minimise over the others,
    starting from the previous point (a scan over the grid); with one parameter there is nothing else to
    re-optimise, and the profile is `fn` itself on the grid."""
    if theta_hat.shape[0] == 1:
        x = theta_hat[None, :] + offsets[:, None]
        return jax.vmap(fn)(x), jnp.ones(offsets.shape, dtype=bool), x
    mask = jnp.arange(theta_hat.shape[0]) == index

    def step(x, offset):
        fixed = theta_hat[index] + offset
        g = lambda y: fn(jnp.where(mask, fixed, y))
        out = optimiser.minimise(g, jnp.where(mask, fixed, x), penalty)
        x = jnp.where(mask, fixed, out.theta)
        return x, (out.value, out.converged, x)

    return jax.lax.scan(step, theta_hat, offsets)[1]


@eqx.filter_jit
def _walk_all(fn, optimiser, theta_hat, indices, offsets, penalty):
    """Every side of every profile at once: vmapped over (parameter, direction)."""
    return jax.vmap(lambda i, o: _walk(fn, optimiser, theta_hat, i, o, penalty))(indices, offsets)


def profile_function(
    fn: Callable,
    theta_hat: ArrayLike,
    steps: ArrayLike,
    *,
    indices: Sequence[int] | None = None,
    points: int = 10,
    threshold: float = THRESHOLD_95,
    optimiser: AbstractOptimiser | None = None,
    penalty: float = 1e10,
    names: Sequence[str] | None = None,
) -> dict[str, Profile]:
    """Profiles of a negative log-likelihood `fn(θ)` around its minimum `theta_hat`: for each index i, `points`
    grid values θ̂_i ± k·`steps[i]` on each side, the others re-optimised by `optimiser` (default L-BFGS), each
    warm-started from its neighbour nearer θ̂; all 2·len(indices) walks run vmapped in one compiled call.

    **Arguments:** `fn` a JAX function of the vector θ; `theta_hat` its minimiser; `steps` grid spacing per entry
    (e.g. 0.5·the Laplace standard error); `indices` which entries (default all); `points` per side; `threshold`
    ΔNLL of the interval (1.92: 95%); `penalty` a value at or above which `fn` failed; `names` for the result.

    **Returns:** a dict name → [`fitting.Profile`][] (natural = unconstrained values here).

    **Example:** `profile_function(lambda th: 0.5 * jnp.sum(th**2), jnp.zeros(2), [0.5, 0.5])["x0"].ci_high` ≈ 1.96
    """
    theta_hat = jnp.asarray(theta_hat, dtype=float)
    k = theta_hat.shape[0]
    steps = np.broadcast_to(np.asarray(steps, dtype=float), (k,))
    indices = tuple(range(k)) if indices is None else tuple(int(i) for i in indices)
    names = tuple(names) if names is not None else tuple(f"x{i}" for i in range(k))
    if points < 2:
        raise InputError(f"a profile needs at least 2 points per side, got {points}")
    if not all(0 <= i < k for i in indices):
        raise InputError(f"profile indices must lie in 0..{k - 1}, got {indices}")
    if not np.all(np.isfinite(steps[list(indices)]) & (steps[list(indices)] > 0)):
        raise InputError(f"profile steps must be finite and > 0, got {steps[list(indices)]}")
    optimiser = LBFGS(max_iter=100) if optimiser is None else optimiser
    walk_index, walk_offsets = walk_grid(steps, indices, points)
    walks = _walk_all(fn, optimiser, theta_hat, jnp.asarray(walk_index), jnp.asarray(walk_offsets), penalty)
    best = float(nan_on_error(fn)(theta_hat))
    return collect_profiles(walks, best, theta_hat, steps, indices, points, threshold, penalty, names)


def walk_grid(steps: np.ndarray, indices: Sequence[int], points: int) -> tuple[np.ndarray, np.ndarray]:
    """The walks of `_walk_all`: for each index, its low then its high side, as (index per walk, offsets per walk)."""
    grid = np.arange(1, points + 1, dtype=float)
    walk_offsets = np.stack([sign * grid * steps[i] for i in indices for sign in (-1.0, 1.0)])
    return np.repeat(indices, 2), walk_offsets


def collect_profiles(walks, best, theta_hat, steps, indices, points, threshold, penalty, names) -> dict[str, Profile]:
    """The [`Profile`][]s from the walks of `_walk_all` (values, converged, points) and the objective `best` at
    `theta_hat`: each side's ΔNLL and where it crosses `threshold`."""
    values, converged, thetas = (np.asarray(a) for a in walks)
    theta_hat = np.asarray(theta_hat)
    grid = np.arange(1, points + 1, dtype=float)
    values = np.where(values < penalty, values, np.nan)
    out = {}
    for j, i in enumerate(indices):
        low, high = 2 * j, 2 * j + 1
        minimum = min(best, np.nanmin(np.r_[values[low], values[high], best]))
        d_low, d_high = values[low] - minimum, values[high] - minimum
        lo = _crossing(grid * steps[i], d_low, threshold)
        hi = _crossing(grid * steps[i], d_high, threshold)
        theta_i = float(theta_hat[i])
        out[names[i]] = Profile(
            name=names[i],
            theta=np.r_[theta_i - grid[::-1] * steps[i], theta_i, theta_i + grid * steps[i]],
            values=np.r_[thetas[low][::-1, i], theta_i, thetas[high][:, i]],
            nll=np.r_[values[low][::-1], best, values[high]],
            estimate=theta_i,
            ci_low=theta_i - lo,
            ci_high=theta_i + hi,
            threshold=threshold,
            open_low=not np.isfinite(lo),
            open_high=not np.isfinite(hi),
            converged=np.r_[converged[low][::-1], True, converged[high]],
        )
    return out


def profile_likelihood(
    problem: Problem,
    theta: ArrayLike,
    covariance: ArrayLike | None = None,
    *,
    names: Sequence[str] | None = None,
    points: int = 8,
    extent: float = 4.0,
    threshold: float = THRESHOLD_95,
    optimiser: AbstractOptimiser | None = None,
) -> dict[str, Profile]:
    """Profile likelihoods of a fitted problem's free parameters (NLL − log prior, offset/scale/σ profiled as in the
    fit) around its optimum `theta` (unconstrained, e.g. `FitResult.theta`): the grid reaches `extent` Laplace
    standard errors of `covariance` each way (0.5 in the unconstrained coordinate where that is missing), the
    other parameters re-optimised by L-BFGS, warm-started, all profiles batched in one compiled call.

    The 95% likelihood-ratio interval lies where the profile rises by 1.92 (χ²₁(0.95)/2); a side the grid never
    leaves is open (NaN), and a parameter open on both sides is flat: the data do not determine it.

    **Arguments:** `problem`; `theta`; `covariance` of θ (`FitResult.covariance`); `names` which free parameters
    (default all); `points` per side; `extent`; `threshold`; `optimiser` (default `LBFGS(max_iter=100)`).

    **Returns:** a dict name → [`fitting.Profile`][] in natural units (`theta` keeps the unconstrained grid).

    **Example:** `fitting.profile_likelihood(problem, result.theta, result.covariance)["v3"].ci_low`
    """
    theta = np.asarray(theta, dtype=float)
    names = tuple(problem.names) if names is None else tuple(names)
    for name in names:
        if name not in problem.names:
            raise InputError(f"unknown free parameter {name!r}; the free parameters are {', '.join(problem.names)}")
    indices = [problem.names.index(n) for n in names]
    se = np.full(theta.shape, np.nan)
    if covariance is not None:
        diag = np.diag(np.asarray(covariance, dtype=float))
        se = np.sqrt(np.where(diag > 0, diag, np.nan))
    steps = np.where(np.isfinite(se), extent * se / points, 0.5 * extent / points)
    fn = _Objective(problem)
    raw = profile_function(
        fn,
        theta,
        steps,
        indices=indices,
        points=points,
        threshold=threshold,
        optimiser=optimiser,
        penalty=problem.penalty,
        names=problem.names,
    )
    out = {}
    for name, i in zip(names, indices, strict=True):
        p = raw[name]
        q = problem.free[i]
        natural = lambda u, q=q: float(q.transform.inverse(u, q.lower, q.upper)) if np.isfinite(u) else float("nan")
        low, high = natural(p.ci_low), natural(p.ci_high)
        out[name] = dataclasses.replace(
            p,
            values=np.array([natural(u) for u in p.values]),
            estimate=natural(p.estimate),
            ci_low=min(low, high) if np.isfinite(low) and np.isfinite(high) else low,
            ci_high=max(low, high) if np.isfinite(low) and np.isfinite(high) else high,
        )
    return out


class _Objective(eqx.Module):
    """The problem's penalised objective as a Module (one compilation per problem structure)."""

    problem: Problem

    def __call__(self, theta):
        return objective(self.problem, theta)
