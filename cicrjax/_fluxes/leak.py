"""Passive Ca leak down the store–cytosol gradient."""

import equinox as eqx
from jaxtyping import Array

from .._parameters import array_field


class Leak(eqx.Module):
    """Passive leak J = k · (s − c) from the store (Ca `s`) into the cytosol (Ca `c`).

    **Arguments:** `k` leak rate constant (s⁻¹).

    **Example:** `Leak(0.05)(c=0.1, s=1.0)` is 0.045 µM/s.
    """

    k: Array = array_field()

    def __call__(self, c: Array, s: Array) -> Array:
        """Leak flux into the cytosol (µM/s)."""
        return self.k * (s - c)
