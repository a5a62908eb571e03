"""Additive Gaussian measurement noise."""

import math

import jax
import jax.numpy as jnp

from .._parameters import param
from .noise import AbstractNoise

_LOG_2PI = math.log(2 * math.pi)  # not jnp: importing cicrjax starts no JAX backend


class GaussianNoise(AbstractNoise):
    """data = prediction + σ·ε, ε ~ N(0, 1): the usual least-squares noise model.

    **Arguments:** `sigma` standard deviation (signal units).

    **Example:** `GaussianNoise(0.02).log_likelihood(data, prediction)`
    """

    sigma: jax.Array = param(0.01, "signal units", "noise standard deviation")

    def log_likelihood(self, data, prediction):
        r = (jnp.asarray(data) - jnp.asarray(prediction)) / self.sigma
        return jnp.sum(-0.5 * r**2 - jnp.log(self.sigma) - 0.5 * _LOG_2PI)

    def sample(self, prediction, *, key):
        prediction = jnp.asarray(prediction)
        return prediction + self.sigma * jax.random.normal(key, prediction.shape, prediction.dtype)
