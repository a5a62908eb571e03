"""Multiplicative log-normal measurement noise (for positive signals such as F or F/F0)."""

import math

import jax
import jax.numpy as jnp

from .._parameters import param
from .noise import AbstractNoise

_LOG_2PI = math.log(2 * math.pi)  # not jnp: importing cicrjax starts no JAX backend


class LogNormalNoise(AbstractNoise):
    """data = prediction·exp(σ·ε), ε ~ N(0, 1): log(data) ~ N(log(prediction), σ²), the median is the prediction.

    Data and prediction must be positive (use it for F or F/F0, not ΔF/F0).

    **Arguments:** `sigma` standard deviation of log(data).

    **Example:** `LogNormalNoise(0.05).sample(prediction, key=jax.random.key(0))`
    """

    sigma: jax.Array = param(0.05, "1", "standard deviation of the log of the data")

    def log_likelihood(self, data, prediction):
        log_y = jnp.log(jnp.asarray(data))
        r = (log_y - jnp.log(jnp.asarray(prediction))) / self.sigma
        return jnp.sum(-0.5 * r**2 - jnp.log(self.sigma) - 0.5 * _LOG_2PI - log_y)

    def sample(self, prediction, *, key):
        prediction = jnp.asarray(prediction)
        return prediction * jnp.exp(self.sigma * jax.random.normal(key, prediction.shape, prediction.dtype))
