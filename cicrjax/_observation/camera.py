"""Camera noise: Poisson photon (shot) noise, optional EM-gain excess noise, Gaussian read noise and an offset."""

import math

import equinox as eqx
import jax
import jax.numpy as jnp

from .._parameters import param
from .noise import AbstractNoise

_LOG_2PI = math.log(2 * math.pi)  # not jnp: importing cicrjax starts no JAX backend


class PoissonGaussianNoise(AbstractNoise):
    r"""Detector model of MODELS.md §9: N ~ Poisson(λ) photoelectrons, signal = offset + gain·(N + N(0, σ_read²)).

    The prediction μ is the mean signal (ADU, offset included), so λ = (μ − offset)/gain. With `em_gain=True` the
    electron-multiplying register adds excess noise factor F² = 2 (EMCCD; sampled as Gamma(N, 1) electrons, the
    high-gain limit). The log-likelihood is the moment-matched Gaussian,
    $y \sim \mathcal N(\mu,\ g F^2(\mu - \text{offset}) + g^2\sigma_{read}^2)$, accurate for λ ≳ 20 photoelectrons;
    the sampler is exact. sCMOS read noise ≈ 1–2 e⁻ (MODELS.md §9, unverified).

    **Arguments:** `gain` (ADU per e⁻), `read_noise` (e⁻ rms), `offset` (ADU), `em_gain` (static bool).

    **Example:** `PoissonGaussianNoise(gain=2.0, read_noise=1.5, offset=100.0).sample(mu, key=jax.random.key(0))`
    """

    gain: jax.Array = param(1.0, "ADU/e⁻", "conversion gain")
    read_noise: jax.Array = param(1.5, "e⁻", "read noise (rms)", "nonnegative")
    offset: jax.Array = param(100.0, "ADU", "camera offset (dark level)", "real")
    em_gain: bool = eqx.field(default=False, static=True)

    def _excess(self):
        return 2.0 if self.em_gain else 1.0

    def variance(self, prediction):
        """Signal variance (ADU²) at mean signal `prediction` (ADU)."""
        electrons = jnp.maximum((jnp.asarray(prediction) - self.offset) / self.gain, 0.0)
        return self.gain**2 * (self._excess() * electrons + self.read_noise**2)

    def log_likelihood(self, data, prediction):
        var = self.variance(prediction)
        r2 = (jnp.asarray(data) - jnp.asarray(prediction)) ** 2 / var
        return jnp.sum(-0.5 * r2 - 0.5 * jnp.log(var) - 0.5 * _LOG_2PI)

    def sample(self, prediction, *, key):
        prediction = jnp.asarray(prediction)
        k_shot, k_em, k_read = jax.random.split(key, 3)
        electrons = jnp.maximum((prediction - self.offset) / self.gain, 0.0)
        n = jax.random.poisson(k_shot, electrons, prediction.shape).astype(prediction.dtype)
        if self.em_gain:
            n = jnp.where(n > 0, jax.random.gamma(k_em, jnp.maximum(n, 1.0), dtype=prediction.dtype), 0.0)
        read = self.read_noise * jax.random.normal(k_read, prediction.shape, prediction.dtype)
        return self.offset + self.gain * (n + read)
