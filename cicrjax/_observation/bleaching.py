"""Photobleaching: the fraction of fluorescence left after illumination time t (mono- or bi-exponential)."""

import abc

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, ArrayLike

from .._parameters import param


class AbstractBleaching(eqx.Module):
    """Multiplicative photobleaching factor b(t), with b(0) = 1 (MODELS.md §9: F_obs = F·b(t))."""

    @abc.abstractmethod
    def __call__(self, t: ArrayLike) -> Array:
        """Fraction of the fluorescence left at time `t` (s)."""


class MonoExponentialBleaching(AbstractBleaching):
    """b(t) = exp(−t/τ), the usual single-population bleaching (equivalently [D]T decays at rate k_b·I_exc).

    **Arguments:** `tau` time constant (s).

    **Example:** `MonoExponentialBleaching(tau=60.0)(jnp.array([0.0, 60.0]))` is `[1, e⁻¹]`.
    """

    tau: Array = param(60.0, "s", "bleaching time constant")

    def __call__(self, t):
        return jnp.exp(-jnp.asarray(t) / self.tau)


class BiExponentialBleaching(AbstractBleaching):
    """b(t) = f·exp(−t/τ_fast) + (1 − f)·exp(−t/τ_slow): a fast and a slow bleaching population.

    **Arguments:** `tau_fast`, `tau_slow` time constants (s), `fraction_fast` f (0–1).

    **Example:** `BiExponentialBleaching(tau_fast=5.0, tau_slow=100.0, fraction_fast=0.3)(10.0)`
    """

    tau_fast: Array = param(5.0, "s", "fast bleaching time constant")
    tau_slow: Array = param(100.0, "s", "slow bleaching time constant")
    fraction_fast: Array = param(0.3, "1", "fraction of fluorescence that bleaches fast", "unit_interval")

    def __call__(self, t):
        t = jnp.asarray(t)
        f = self.fraction_fast
        return f * jnp.exp(-t / self.tau_fast) + (1.0 - f) * jnp.exp(-t / self.tau_slow)
