"""Optimisers over the unconstrained free vector: optax L-BFGS, optax Adam with a schedule, optimistix
Levenberg–Marquardt. Each runs one start; `run_starts` vmaps them all in one compiled call."""

import abc
import dataclasses

import equinox as eqx
import jax
import jax.numpy as jnp
import optax
import optimistix as optx
from jaxtyping import Array

from ._nan_on_error import nan_on_error
from ._objective import objective, residuals, value_and_grad
from ._problem import Problem
from ._progress import report


class RunOutput(eqx.Module):
    """One optimiser run: final vector and value, iterations, convergence, and solver-failure counts."""

    theta: Array
    value: Array
    iterations: Array
    converged: Array
    failures: Array
    start_failed: Array


class AbstractOptimiser(abc.ABC):
    """An optimiser configuration (a frozen dataclass, so it is static under jit)."""

    name: str

    @abc.abstractmethod
    def run(self, problem: Problem, theta0: Array) -> RunOutput:
        """Minimise the problem's penalised NLL from `theta0`."""


@dataclasses.dataclass(frozen=True)
class LBFGS(AbstractOptimiser):
    """`optax.lbfgs` with its zoom line search. Converged when the largest gradient entry (unconstrained
    coordinates) is below `gtol` or an iteration lowers the NLL by less than `ftol`·max(1, |NLL|). With `progress`,
    every iteration of every start reports to the host (a progress bar; costly on a GPU with many starts).

    **Example:** `fit(problem, optimiser=LBFGS(max_iter=300))`
    """

    max_iter: int = 200
    gtol: float = 1e-5
    ftol: float = 1e-12
    memory: int = 10
    progress: bool = False
    name: str = "lbfgs"

    def run(self, problem, theta0):
        opt = optax.lbfgs(memory_size=self.memory)
        f = lambda th: objective(problem, th)
        value0, grad0, ok0 = value_and_grad(problem, theta0)

        def cond(c):
            return (c[4] < self.max_iter) & ~c[5]

        def body(c):
            theta, state, value, grad, it, done, fails, _conv = c
            if self.progress:
                report(it, done)
            with jax.numpy_dtype_promotion("standard"):  # optax's L-BFGS mixes int32 and int64 counters under x64
                updates, state = opt.update(grad, state, theta, value=value, grad=grad, value_fn=f)
            new = optax.apply_updates(theta, updates)
            new_value = optax.tree.get(state, "value")
            new_grad = optax.tree.get(state, "grad")
            failed = ~jnp.isfinite(new_value) | (new_value >= problem.penalty)
            new_grad = jnp.where(jnp.isfinite(new_grad) & ~failed, new_grad, 0.0)
            small_grad = jnp.max(jnp.abs(new_grad)) < self.gtol
            stalled = (value - new_value) <= self.ftol * jnp.maximum(1.0, jnp.abs(new_value))
            converged = (small_grad | stalled) & ~failed
            done = converged | (failed & (value >= problem.penalty))
            return new, state, new_value, new_grad, it + 1, done, fails + failed.astype(jnp.int32), converged

        init = (theta0, opt.init(theta0), value0, grad0, jnp.array(0), ~ok0, (~ok0).astype(jnp.int32), jnp.array(False))
        theta, _, value, grad, it, _, fails, converged = jax.lax.while_loop(cond, body, init)
        return RunOutput(theta, value, it, converged & (value < problem.penalty), fails, ~ok0)


@dataclasses.dataclass(frozen=True)
class Adam(AbstractOptimiser):
    """`optax.adam` for `steps` steps under a warm-up + cosine-decay schedule peaking at `learning_rate`; returns
    the best point visited. Converged when the last `patience` steps improved the best NLL by < `ftol`.

    **Example:** `fit(problem, optimiser=Adam(steps=500, learning_rate=0.05))`
    """

    steps: int = 500
    learning_rate: float = 0.05
    warmup: int = 20
    ftol: float = 1e-6
    patience: int = 50
    progress: bool = False
    name: str = "adam"

    def run(self, problem, theta0):
        schedule = optax.warmup_cosine_decay_schedule(
            0.0, self.learning_rate, min(self.warmup, self.steps - 1), self.steps, self.learning_rate * 1e-3
        )
        opt = optax.adam(schedule)

        def step(c, i):
            theta, state, best_theta, best, fails, best_at = c
            if self.progress:
                report(i, jnp.array(False))
            value, grad, ok = value_and_grad(problem, theta)
            better = ok & (value < best - self.ftol)
            best_at = jnp.where(better, i, best_at)
            improved = ok & (value < best)
            best_theta = jnp.where(improved, theta, best_theta)
            best = jnp.where(improved, value, best)
            with jax.numpy_dtype_promotion("standard"):  # optax's bias correction mixes int32 counts and floats
                updates, state = opt.update(grad, state, theta)
            return (
                optax.apply_updates(theta, updates),
                state,
                best_theta,
                best,
                fails + (~ok).astype(jnp.int32),
                best_at,
            ), None

        value0, _, ok0 = value_and_grad(problem, theta0)
        init = (theta0, opt.init(theta0), theta0, value0, jnp.array(0, jnp.int32), jnp.array(0))
        (_, _, theta, value, fails, best_at), _ = jax.lax.scan(step, init, jnp.arange(self.steps))
        converged = (self.steps - best_at >= self.patience) & (value < problem.penalty)
        return RunOutput(theta, value, jnp.array(self.steps), converged, fails, ~ok0)


def check_least_squares(problem: Problem, what: str) -> None:
    """Raise `ValueError` unless `problem`'s NLL is a least-squares problem that `what` can minimise."""
    if problem.has_priors:
        raise ValueError(f"{what} fits least squares and ignores priors; use LBFGS with priors")
    if problem.noise is not None or ("sigma" not in problem.profile and "sigma" in [p.name for p in problem.free]):
        raise ValueError(f"{what} needs Gaussian noise with σ profiled or fixed; use LBFGS")
    if "sigma" in problem.row_profile:
        raise ValueError(f"{what} fits one σ; with σ profiled per condition use LBFGS")


@dataclasses.dataclass(frozen=True)
class LevenbergMarquardt(AbstractOptimiser):
    """`optimistix.LevenbergMarquardt` on the weighted residuals (Gaussian noise; σ profiled or fixed). Converged
    when optimistix reports success (its rtol/atol criterion on the parameters and the residual norm).

    **Example:** `fit(problem, optimiser=LevenbergMarquardt())`
    """

    max_steps: int = 200
    rtol: float = 1e-8
    atol: float = 1e-8
    name: str = "lm"

    def run(self, problem, theta0):
        check_least_squares(problem, "Levenberg–Marquardt")
        _, _, ok0 = value_and_grad(problem, theta0)
        sol = optx.least_squares(
            lambda th, _: residuals(problem, th),
            optx.LevenbergMarquardt(rtol=self.rtol, atol=self.atol),
            theta0,
            max_steps=self.max_steps,
            throw=False,
        )
        value = objective(problem, sol.value)
        converged = (sol.result == optx.RESULTS.successful) & (value < problem.penalty)
        fails = (value >= problem.penalty).astype(jnp.int32) + (~ok0).astype(jnp.int32)
        return RunOutput(sol.value, value, sol.stats["num_steps"], converged, fails, ~ok0)


@eqx.filter_jit
@nan_on_error
def run_starts(problem: Problem, thetas: Array, optimiser: AbstractOptimiser) -> RunOutput:
    """Run `optimiser` from every row of `thetas` (starts × free), vmapped in one compiled call."""
    return jax.vmap(lambda th: optimiser.run(problem, th))(thetas)
