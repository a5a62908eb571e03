"""Period- and phase-aware starts: move each start to the nearby point whose simulated rhythm matches the data's."""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array

from ._objective import predict
from ._optimisers import AbstractOptimiser, LevenbergMarquardt, RunOutput
from ._problem import Problem


def rhythm(ts: Array, y: Array, weight: Array) -> tuple[Array, Array, Array]:
    """Phase-invariant read-outs of a trace, jit-friendly: the first upward crossing of the mid-range level (s),
    the mean period between upward crossings (s; infinite with fewer than two) and the number of crossings.
    Points of zero `weight` are ignored; a trace whose range is below 1% of its level has no crossings.

    **Example:** `t_first, period, count = rhythm(ts, ca, jnp.ones_like(ca))`
    """
    big = jnp.finfo(y.dtype).max
    lo = jnp.min(jnp.where(weight > 0, y, big))
    hi = jnp.max(jnp.where(weight > 0, y, -big))
    level = 0.5 * (lo + hi)
    valid = (weight[:-1] > 0) & (weight[1:] > 0) & ((hi - lo) > 0.01 * jnp.maximum(jnp.abs(hi), jnp.abs(lo)))
    up = valid & (y[:-1] < level) & (y[1:] >= level)
    step = jnp.where(up, y[1:] - y[:-1], 1.0)
    at = ts[:-1] + jnp.clip((level - y[:-1]) / step, 0.0, 1.0) * (ts[1:] - ts[:-1])
    count = jnp.sum(up)
    first = jnp.min(jnp.where(up, at, jnp.inf))
    last = jnp.max(jnp.where(up, at, -jnp.inf))
    period = jnp.where(count >= 2, (last - first) / jnp.maximum(count - 1, 1).astype(y.dtype), jnp.inf)
    return first, period, count


def rhythm_distance(problem: Problem, theta: Array) -> Array:
    """How far the simulated rhythm at `theta` is from the data's, in periods of the data: the phase error of the
    first crossing, the phase error accumulated by a period mismatch over the data's cycles, and the difference in
    cycle counts; infinite where the solve fails or the model does not oscillate (first condition only).

    **Example:** `rhythm_distance(problem, theta)`
    """
    values = problem.natural(theta)
    model, _ = problem.with_values(values)
    sol = problem.simulate(model, None, problem.initial(values))
    ok = jnp.all(sol.success) & jnp.all(jnp.isfinite(sol.ys))
    g = problem.shape_signal(model, jnp.where(jnp.isfinite(sol.ys), sol.ys, 0.0))[0]
    w = problem.mask[0]
    t1, period, count = rhythm(problem.ts, problem.data[0], w)
    s1, s_period, s_count = rhythm(problem.ts, g, w)
    cycles = jnp.maximum(count - 1, 1).astype(period.dtype)
    d = (
        ((s1 - t1) / period) ** 2
        + ((s_period - period) * cycles / period) ** 2
        + ((s_count - count) ** 2).astype(period.dtype)
    )
    return jnp.where(ok & jnp.isfinite(d), d, jnp.inf)


@dataclasses.dataclass(frozen=True)
class PeriodMatched(AbstractOptimiser):
    """Period- and phase-aware initialisation by a shrinking random search, then `inner` on the problem's NLL.

    Each round simulates `candidates` points around the current point (a seeded Latin hypercube in a box of
    half-width `radius` times the bounds' width, in the unconstrained coordinates, plus the point itself) in one
    batch. Among the candidates in phase with the data (rhythm distance below `phase_tol`, see
    [`fitting.rhythm_distance`][]) the one with the lowest NLL is kept; where none is in phase, the one with the
    closest rhythm. The radius shrinks by `shrink` after every round that finds an oscillating candidate.
    No gradients are used, so the search is blind to the loss's period and phase ripples. The
    trace fit (`inner`, default [`fitting.LevenbergMarquardt`][]) starts from the point kept after `rounds`.

    **Example:** `multistart(problem, 16, optimiser=PeriodMatched(candidates=64, rounds=6))`
    """

    candidates: int = 64
    rounds: int = 6
    radius: float = 0.5
    shrink: float = 0.6
    phase_tol: float = 0.05
    seed: int = 0
    inner: AbstractOptimiser = LevenbergMarquardt(max_steps=1000)
    name: str = "period-matched"

    def __post_init__(self):
        if self.candidates < 1 or self.rounds < 1 or not self.radius > 0 or not 0 < self.shrink <= 1:
            raise ValueError(
                f"need candidates >= 1, rounds >= 1, radius > 0 and 0 < shrink <= 1, got {self.candidates}, "
                f"{self.rounds}, {self.radius} and {self.shrink}"
            )

    def run(self, problem, theta0):
        width = np.array([_width(p) for p in problem.free])
        rng = np.random.default_rng(self.seed)
        n, d = self.candidates, len(problem.free)
        offsets = []
        for _ in range(self.rounds):
            u = (np.stack([rng.permutation(n) for _ in range(d)], axis=1) + rng.uniform(size=(n, d))) / n
            offsets.append(np.concatenate([np.zeros((1, d)), width * (2.0 * u - 1.0)]))
        offsets = jnp.asarray(np.stack(offsets), dtype=theta0.dtype)

        def score(th):
            p = predict(problem, th)
            distance = rhythm_distance(problem, th)
            nll = jnp.where(p.ok & jnp.isfinite(p.nll), p.nll, problem.penalty)
            return jnp.where(distance < self.phase_tol, nll, problem.penalty + jnp.minimum(distance, 1e300)), distance

        def round_(c, unit):
            centre, radius = c
            points = centre[None, :] + radius * unit
            scores, distances = jax.vmap(score)(points)
            i = jnp.argmin(scores)
            # shrink around a point that oscillates; keep searching as widely while none does
            radius = jnp.where(jnp.isfinite(distances[i]), radius * self.shrink, radius)
            return (points[i], radius), None

        radius0 = jnp.asarray(self.radius, dtype=theta0.dtype)
        (best, _), _ = jax.lax.scan(round_, (theta0, radius0), offsets)
        out = self.inner.run(problem, best)
        start_ok = predict(problem, theta0).ok
        return RunOutput(out.theta, out.value, out.iterations, out.converged, out.failures, ~start_ok)


def _width(p) -> float:
    """Width of a free parameter's bounds in its unconstrained coordinate (bounded transforms: their logit span)."""
    if p.transform.bounded:
        return 8.0
    return float(p.transform.to_space(p.upper) - p.transform.to_space(p.lower))
