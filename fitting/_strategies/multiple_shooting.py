"""Multiple shooting: the trace cut into segments, each started from a free state, tied by a continuity penalty."""

import dataclasses

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array

from cicrjax import InputError

from .._objective import affine, gaussian_nll, predict
from .._optimisers import LBFGS, AbstractOptimiser
from .._problem import Problem
from .._signal import StateSignal
from .base import AbstractStrategy


def segment_layout(n_times: int, segments: int) -> tuple[np.ndarray, np.ndarray]:
    """Save-time indices (segments × (L+1)) of each segment and the weight (0/1) of each point in the likelihood.

    Segment k runs from save time k·L to (k+1)·L, L = ⌈(T−1)/segments⌉; its last point is the next segment's start,
    counted only there (it is where continuity is measured). Indices past the end repeat the last time, weight 0.

    **Example:** `index, weight = segment_layout(121, 6)`
    """
    if not 1 <= segments < n_times:
        raise InputError(f"segments must be between 1 and the number of save times - 1 ({n_times - 1}), got {segments}")
    length = -(-(n_times - 1) // segments)
    raw = np.arange(segments)[:, None] * length + np.arange(length + 1)[None, :]
    index = np.minimum(raw, n_times - 1)
    weight = (raw <= n_times - 1).astype(float)
    weight[:-1, -1] = 0.0  # the next segment counts its own first point
    return index, weight


def _check(problem: Problem) -> None:
    if problem.batched:
        raise InputError("multiple shooting fits one condition at a time; build the problem with batched=False")
    if problem.noise is not None:
        raise InputError("multiple shooting needs Gaussian noise (noise=None or GaussianNoise); use LBFGS")


def _segment_starts(problem: Problem, model, values, nodes: Array) -> Array:
    first = problem.initial_state(values)
    first = model.initial_state() if first is None else first.reshape(-1)
    return jnp.concatenate([first[None, :], nodes], axis=0)


def shooting_loss(problem: Problem, theta: Array, nodes: Array, weight: Array | float, segments: int) -> Array:
    """Multiple-shooting objective: the problem's Gaussian NLL (offset, scale, σ profiled as in the problem) of
    the segments' predictions, plus the priors, plus ½·`weight`·Σ‖(end of segment k − start of k+1)‖² in units of
    the nodes. `nodes` (segments−1 × states, µM) are the free start states of segments 1…; segment 0 starts at the
    problem's initial state. A failed solve gives the problem's penalty.

    **Example:** `shooting_loss(problem, theta, nodes, 100.0, 6)`
    """
    _check(problem)
    index, counted = segment_layout(problem.ts.shape[0], segments)
    values = problem.natural(theta)
    model, observation = problem.with_values(values)
    starts = _segment_starts(problem, model, values, nodes)
    ts = problem.ts[index]
    t0s = ts[:, 0] if problem.t0 is None else ts[:, 0].at[0].set(problem.t0)

    sol = jax.vmap(lambda y0, t0, t: problem.simulate(model, ts=t, y0=y0, t0=t0))(starts, t0s, ts)
    ok = jnp.all(sol.success)
    ys = jnp.where(jnp.isfinite(sol.ys), sol.ys, 0.0)
    g = jax.vmap(lambda y: problem.signal(model, y))(ys)
    d = problem.data[0][index]
    w = problem.mask[0][index] * jnp.asarray(counted)
    view = eqx.tree_at(lambda q: (q.data, q.mask), problem, (d, w))
    a, b = affine(view, g, observation)
    _, nll = gaussian_nll(problem, w * (d - (a + b * g)), w, observation)
    gap = ys[:-1, -1, :] - starts[1:, :]
    loss = nll + problem.neg_log_prior(values) + 0.5 * weight * jnp.sum(gap**2)
    return jnp.where(ok & jnp.isfinite(loss), loss, problem.penalty)


def initial_nodes(problem: Problem, theta: Array, segments: int) -> tuple[Array, Array]:
    """Start states of segments 1… and their scales (states): the observed state read from the data (through the
    problem's offset and scale, averaged over three samples) where the signal is one state, every other state its
    time-average along the trajectory at `theta`.

    **Example:** `nodes, scale = initial_nodes(problem, theta0, 6)`
    """
    index, _ = segment_layout(problem.ts.shape[0], segments)
    values = problem.natural(theta)
    model, observation = problem.with_values(values)
    sol = problem.simulate(model, y0=problem.initial_state(values))
    ys = sol.ys.reshape(problem.ts.shape[0], -1)
    ys = jnp.where(jnp.isfinite(ys), ys, jnp.nan)
    mean = jnp.nanmean(ys, axis=0)
    mean = jnp.where(jnp.isfinite(mean), mean, model.initial_state())
    scale = jax.lax.stop_gradient(jnp.maximum(jnp.abs(mean), 1e-6))
    nodes = jnp.broadcast_to(mean, (segments - 1, mean.shape[0]))
    if isinstance(problem.signal, StateSignal):
        at = index[1:, 0]
        near = np.clip(at[:, None] + np.arange(-1, 2)[None, :], 0, problem.ts.shape[0] - 1)
        seen = (jnp.mean(problem.data[0][near], axis=1) - observation["offset"]) / observation["scale"]
        i = problem.signal.index
        nodes = nodes.at[:, i].set(jnp.where(seen > 0, seen, mean[i]))
    return jax.lax.stop_gradient(nodes), scale


class MultipleShooting(AbstractStrategy):
    """Multiple shooting with a homotopy on continuity, then a single-shooting fit with `optimiser`.

    The time span is cut into `segments`; segment 0 starts at the problem's initial state, the others at free
    states initialised from the data ([`fitting.initial_nodes`][]). L-BFGS minimises [`fitting.shooting_loss`][]
    (parameters and states together) for each continuity `weights` entry in turn, warm-started; then `optimiser`
    minimises the problem's own objective from the parameters found. Each segment spans less than a cycle, so the
    period and phase multimodality of single shooting does not arise until the segments are joined.

    **Arguments:** `segments` (about two per period); `weights` increasing continuity weights (per squared state
    unit, e.g. µM⁻²); `max_iter`, `gtol`, `ftol`, `memory` those of the L-BFGS of every stage; `optimiser` the
    final optimiser.

    **Example:** `multistart(problem, 16, strategy=MultipleShooting(segments=12))`
    """

    segments: int = 8
    weights: tuple[float, ...] = eqx.field(
        default=(10.0, 100.0, 1000.0, 10000.0), converter=lambda w: tuple(map(float, w))
    )
    max_iter: int = 100
    gtol: float = 1e-5
    ftol: float = 1e-10
    memory: int = 10
    optimiser: AbstractOptimiser = LBFGS(max_iter=100)
    name = "multiple-shooting"

    def __check_init__(self):
        if not self.weights or any(w <= 0 for w in self.weights):
            raise InputError(f"weights must be positive continuity weights, got {self.weights}")
        if self.segments < 2:
            raise InputError(f"multiple shooting needs at least 2 segments, got {self.segments}")

    def check(self, problem):
        _check(problem)
        self.optimiser.check(problem)

    def run(self, problem, theta0):
        self.check(problem)
        k = theta0.shape[0]
        nodes0, scale = initial_nodes(problem, theta0, self.segments)
        shape = nodes0.shape
        stages = LBFGS(max_iter=self.max_iter, gtol=self.gtol, ftol=self.ftol, memory=self.memory)

        def unpack(x):
            return x[:k], x[k:].reshape(shape) * scale[None, :]

        def stage(c, weight):
            x, iterations, failures = c
            out = stages.minimise(
                lambda z: shooting_loss(problem, *unpack(z), weight, self.segments), x, problem.penalty
            )
            good = jnp.isfinite(out.value) & (out.value < problem.penalty)
            x = jnp.where(good, out.theta, x)
            return (x, iterations + out.iterations, failures + out.failures), None

        x0 = jnp.concatenate([theta0, (nodes0 / scale[None, :]).ravel()])
        zero = jnp.zeros((), jnp.int32)
        weights = jnp.asarray(self.weights, dtype=theta0.dtype)
        (x, iterations, failures), _ = jax.lax.scan(stage, (x0, zero, zero), weights)
        out = self.optimiser.run(problem, x[:k])
        start_ok = predict(problem, theta0).ok
        return dataclasses.replace(
            out, iterations=out.iterations + iterations, failures=out.failures + failures, start_failed=~start_ok
        )
