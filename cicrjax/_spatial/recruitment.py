"""Spark-to-wave recruitment: how many neighbouring release sites a triggered spark recruits, over parameter sets
and seeds, in one vmapped call."""

import dataclasses
from collections.abc import Mapping

import jax
import jax.numpy as jnp
from jaxtyping import Array, ArrayLike

from .._errors import InputError
from .._parameters import batch_parameters
from .simulate import simulate_spatial
from .spark import cardiac_spark
from .stochastic import StochasticCluster


def spark_to_wave(
    model: StochasticCluster,
    values: Mapping[str, ArrayLike],
    t_end: float,
    *,
    seeds: int = 8,
    dt: float = 2e-5,
) -> tuple[Array, Array]:
    """The share of a row's other sites recruited by the spark triggered at its first site, for each parameter set.

    Each set is simulated with `seeds` keys split from `model.key`, in the cardiac spark's buffers and Fluo-4
    ([`cicrjax.cardiac_spark`][]), from 0 to `t_end` (s) at step `dt` (s). A site is recruited when half its
    channels are open at once; a spark that stays local recruits none, a wave all.

    **Arguments:** `model`, a [`cicrjax.StochasticCluster`][] with `n_sites` ≥ 2 and `trigger` > 0; `values` maps
    its parameter names to 1-D arrays of one length N (e.g. the SR load `jsr0`, µM, or the sensitivity `K_open`,
    µM).

    **Returns:** the recruited share (0 to 1, mean over seeds), shape (N,), and every site's first firing time (s,
    inf where it never fired), shape (N, seeds, sites).

    **Example:** `spark_to_wave(StochasticCluster(key=jax.random.key(0), n_sites=5, trigger=20.0),
    {"jsr0": jnp.array([1000.0, 4000.0])}, 0.1)`
    """
    if not isinstance(model, StochasticCluster) or model.n_sites < 2:
        raise InputError("spark_to_wave needs a StochasticCluster with n_sites >= 2 (a row of release sites)")
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise InputError(f"seeds must be a whole number >= 1, got {seeds!r}")
    batched = batch_parameters(model, values)
    arrays = {name: getattr(batched, name) for name in values}
    keys = jax.random.split(model.key, seeds)

    def one(vals, key):
        row = dataclasses.replace(model, key=key, **vals)
        return simulate_spatial(cardiac_spark(row), t_end, dt=dt, save_dt=t_end).events.fire_time

    fire = jax.vmap(lambda vals: jax.vmap(lambda key: one(vals, key))(keys))(arrays)
    return jnp.mean(jnp.isfinite(fire[..., 1:]).astype(fire.dtype), axis=(1, 2)), fire
