"""Electrochemistry shared by the sarcolemmal fluxes: the GHK factor and the reduced potential zFV/RT."""

import jax.numpy as jnp
from jaxtyping import Array, ArrayLike

FARADAY = 96485.0  # C/mol
GAS_CONSTANT = 8314.0  # mJ/(mol·K), so that F·V/(R·T) is dimensionless with V in mV


def reduced_potential(V: ArrayLike, T: ArrayLike, z: float = 1.0) -> Array:
    """z·F·V/(R·T) (dimensionless) at membrane potential `V` (mV) and temperature `T` (K).

    **Example:** `reduced_potential(0.0, 310.0, 2.0)` is 0.
    """
    return z * FARADAY * jnp.asarray(V) / (GAS_CONSTANT * jnp.asarray(T))


def ghk_factor(phi: ArrayLike) -> Array:
    """φ/(1 − e^{−φ}) with its removable singularity at φ = 0 (value 1) handled smoothly for `grad`.

    **Example:** `ghk_factor(0.0)` is 1.
    """
    phi = jnp.asarray(phi)
    small = jnp.abs(phi) < 1e-4
    safe = jnp.where(small, 1.0, phi)
    series = 1.0 + phi / 2.0 + phi**2 / 12.0
    return jnp.where(small, series, safe / (-jnp.expm1(-safe)))
