"""The Hill function, the building block of every saturable flux."""

import jax.numpy as jnp
from jaxtyping import Array, ArrayLike


def hill(x: ArrayLike, K: ArrayLike, n: ArrayLike) -> Array:
    """Hill function xⁿ/(Kⁿ + xⁿ), with negative solver overshoots of `x` treated as 0.

    **Arguments:** `x` and `K` in the same unit (usually µM); `n` the Hill coefficient.

    **Example:** `hill(0.5, 1.0, 2.0)` is 0.2.
    """
    x = jnp.maximum(x, 0.0)
    xn = x**n
    return xn / (K**n + xn)
