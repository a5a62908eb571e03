"""Blurred residuals: the model's signal smoothed in time by a Gaussian before it is compared with the data."""

import diffrax
import jax.numpy as jnp
from jaxtyping import Array

from ._objective import signal_residuals
from ._problem import Problem


def dense_times(ts: Array, upsample: int) -> Array:
    """The save times `ts` with `upsample - 1` evenly spaced times inserted in every interval; `ts` is every
    `upsample`-th entry.

    **Example:** `dense_times(jnp.asarray([0.0, 1.0]), 4)` is [0, 0.25, 0.5, 0.75, 1].
    """
    f = jnp.arange(upsample, dtype=ts.dtype) / upsample
    inner = (ts[:-1, None] + f[None, :] * (ts[1:] - ts[:-1])[:, None]).ravel()
    return jnp.concatenate([inner, ts[-1:]])


def dense_signal(problem: Problem, theta: Array, upsample: int):
    """The model signal of every condition on the dense grid (conditions × dense times), whether the solves
    succeeded, and the observation parameters; forward-mode differentiable."""
    values = problem.natural(theta)
    model, observation = problem.with_values(values)
    dense = dense_times(problem.ts, upsample)
    sol = problem.simulate(model, adjoint=diffrax.ForwardMode(), y0=problem.initial_state(values), ts=dense)
    ok = jnp.all(sol.success) & jnp.all(jnp.isfinite(sol.ys))
    g = problem.model_signal(model, jnp.where(jnp.isfinite(sol.ys), sol.ys, 0.0))
    return g, ok, observation


def blur_kernel(problem: Problem, width: Array, upsample: int) -> Array:
    """The Gaussian smoothing matrix of SD `width` (s) from the dense grid to the save times (rows sum to 1); it
    depends on the width only, so a loop over parameters computes it once (`blur_kernel(problem, 0.3, 4)`)."""
    dense = dense_times(problem.ts, upsample)
    kernel = jnp.exp(-0.5 * ((problem.ts[:, None] - dense[None, :]) / jnp.where(width > 0, width, 1.0)) ** 2)
    return kernel / jnp.sum(kernel, axis=1, keepdims=True)


def blur(problem: Problem, g_dense: Array, width: Array, upsample: int, kernel: Array | None = None) -> Array:
    """The dense model signal smoothed by a Gaussian of SD `width` (s), at the save times (shape of the data);
    `kernel` is `blur_kernel(problem, width, upsample)`, computed here if not given."""
    kernel = blur_kernel(problem, width, upsample) if kernel is None else kernel
    blurred = jnp.where(width > 0, g_dense @ kernel.T, g_dense[:, ::upsample])
    return jnp.broadcast_to(blurred, problem.data.shape)


def blurred_residuals(
    problem: Problem, theta: Array, width: Array, upsample: int = 4, kernel: Array | None = None
) -> Array:
    """The residuals of [`fitting.residuals`][] with the model's signal smoothed in time by a Gaussian of SD
    `width` (s; computed on a grid `upsample` times finer than the save times) before offset and scale are fitted.
    A spike that misses the data's by less than about `width` still overlaps it, so the loss of a narrow-spiked
    oscillation gets a basin in phase about `width` wide; `width` 0 gives the problem's own residuals. `kernel`:
    `blur_kernel(problem, width, upsample)`, if already computed.

    **Example:** `blurred_residuals(problem, theta, 0.3)`
    """
    g, ok, observation = dense_signal(problem, theta, upsample)
    width = jnp.asarray(width, g.dtype)
    r = signal_residuals(problem, blur(problem, g, width, upsample, kernel), observation)
    big = jnp.sqrt(problem.penalty / r.shape[0])
    return jnp.where(ok & jnp.all(jnp.isfinite(r)), r, big)
