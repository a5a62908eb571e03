"""Wave studies: speed and propagation of one model, and a propagation regime map over parameters in one vmap."""

import dataclasses
from collections.abc import Mapping

import jax
import jax.numpy as jnp
from jaxtyping import Array, ArrayLike

from .._parameters import batch_parameters
from .metrics import FRONT_THRESHOLD, front_positions, reached, wave_speed
from .model import AbstractSpatialModel
from .simulate import simulate_spatial


def wave_metrics(
    model: AbstractSpatialModel,
    t_end: float,
    *,
    dt: float = 0.01,
    save_dt: float | None = None,
    window: tuple[float, float] | None = None,
    threshold: float = FRONT_THRESHOLD,
) -> tuple[Array, Array]:
    """Speed (µm/s) and propagation of the free-Ca wave (`model.calcium`); jit-, vmap- and grad-friendly.

    The front is tracked at `threshold` (µM); the speed is the mean between the ends of `window` (µm; default
    the middle half of the domain); the wave propagated if its front reached the window's far end, and its
    speed is NaN otherwise.

    **Example:** `speed, propagated = wave_metrics(AtriWave(), 120.0)`
    """
    length = model.grid.length
    lo, hi = (0.25 * length, 0.75 * length) if window is None else window
    sol = simulate_spatial(model, t_end, dt=dt, save_dt=save_dt)
    fronts = front_positions(sol.x, jax.vmap(model.calcium)(sol.ys), threshold)
    propagated = reached(fronts, hi)
    return jnp.where(propagated, wave_speed(sol.ts, fronts, lo, hi), jnp.nan), propagated


def propagation_map(
    model: AbstractSpatialModel, values: Mapping[str, ArrayLike], t_end: float, **options
) -> tuple[Array, Array]:
    """Wave speed and propagation for every set of parameter values, in one vmapped call.

    **Arguments:** `values` maps parameter names of `model` to 1-D arrays of one length N (make a grid with
    `jnp.meshgrid(...)` and ravel it); `options` go to [`cicrjax.wave_metrics`][].

    **Returns:** speeds (µm/s, NaN where the wave failed) and propagated flags, each of length N.

    **Example:** `propagation_map(FireDiffuseFire(), {"d": ds, "sigma": sigmas, "k_s": ks}, 2.0, dt=1e-3)`
    """
    batched = batch_parameters(model, values)  # checks the names, that each array is 1-D, and their lengths
    arrays = {name: getattr(batched, name) for name in values}

    def one(vals):
        return wave_metrics(dataclasses.replace(model, **vals), t_end, **options)

    return jax.vmap(one)(arrays)
