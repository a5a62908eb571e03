"""The interface of measurement-noise models: a log-likelihood for fitting and a sampler for synthetic data."""

import abc

import equinox as eqx
from jaxtyping import Array, ArrayLike, PRNGKeyArray


class AbstractNoise(eqx.Module):
    """A measurement-noise model p(data | prediction), elementwise independent."""

    @abc.abstractmethod
    def log_likelihood(self, data: ArrayLike, prediction: ArrayLike) -> Array:
        """Sum over all elements of log p(data | prediction); jit-friendly and differentiable."""

    @abc.abstractmethod
    def sample(self, prediction: ArrayLike, *, key: PRNGKeyArray) -> Array:
        """Noisy data of the shape of `prediction`, drawn with the explicit PRNG `key`."""
