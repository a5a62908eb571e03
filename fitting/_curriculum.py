"""A curriculum over the time horizon: fit the first part of a trace, then warm-start on longer and longer parts."""

import dataclasses

import equinox as eqx
import jax
import jax.numpy as jnp

from ._objective import predict
from ._optimisers import LBFGS, AbstractOptimiser, RunOutput
from ._problem import Problem


def truncated(problem: Problem, horizon) -> Problem:
    """`problem` seen only up to time `horizon` (s): later data are masked out and their save times clipped to
    `horizon`, so the solver stops there (one compiled shape for every horizon)."""
    keep = (problem.ts <= horizon).astype(problem.mask.dtype)
    return eqx.tree_at(
        lambda q: (q.ts, q.mask), problem, (jnp.minimum(problem.ts, horizon), problem.mask * keep[None, :])
    )


@dataclasses.dataclass(frozen=True)
class HorizonCurriculum(AbstractOptimiser):
    """Fit the data up to growing fractions of the time span, each stage warm-started from the last.

    A short horizon holds one or two cycles of an oscillation, where the loss has a single basin in period and
    phase; each longer stage starts close enough that the phase error stays below half a period. The last fraction
    must be 1 (the whole problem), so the result is an optimum of the problem's own NLL.

    **Arguments:** `fractions` of the time span (increasing, ending at 1); `inner` the optimiser of every stage
    (default [`fitting.LBFGS`][]).

    **Example:** `multistart(problem, 16, optimiser=HorizonCurriculum(fractions=(0.125, 0.25, 0.5, 1.0)))`
    """

    fractions: tuple[float, ...] = (0.1, 0.2, 0.35, 0.6, 1.0)
    inner: AbstractOptimiser = LBFGS(max_iter=100)
    name: str = "curriculum"

    def __post_init__(self):
        f = tuple(float(x) for x in self.fractions)
        if not f or f[-1] != 1.0 or any(b <= a for a, b in zip(f, f[1:], strict=False)) or f[0] <= 0:
            raise ValueError(f"fractions must increase within (0, 1] and end at 1, got {self.fractions}")
        object.__setattr__(self, "fractions", f)

    def run(self, problem: Problem, theta0):
        t_start = problem.ts[0] if problem.t0 is None else problem.t0
        horizons = t_start + (problem.ts[-1] - t_start) * jnp.asarray(self.fractions[:-1])

        def stage(c, horizon):
            theta, iterations, failures = c
            out = self.inner.run(truncated(problem, horizon), theta)
            good = jnp.isfinite(out.value) & (out.value < problem.penalty)
            theta = jnp.where(good, out.theta, theta)
            return (theta, iterations + out.iterations.astype(jnp.int32), failures + out.failures), None

        zero = jnp.zeros((), jnp.int32)
        init = (theta0, zero, zero)
        (theta, iterations, failures), _ = jax.lax.scan(stage, init, horizons)
        out = self.inner.run(problem, theta)
        start_ok = predict(problem, theta0).ok
        iterations = out.iterations.astype(jnp.int32) + iterations
        return RunOutput(out.theta, out.value, iterations, out.converged, out.failures + failures, ~start_ok)
