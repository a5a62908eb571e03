"""A curriculum over the time horizon: fit the first part of a trace, then warm-start on longer and longer parts."""

import dataclasses

import equinox as eqx
import jax
import jax.numpy as jnp

from cicrjax import InputError

from .._objective import predict
from .._optimisers import LBFGS, AbstractOptimiser
from .._problem import Problem
from .base import AbstractStrategy


def truncated(problem: Problem, horizon) -> Problem:
    """`problem` seen only up to time `horizon` (s): later data are masked out and their save times clipped to
    `horizon`, so the solver stops there (one compiled shape for every horizon)."""
    keep = (problem.ts <= horizon).astype(problem.mask.dtype)
    return eqx.tree_at(
        lambda q: (q.ts, q.mask), problem, (jnp.minimum(problem.ts, horizon), problem.mask * keep[None, :])
    )


class HorizonCurriculum(AbstractStrategy):
    """Fit the data up to growing fractions of the time span, each stage warm-started from the last.

    A short horizon holds one or two cycles of an oscillation, where the loss has a single basin in period and
    phase; each longer stage starts close enough that the phase error stays below half a period. The last fraction
    must be 1 (the whole problem), so the result is an optimum of the problem's own NLL.

    **Arguments:** `fractions` of the time span (increasing, ending at 1); `optimiser` the optimiser of every
    stage (default [`fitting.LBFGS`][]).

    **Example:** `multistart(problem, 16, strategy=HorizonCurriculum(fractions=(0.125, 0.25, 0.5, 1.0)))`
    """

    fractions: tuple[float, ...] = eqx.field(
        default=(0.1, 0.2, 0.35, 0.6, 1.0), converter=lambda f: tuple(map(float, f))
    )
    optimiser: AbstractOptimiser = LBFGS(max_iter=100)
    name = "curriculum"

    def __check_init__(self):
        f = self.fractions
        if not f or f[-1] != 1.0 or any(b <= a for a, b in zip(f, f[1:], strict=False)) or f[0] <= 0:
            raise InputError(f"fractions must increase within (0, 1] and end at 1, got {self.fractions}")

    def check(self, problem):
        self.optimiser.check(problem)

    def run(self, problem: Problem, theta0):
        t_start = problem.ts[0] if problem.t0 is None else problem.t0
        horizons = t_start + (problem.ts[-1] - t_start) * jnp.asarray(self.fractions[:-1])

        def stage(c, horizon):
            theta, iterations, failures = c
            out = self.optimiser.run(truncated(problem, horizon), theta)
            good = jnp.isfinite(out.value) & (out.value < problem.penalty)
            theta = jnp.where(good, out.theta, theta)
            return (theta, iterations + out.iterations.astype(jnp.int32), failures + out.failures), None

        zero = jnp.zeros((), jnp.int32)
        init = (theta0, zero, zero)
        (theta, iterations, failures), _ = jax.lax.scan(stage, init, horizons)
        out = self.optimiser.run(problem, theta)
        start_ok = predict(problem, theta0).ok
        iterations = out.iterations.astype(jnp.int32) + iterations
        return dataclasses.replace(out, iterations=iterations, failures=out.failures + failures, start_failed=~start_ok)
