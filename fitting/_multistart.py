"""Multistart: every start optimised in one vmapped, compiled call, then ranked."""

import dataclasses
import time

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from cicrjax import InputError, local_devices, map_sharded
from cicrjax._executable_cache import cached_jit

from ._nan_on_error import nan_on_error
from ._optimisers import AbstractOptimiser, RunOutput
from ._problem import Problem
from ._starts import sample_starts
from ._strategies import AbstractStrategy, choose_strategy


@dataclasses.dataclass(frozen=True)
class Multistart:
    """Ranked multistart runs (numpy arrays; row i is the i-th best start).

    `n_at_best` counts the starts whose final NLL is within `tol` of the best (absolute `tol`, NLL units);
    `strategy` and `optimiser` name what ran, `strategy_reason` why that strategy (e.g. chosen by `"auto"`).
    """

    starts: np.ndarray
    thetas: np.ndarray
    values: np.ndarray
    converged: np.ndarray
    iterations: np.ndarray
    failures: np.ndarray
    start_failed: np.ndarray
    failed: np.ndarray  # the run ended where the solver fails (its value reached the problem's penalty) or not finite
    order: np.ndarray
    n_at_best: int
    tol: float
    optimiser: str
    strategy: str
    wall_time_s: float
    strategy_reason: str = ""
    jacobians: np.ndarray | None = None  # of the residuals at each row's `thetas`, where the optimiser had them

    @property
    def all_failed(self) -> bool:
        """Whether every start ended where the solver fails: then there is no fit to report."""
        return bool(np.all(self.failed))

    @property
    def best_theta(self) -> np.ndarray:
        return self.thetas[0]

    @property
    def best_value(self) -> float:
        return float(self.values[0])

    def table(self, problem: Problem) -> list[dict]:
        """One row per start (best first): start index, NLL, converged, iterations, failures, estimates, and the
        start point (`from`)."""
        natural = np.asarray(problem.natural(jnp.asarray(self.thetas)))
        initial = np.asarray(problem.natural(jnp.asarray(self.starts)))
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
                "failed": bool(self.failed[i]),
            }
            row.update({n: float(v) for n, v in zip(problem.names, natural[i], strict=True)})
            row["from"] = {n: float(v) for n, v in zip(problem.names, initial[i], strict=True)}
            rows.append(row)
        return rows


@cached_jit
@nan_on_error
def run_starts(problem: Problem, thetas: jax.Array, strategy: AbstractStrategy, devices=None) -> RunOutput:
    """Run `strategy` from every row of `thetas` (starts × free) in one compiled call, split evenly over `devices`
    (default all local ones; see [`cicrjax.map_sharded`][]): vmapped on an accelerator; on a CPU one start after
    another (`jax.lax.map`), where a vmapped batch would run every start in lockstep until the slowest is done
    (`XLA_FLAGS=--xla_force_host_platform_device_count=N` makes each of N cores a device)."""
    return map_sharded(lambda th: strategy.run(problem, th), thetas, _start_devices(problem, devices))


def _start_devices(problem: Problem, devices):
    """The devices that share the starts: `devices` (default all local ones), or the first of them for a population
    (its cells share the devices) and in reverse mode (whose gradients cannot be taken inside `map_sharded`'s
    `shard_map`: see cicrjax/_sharding.py)."""
    devices = tuple(jax.local_devices() if devices is None else devices)
    return devices[:1] if problem.devices or problem.mode == "reverse" else devices


def multistart(
    problem: Problem,
    n_starts: int = 16,
    *,
    strategy: AbstractStrategy | str | None = None,
    optimiser: AbstractOptimiser | None = None,
    sampling: str = "lhs",
    seed: int = 0,
    include_initial: bool = False,
    starts: np.ndarray | None = None,
    tol: float = 1e-3,
    devices: int | None = None,
) -> Multistart:
    """Optimise from `n_starts` seeded Latin-hypercube (or Sobol) starts within the bounds, all at once, and rank.

    **Arguments:** `strategy` a strategy, its name, `"auto"` (see [`fitting.choose_strategy`][]) or `None` (single
    shooting); `optimiser` the strategy's optimiser (default
    the strategy's own: L-BFGS for single shooting); `starts` explicit unconstrained starts (rows) instead of
    sampling; `include_initial` makes the problem's initial values the first start; `tol` the NLL tolerance of
    "reached the best optimum"; `devices` how many local devices share the starts (default all).

    **Example:** `ms = multistart(problem, 16, seed=0); ms.n_at_best`
    """
    check_fittable(problem)
    strategy, reason = choose_strategy(problem, strategy, optimiser)
    strategy.check(problem)
    if starts is None:
        starts = sample_starts(problem, n_starts, sampling=sampling, seed=seed, include_initial=include_initial)
    starts = np.asarray(starts, dtype=float)
    if starts.ndim != 2 or starts.shape[1] != len(problem.free):
        raise InputError(f"starts must have shape (n, {len(problem.free)}), got {starts.shape}")
    devices = local_devices(devices)
    t = time.perf_counter()
    out = run_starts(problem, jnp.asarray(starts), strategy, devices)
    jax.block_until_ready(out)
    return _rank(out, starts, tol, strategy, time.perf_counter() - t, reason, problem.penalty)


def check_fittable(problem: Problem) -> None:
    """Raise `InputError` for data no fit can explain by its parameters: a constant trace whose scale and σ are
    profiled (a zero scale fits it exactly, σ → 0 and the NLL → −∞).

    **Example:** `check_fittable(problem)` before creating any output.
    """
    if not ("sigma" in problem.profile and "scale" in problem.profile):
        return
    data, counted = np.asarray(problem.data), np.asarray(problem.mask) > 0
    for i in range(data.shape[0]):
        row = data[i][counted[i]]
        if row.size > 1 and np.ptp(row) == 0:
            raise InputError(
                f"trace {i} is constant ({row[0]:g}), which a zero scale fits exactly (σ → 0, NLL −∞); fit a trace "
                "that changes, or drop it"
            )


def _rank(
    out: RunOutput, starts: np.ndarray, tol: float, strategy: AbstractStrategy, wall: float, reason: str, penalty: float
) -> Multistart:
    values = np.asarray(out.value)
    values = np.where(np.isfinite(values), values, np.inf)
    failed = ~(values < penalty)
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
        failed=failed[order],
        order=order,
        n_at_best=n_at_best,
        tol=tol,
        optimiser=strategy.optimiser.name,
        strategy=strategy.name,
        wall_time_s=wall,
        strategy_reason=reason,
        jacobians=None if out.jacobian is None else np.asarray(out.jacobian)[order],
    )


@eqx.filter_jit
@nan_on_error
def run_cells(
    problem: Problem, data: jax.Array, thetas: jax.Array, strategy: AbstractStrategy, devices=None
) -> RunOutput:
    """Fit every cell (leading axis of `data`, each shaped like `problem.data`) from its own starts
    (`thetas`: cells × starts × free) in one compiled call, each (cell, start) pair as a start of
    [`fitting.run_starts`][], the pairs split over `devices` (default all local ones)."""
    cells, starts = thetas.shape[:2]

    def one(x):
        d, th = x
        return strategy.run(eqx.tree_at(lambda q: q.data, problem, d), th)

    pairs = (jnp.repeat(data, starts, axis=0), thetas.reshape(cells * starts, -1))
    out = map_sharded(one, pairs, _start_devices(problem, devices))
    return jax.tree.map(lambda x: x.reshape(cells, starts, *x.shape[1:]), out)


def multistart_cells(
    problem: Problem,
    data: np.ndarray,
    n_starts: int = 4,
    *,
    strategy: AbstractStrategy | None = None,
    optimiser: AbstractOptimiser | None = None,
    sampling: str = "lhs",
    seed: int = 0,
    tol: float = 1e-3,
    devices: int | None = None,
) -> list[Multistart]:
    """Fit many cells at once with per-cell parameters: `data` has shape (cells, *problem.data.shape)` (same time
    grid and mask); every cell gets the same seeded starts, and the (cell, start) pairs are split over `devices`
    local devices (default all). Returns one ranked [`fitting.Multistart`][] per cell, equal to fitting each cell
    alone.

    **Example:** `[ms.best_value for ms in multistart_cells(problem, traces[:, None, :], 4)]`
    """
    strategy, reason = choose_strategy(problem, strategy, optimiser)
    strategy.check(problem)
    data = np.asarray(data, dtype=float)
    if data.shape[1:] != tuple(problem.data.shape):
        raise InputError(f"data must have shape (cells, {', '.join(map(str, problem.data.shape))}), got {data.shape}")
    starts = sample_starts(problem, n_starts, sampling=sampling, seed=seed)
    thetas = jnp.broadcast_to(jnp.asarray(starts), (data.shape[0], *starts.shape))
    devices = local_devices(devices)
    t = time.perf_counter()
    out = run_cells(problem, jnp.asarray(data), thetas, strategy, devices)
    jax.block_until_ready(out)
    wall = time.perf_counter() - t
    return [
        _rank(jax.tree.map(lambda x, i=i: x[i], out), starts, tol, strategy, wall, reason, problem.penalty)
        for i in range(len(data))
    ]
