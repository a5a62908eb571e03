"""Optimisers over an unconstrained vector: L-BFGS (optax, zoom line search), Adam (optax, with a schedule) and
Levenberg–Marquardt (Nielsen's damping). Each is an `init`/`step`/`terminate` triple run by one shared loop."""

import abc

import equinox as eqx
import jax
import jax.numpy as jnp
import optax
from jaxtyping import Array, PyTree

from cicrjax import InputError

from ._objective import least_squares_nll, objective, residuals
from ._problem import Problem
from ._progress import report

KEPT_JACOBIAN = 100_000  # entries (residuals × free) of the largest Jacobian a run returns (0.8 MB in float64)


class RunOutput(eqx.Module):
    """One optimiser run: final vector and value, iterations, convergence, and solver-failure counts (int32); and
    the Jacobian of the problem's residuals at `theta` where the run has it (Levenberg–Marquardt on the problem's
    own residuals, up to `KEPT_JACOBIAN` entries), so that the Gauss–Newton intervals need no program of their own,
    else `None`."""

    theta: Array
    value: Array
    iterations: Array
    converged: Array
    failures: Array
    start_failed: Array
    jacobian: Array | None = None


class State(eqx.Module):
    """The state every optimiser carries: the point, its value, int32 counters, whether it is done or converged,
    and the optimiser's own part (`inner`)."""

    x: Array
    value: Array
    iterations: Array
    failures: Array
    done: Array
    converged: Array
    start_failed: Array
    inner: PyTree


def _first_state(x0: Array, value: Array, penalty: float, inner: PyTree) -> State:
    """The state at `x0` before any step; a start whose value is not finite or reaches `penalty` is done."""
    ok = jnp.isfinite(value) & (value < penalty)
    zero = jnp.zeros((), jnp.int32)
    return State(x0, value, zero, (~ok).astype(jnp.int32), ~ok, jnp.array(False), ~ok, inner)


class AbstractOptimiser(eqx.Module):
    """An optimiser: `init` makes the first [`fitting.State`][] from a function and a start, `step` makes the next
    one and `terminate` says when to stop; `minimise` runs them in one compiled loop (jit- and vmap-friendly).

    L-BFGS and Adam minimise a scalar `fn(x)`; Levenberg–Marquardt minimises ½‖fn(x)‖² of residuals `fn(x)`.
    """

    name: eqx.AbstractClassVar[str]

    @abc.abstractmethod
    def init(self, fn, x0: Array, penalty: float) -> State:
        """The state at `x0`; a value at or above `penalty` (or not finite) counts as a solver failure."""

    @abc.abstractmethod
    def step(self, fn, state: State, penalty: float) -> State:
        """One iteration."""

    @abc.abstractmethod
    def terminate(self, state: State) -> Array:
        """Whether to stop (converged, failed, or out of iterations)."""

    def minimise(self, fn, x0: Array, penalty: float) -> RunOutput:
        """Minimise `fn` from `x0`: `init`, then `step` until `terminate`.

        **Example:** `LBFGS(max_iter=100).minimise(lambda x: jnp.sum((x - 1.0) ** 2), jnp.zeros(3), 1e10)`
        """
        state = self.iterate(fn, x0, penalty)
        converged = state.converged & (state.value < penalty)
        return RunOutput(state.x, state.value, state.iterations, converged, state.failures, state.start_failed)

    def iterate(self, fn, x0: Array, penalty: float) -> State:
        """The last [`fitting.State`][] of `minimise`'s loop."""
        state = self.init(fn, x0, penalty)
        return jax.lax.while_loop(lambda s: ~self.terminate(s), lambda s: self.step(fn, s, penalty), state)

    @abc.abstractmethod
    def check(self, problem: Problem) -> None:
        """Raise `InputError` if this optimiser cannot fit `problem` (called before anything is compiled)."""

    @abc.abstractmethod
    def run(self, problem: Problem, theta0: Array) -> RunOutput:
        """Minimise the problem's penalised objective from `theta0`; the returned value is the penalised NLL."""


class AbstractScalarOptimiser(AbstractOptimiser):
    """An optimiser of the scalar penalised objective (NLL − log prior), so of any problem: priors, any noise model.

    **Example:** `LBFGS().run(problem, theta0)`
    """

    def check(self, problem: Problem) -> None:
        """Every problem has a scalar objective: nothing to refuse."""

    def run(self, problem: Problem, theta0: Array) -> RunOutput:
        """Minimise the problem's penalised objective (NLL − log prior) from `theta0`."""
        return self.minimise(lambda th: objective(problem, th), theta0, problem.penalty)


def _value_and_grad(fn, x: Array, penalty: float) -> tuple[Array, Array, Array]:
    """Value, gradient (zero where not finite or failed) and whether the value is below `penalty`."""
    value, grad = jax.value_and_grad(fn)(x)
    ok = jnp.isfinite(value) & (value < penalty)
    return value, jnp.where(jnp.isfinite(grad) & ok, grad, 0.0), ok


class LBFGS(AbstractScalarOptimiser):
    """`optax.lbfgs` with its zoom line search. Converged when the largest gradient entry (unconstrained
    coordinates) is below `gtol` or an iteration lowers the value by less than `ftol`·max(1, |value|). With
    `progress`, every iteration of every start reports to the host (a progress bar; costly on a GPU).

    **Example:** `fit(problem, optimiser=LBFGS(max_iter=300))`
    """

    max_iter: int = 200
    gtol: float = 1e-5
    ftol: float = 1e-12
    memory: int = 10
    progress: bool = False
    name = "lbfgs"

    def _opt(self):
        return optax.lbfgs(memory_size=self.memory)

    def init(self, fn, x0, penalty):
        value, grad, _ = _value_and_grad(fn, x0, penalty)
        return _first_state(x0, value, penalty, (self._opt().init(x0), grad))

    def step(self, fn, state, penalty):
        opt_state, grad = state.inner
        if self.progress:
            report(state.iterations, state.done)
        with jax.numpy_dtype_promotion("standard"):  # optax's L-BFGS mixes int32 and int64 counters under x64
            updates, opt_state = self._opt().update(grad, opt_state, state.x, value=state.value, grad=grad, value_fn=fn)
        x = optax.apply_updates(state.x, updates)
        value = optax.tree.get(opt_state, "value")
        new_grad = optax.tree.get(opt_state, "grad")
        failed = ~jnp.isfinite(value) | (value >= penalty)
        new_grad = jnp.where(jnp.isfinite(new_grad) & ~failed, new_grad, 0.0)
        small_grad = jnp.max(jnp.abs(new_grad)) < self.gtol
        stalled = (state.value - value) <= self.ftol * jnp.maximum(1.0, jnp.abs(value))
        converged = (small_grad | stalled) & ~failed
        done = converged | (failed & (state.value >= penalty))
        failures = state.failures + failed.astype(jnp.int32)
        return State(
            x, value, state.iterations + 1, failures, done, converged, state.start_failed, (opt_state, new_grad)
        )

    def terminate(self, state):
        return state.done | (state.iterations >= self.max_iter)


class Adam(AbstractScalarOptimiser):
    """`optax.adam` for `steps` steps under a warm-up + cosine-decay schedule peaking at `learning_rate`; returns
    the best point visited. Converged when the last `patience` steps improved the best value by < `ftol`.

    **Example:** `fit(problem, optimiser=Adam(steps=500, learning_rate=0.05))`
    """

    steps: int = 500
    learning_rate: float = 0.05
    warmup: int = 20
    ftol: float = 1e-6
    patience: int = 50
    progress: bool = False
    name = "adam"

    def _opt(self):
        schedule = optax.warmup_cosine_decay_schedule(
            0.0, self.learning_rate, min(self.warmup, self.steps - 1), self.steps, self.learning_rate * 1e-3
        )
        return optax.adam(schedule)

    def init(self, fn, x0, penalty):
        # nothing is evaluated here (the first step evaluates `x0`), so `fn` is compiled at one place only
        zero, no = jnp.zeros((), jnp.int32), jnp.array(False)
        inner = (x0, self._opt().init(x0), zero)
        return State(x0, jnp.full((), jnp.inf, x0.dtype), zero, zero, no, no, no, inner)

    def step(self, fn, state, penalty):
        theta, opt_state, best_at = state.inner  # `x`, `value`: the best point so far; `theta` the current one
        i = state.iterations
        if self.progress:
            report(i, jnp.array(False))
        value, grad, ok = _value_and_grad(fn, theta, penalty)
        best_at = jnp.where(ok & (value < state.value - self.ftol), i, best_at)
        improved = ok & (value < state.value)
        x = jnp.where(improved, theta, state.x)
        best = jnp.where(improved, value, state.value)
        with jax.numpy_dtype_promotion("standard"):  # optax's bias correction mixes int32 counts and floats
            updates, opt_state = self._opt().update(grad, opt_state, theta)
        converged = i + 1 - best_at >= self.patience
        failures = state.failures + (~ok).astype(jnp.int32)
        start_failed = state.start_failed | ((i == 0) & ~ok)
        inner = (optax.apply_updates(theta, updates), opt_state, best_at)
        return State(x, best, i + 1, failures, state.done, converged, start_failed, inner)

    def terminate(self, state):
        return state.iterations >= self.steps


class LevenbergMarquardt(AbstractOptimiser):
    """Levenberg–Marquardt on residuals (Marquardt's diagonal scaling, Nielsen's damping update, the Jacobian by
    forward mode). Converged when an accepted step changes θ by less than `rtol`·(|θ| + `rtol`) and the cost by
    less than `rtol` of itself, or where a Gauss–Newton step would gain less than `rtol` of the cost, or (`ftol` > 0)
    when an accepted step lowers the cost by less than `ftol` of itself; at most `max_steps` steps (any of these may
    be an array, e.g. inside a scan). With `lower` and/or `upper` (arrays over the minimised vector, ±inf where
    free), it minimises within that box: a coordinate on a bound that the gradient pushes outwards is held there,
    and every step is projected onto the box. On a problem: Gaussian noise with σ profiled or fixed, no priors.

    **Example:** `fit(problem, optimiser=LevenbergMarquardt())`
    """

    max_steps: int | Array = 200
    rtol: float | Array = 1e-8
    ftol: float | Array = 0.0
    lower: Array | None = None
    upper: Array | None = None
    name = "lm"

    def init(self, fn, x0, penalty):
        # nothing is evaluated here: the first step evaluates `x0` itself, so `fn` and its Jacobian are traced
        # (and compiled) at one place only
        m, dtype = jax.eval_shape(fn, x0).shape[0], x0.dtype
        one, zero = jnp.ones((), dtype), jnp.zeros((), jnp.int32)
        inner = (jnp.zeros(m, dtype), jnp.zeros((m, x0.shape[0]), dtype), 1e-3 * one, 2.0 * one, x0, jnp.inf * one)
        no = jnp.array(False)
        return State(x0, jnp.inf * one, zero, zero, no, no, no, inner)

    def step(self, fn, state, penalty):
        # `inner`: residuals and Jacobian at the accepted point `x`, the damping and its growth factor, the trial
        # point to evaluate now and the cost decrease its step predicted
        r, j, lam, nu, trial, predicted = state.inner
        th, cost, tol = state.x, state.value, self.rtol
        first = state.iterations == 0  # the trial is the start
        r_new, j_new = _linearise(fn, trial)
        cost_new = 0.5 * (r_new @ r_new)
        finite = jnp.isfinite(cost_new) & jnp.all(jnp.isfinite(trial))
        start_failed = state.start_failed | (first & ~(finite & (cost_new < penalty)))
        rho = (cost - cost_new) / predicted
        accept = finite & ~start_failed & (first | ((predicted > 0) & (rho > 0)))
        small = (jnp.max(jnp.abs(trial - th) / (jnp.abs(th) + tol)) < tol) & (cost - cost_new <= tol * cost)
        flat = cost - cost_new <= self.ftol * cost  # (with `ftol` > 0) too little progress to go on
        lam = jnp.where(
            first, lam, jnp.where(accept, lam * jnp.maximum(1.0 / 3.0, 1.0 - (2.0 * rho - 1.0) ** 3), lam * nu)
        )
        nu = jnp.where(first | accept, 2.0, 2.0 * nu)
        th, r, j, cost = (
            jnp.where(accept, x_new, x) for x_new, x in ((trial, th), (r_new, r), (j_new, j), (cost_new, cost))
        )
        # the next trial, from the accepted point
        a, g = j.T @ j, j.T @ r
        box = self.lower is not None or self.upper is not None
        if box:  # a coordinate on a bound that the gradient pushes outwards stays there: solve for the others
            lower = -jnp.inf if self.lower is None else self.lower
            upper = jnp.inf if self.upper is None else self.upper
            free = ~(((th <= lower) & (g > 0)) | ((th >= upper) & (g < 0)))
            a = jnp.where(free[:, None] & free[None, :], a, jnp.diag(jnp.where(free, 0.0, 1.0)))
            g = jnp.where(free, g, 0.0)
        scale = jnp.maximum(jnp.diag(a), 1e-12 * jnp.max(jnp.diag(a)) + 1e-300)
        step = -jnp.linalg.solve(a + lam * jnp.diag(scale), g)
        if box:  # and the step is projected onto the box
            step = jnp.clip(th + step, lower, upper) - th
        # stationary: even the undamped Gauss–Newton step would gain less than `rtol` of the cost (at an optimum
        # on the noise floor of the residuals, where every damped step is rejected)
        gain = 0.5 * g @ jnp.linalg.solve(a + 1e-12 * jnp.diag(scale), g)
        stationary = jnp.isfinite(gain) & (gain <= tol * cost)
        stuck = ~jnp.all(jnp.isfinite(step)) | (lam > 1e16)
        converged = ((accept & ~first & (small | flat)) | stationary) & ~start_failed
        inner = (r, j, lam, nu, th + step, -(g @ step + 0.5 * step @ (a @ step)))
        failures = state.failures + start_failed.astype(jnp.int32) * first.astype(jnp.int32)
        done = converged | stuck | start_failed
        return State(th, cost, state.iterations + 1, failures, done, converged, start_failed, inner)

    def terminate(self, state):
        return state.done | (state.iterations > self.max_steps)  # the first iteration evaluates the start

    def check(self, problem):
        check_least_squares(problem, "Levenberg–Marquardt")

    def run(self, problem, theta0):
        """Minimise the problem's weighted residuals from `theta0`; the returned value is the penalised NLL."""
        self.check(problem)
        # a failed solve's residuals cost twice the penalty: a failed start ends the run at once (`start_failed`),
        # a failed trial is rejected, so the accepted point's residuals are a successful solve's and give its NLL
        # (no solve of its own, nor of the start: two programs fewer to compile)
        state = self.iterate(lambda th: residuals(problem, th), theta0, problem.penalty)
        start_failed = state.start_failed
        nll = least_squares_nll(problem, state.x, state.inner[0])
        value = jnp.where(start_failed | ~jnp.isfinite(nll), problem.penalty, nll)
        failed = value >= problem.penalty
        converged = state.converged & (state.value < problem.penalty) & ~failed
        failures = failed.astype(jnp.int32) + start_failed.astype(jnp.int32)
        jacobian = state.inner[1]  # at the accepted point `state.x`, where the last step linearised the residuals
        jacobian = jacobian if jacobian.size <= KEPT_JACOBIAN else None  # one per start is returned: not a large one
        return RunOutput(state.x, value, state.iterations, converged, failures, start_failed, jacobian)


def _linearise(fn, x: Array) -> tuple[Array, Array]:
    """Residuals and their Jacobian at `x` by forward mode (one JVP per entry of `x`, vmapped)."""
    eye = jnp.eye(x.shape[0], dtype=x.dtype)
    r, j = jax.vmap(lambda v: jax.jvp(fn, (x,), (v,)), out_axes=(0, 1))(eye)
    return r[0], j


def check_least_squares(problem: Problem, what: str) -> None:
    """Raise `InputError` unless `problem`'s NLL is a least-squares problem that `what` can minimise."""
    if problem.has_priors:
        raise InputError(f"{what} fits least squares and ignores priors; use LBFGS with priors")
    if problem.noise is not None or ("sigma" not in problem.profile and "sigma" in problem.names):
        raise InputError(f"{what} needs Gaussian noise with σ profiled or fixed; use LBFGS")
    if "sigma" in problem.row_profile:
        raise InputError(f"{what} fits one σ; with σ profiled per condition use LBFGS")
