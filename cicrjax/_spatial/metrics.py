"""Jit-friendly wave metrics: the front position at a threshold, the wave speed, and whether the wave propagated."""

import jax
import jax.numpy as jnp
from jaxtyping import Array

FRONT_THRESHOLD = 0.5  # µM: the Atri 1993 set-up tracks the front at c = 0.5 µM


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


def wave_speed(ts: Array, fronts: Array, lo: float | Array, hi: float | Array) -> Array:
    """Least-squares slope (µm/s) of front position against time, over the times the front lies in [lo, hi] µm.

    NaN when fewer than two saved fronts fall in the window (the wave never crossed it).
    """
    w = ((fronts >= lo) & (fronts <= hi)).astype(fronts.dtype)
    n = jnp.sum(w)
    safe_n = jnp.maximum(n, 1.0)
    t_mean = jnp.sum(w * ts) / safe_n
    f_mean = jnp.sum(w * fronts) / safe_n
    var = jnp.sum(w * (ts - t_mean) ** 2)
    slope = jnp.sum(w * (ts - t_mean) * (fronts - f_mean)) / jnp.where(var > 0, var, 1.0)
    return jnp.where((n >= 2) & (var > 0), slope, jnp.nan)


def reached(fronts: Array, position: float | Array) -> Array:
    """Whether the front ever reached `position` (µm): the wave propagated that far."""
    return jnp.max(fronts) >= position
