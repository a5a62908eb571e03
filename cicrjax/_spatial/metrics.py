"""Jit-friendly wave metrics: the front position at a threshold, the wave speed, and whether the wave propagated."""

import jax
import jax.numpy as jnp
from jaxtyping import Array

FRONT_THRESHOLD = 0.5  # µM: the Atri 1993 set-up tracks the front at c = 0.5 µM


@jax.jit  # one compiled program per shape, not one per jnp operation when called eagerly
def front_positions(x: Array, c: Array, threshold: float | Array = FRONT_THRESHOLD) -> Array:
    """Position (µm) of the rightmost upward crossing of `threshold` in each row of the kymograph `c`.

    Linear interpolation between the last cell at or above the threshold and the next; the right end of the domain
    when the last cell is above it; −1 where no cell reaches it. Differentiable in `c`.

    **Example:** `front_positions(sol.x, sol["c"])`
    """

    def one(row):
        above = row >= threshold
        i = row.shape[-1] - 1 - jnp.argmax(above[::-1])
        j = jnp.minimum(i + 1, row.shape[-1] - 1)
        dx = x[1] - x[0]
        drop = jnp.where(j > i, row[i] - row[j], 1.0)
        frac = jnp.where(j > i, (row[i] - threshold) / jnp.where(drop > 0, drop, 1.0), 0.5)
        pos = x[i] + jnp.clip(frac, 0.0, 1.0) * dx
        return jnp.where(jnp.any(above), pos, -1.0)

    return jax.vmap(one)(c)


def arrival_time(ts: Array, fronts: Array, position: float | Array) -> Array:
    """First time (s) the front reaches `position` (µm), interpolated linearly between save times; NaN if never.

    Continuous in the fronts, so differentiable almost everywhere.
    """
    past = fronts >= position
    k = jnp.argmax(past)
    j = jnp.maximum(k - 1, 0)
    step = fronts[k] - fronts[j]
    frac = jnp.where((k > 0) & (step > 0), (position - fronts[j]) / jnp.where(step > 0, step, 1.0), 1.0)
    t = ts[j] + jnp.clip(frac, 0.0, 1.0) * (ts[k] - ts[j])
    return jnp.where(jnp.any(past), t, jnp.nan)


@jax.jit
def wave_speed(ts: Array, fronts: Array, lo: float | Array, hi: float | Array) -> Array:
    """Mean speed (µm/s) of the front between positions `lo` and `hi` (µm): (hi − lo) over the time it took.

    Uses `arrival_time`, so the speed is smooth in the model's parameters; NaN if the front never reached `hi`.

    **Example:** `wave_speed(sol.ts, front_positions(sol.x, sol["c"]), 200.0, 600.0)`
    """
    return (hi - lo) / (arrival_time(ts, fronts, hi) - arrival_time(ts, fronts, lo))


@jax.jit
def reached(fronts: Array, position: float | Array) -> Array:
    """Whether the front ever reached `position` (µm): the wave propagated that far."""
    return jnp.max(fronts) >= position
