"""Multistart: every start optimised in one vmapped, compiled call, then ranked."""

import dataclasses
import time

import jax.numpy as jnp
import numpy as np

from ._optimisers import LBFGS, AbstractOptimiser, run_starts
from ._problem import Problem
from ._starts import sample_starts


@dataclasses.dataclass(frozen=True)
class Multistart:
    """Ranked multistart runs (numpy arrays; row i is the i-th best start).

    `n_at_best` counts the starts whose final NLL is within `tol` of the best (absolute `tol`, NLL units).
    """

    starts: np.ndarray
    thetas: np.ndarray
    values: np.ndarray
    converged: np.ndarray
    iterations: np.ndarray
    failures: np.ndarray
    start_failed: np.ndarray
    order: np.ndarray
    n_at_best: int
    tol: float
    optimiser: str
    wall_time_s: float

    @property
    def best_theta(self) -> np.ndarray:
        return self.thetas[0]

    @property
    def best_value(self) -> float:
        return float(self.values[0])

    def table(self, problem: Problem) -> list[dict]:
        """One row per start (best first): start index, NLL, converged, iterations, failures, estimates."""
        natural = np.asarray(problem.natural(jnp.asarray(self.thetas)))
        rows = []
        for i in range(len(self.values)):
            row = {
                "rank": i,
                "start": int(self.order[i]),
                "nll": float(self.values[i]),
                "at_best": bool(abs(self.values[i] - self.values[0]) <= self.tol),
                "converged": bool(self.converged[i]),
                "iterations": int(self.iterations[i]),
                "solver_failures": int(self.failures[i]),
                "start_failed": bool(self.start_failed[i]),
            }
            row.update({n: float(v) for n, v in zip(problem.names, natural[i], strict=True)})
            rows.append(row)
        return rows


def multistart(
    problem: Problem,
    n_starts: int = 16,
    *,
    optimiser: AbstractOptimiser | None = None,
    sampling: str = "lhs",
    seed: int = 0,
    include_initial: bool = False,
    starts: np.ndarray | None = None,
    tol: float = 1e-3,
) -> Multistart:
    """Optimise from `n_starts` seeded Latin-hypercube (or Sobol) starts within the bounds, all at once, and rank.

    **Arguments:** `optimiser` default [`fitting.LBFGS`][]; `starts` explicit unconstrained starts (rows) instead of
    sampling; `include_initial` makes the problem's initial values the first start; `tol` the NLL tolerance of
    "reached the best optimum".

    **Example:** `ms = multistart(problem, 16, seed=0); ms.n_at_best`
    """
    optimiser = LBFGS() if optimiser is None else optimiser
    if starts is None:
        starts = sample_starts(problem, n_starts, sampling=sampling, seed=seed, include_initial=include_initial)
    starts = np.asarray(starts, dtype=float)
    if starts.ndim != 2 or starts.shape[1] != len(problem.free):
        raise ValueError(f"starts must have shape (n, {len(problem.free)}), got {starts.shape}")
    t = time.perf_counter()
    out = run_starts(problem, jnp.asarray(starts), optimiser)
    values = np.asarray(out.value)
    wall = time.perf_counter() - t
    values = np.where(np.isfinite(values), values, np.inf)
    order = np.argsort(values, kind="stable")
    best = values[order[0]]
    n_at_best = int(np.sum(np.abs(values - best) <= tol))
    return Multistart(
        starts=starts[order],
        thetas=np.asarray(out.theta)[order],
        values=values[order],
        converged=np.asarray(out.converged)[order],
        iterations=np.asarray(out.iterations)[order],
        failures=np.asarray(out.failures)[order],
        start_failed=np.asarray(out.start_failed)[order],
        order=order,
        n_at_best=n_at_best,
        tol=tol,
        optimiser=optimiser.name,
        wall_time_s=wall,
    )
