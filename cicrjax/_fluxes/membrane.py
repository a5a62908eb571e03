"""Plasma-membrane Ca influx and linear extrusion."""

import equinox as eqx
from jaxtyping import Array

from .._parameters import array_field


class Influx(eqx.Module):
    """Stimulus-dependent plasma-membrane influx J = v0 + v1 · u.

    **Arguments:** `v0` basal influx (µM/s), `v1` maximal stimulated influx (µM/s); the stimulus `u` is
    dimensionless (e.g. the IP3-driven fraction β of Goldbeter et al. 1990).

    **Example:** `Influx(1.0, 7.3)(0.301)` is 3.197 µM/s.
    """

    v0: Array = array_field()
    v1: Array = array_field()

    def __call__(self, u: Array) -> Array:
        """Influx into the cytosol (µM/s) at stimulus `u`."""
        return self.v0 + self.v1 * u


class LinearExtrusion(eqx.Module):
    """First-order extrusion across the plasma membrane, J = k · c.

    **Arguments:** `k` rate constant (s⁻¹).

    **Example:** `LinearExtrusion(10.0)(0.2)` is 2 µM/s.
    """

    k: Array = array_field()

    def __call__(self, c: Array) -> Array:
        """Extrusion flux out of the cytosol (µM/s) at cytosolic Ca `c` (µM)."""
        return self.k * c
