"""Multistart points: Latin-hypercube or Sobol samples within the bounds, seeded and reproducible."""

import numpy as np
from jaxtyping import Array

from cicrjax import InputError

from ._problem import Problem

SAMPLINGS = ("lhs", "sobol")


def _unit_samples(n: int, d: int, sampling: str, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if sampling == "lhs":
        u = (np.stack([rng.permutation(n) for _ in range(d)], axis=1) + rng.uniform(size=(n, d))) / n
        return u
    if sampling == "sobol":
        from scipy.stats import qmc  # scipy is a runtime dependency (jax's too)

        m = int(np.ceil(np.log2(max(n, 1))))
        return qmc.Sobol(d, scramble=True, seed=seed).random_base2(m)[:n]
    raise InputError(f"sampling must be one of {SAMPLINGS}, got {sampling!r}")


def sample_starts(
    problem: Problem, n: int, *, sampling: str = "lhs", seed: int = 0, include_initial: bool = False
) -> Array:
    """`n` starting points (unconstrained, shape (n, free)) spread over the bounds in each transform's space
    (log-uniform for log transforms); with `include_initial` the first is the problem's initial values.

    **Example:** `sample_starts(problem, 16, sampling="sobol", seed=1)`
    """
    if n < 1:
        raise InputError(f"the number of starts must be at least 1, got {n}")
    d = len(problem.free)
    u = _unit_samples(n, d, sampling, seed)
    natural = np.empty((n, d))
    for j, p in enumerate(problem.free):
        lo, hi = p.transform.to_space(p.lower), p.transform.to_space(p.upper)
        natural[:, j] = p.transform.from_space(lo + (hi - lo) * u[:, j])
    if include_initial:
        natural[0] = problem.initial_values()
    return np.stack([np.asarray(problem.to_theta(row)) for row in natural])
