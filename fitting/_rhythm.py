"""Rhythm read-outs of a trace (first crossing, period, cycle count) and a model's rhythm distance from the data."""

import jax.numpy as jnp
from jaxtyping import Array

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
    sol = problem.simulate(model, y0=problem.initial_state(values))
    ok = jnp.all(sol.success) & jnp.all(jnp.isfinite(sol.ys))
    g = problem.model_signal(model, jnp.where(jnp.isfinite(sol.ys), sol.ys, 0.0))[0]
    return signal_distance(problem, g, ok)


def signal_distance(problem: Problem, g: Array, ok: Array) -> Array:
    """The rhythm distance of the first condition's model signal `g` (at the save times) from the data's."""
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
