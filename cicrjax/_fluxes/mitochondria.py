"""Mitochondrial Ca uptake (uniporter) and efflux, after Marhl et al. 2000 (BioSystems 57:75)."""

import equinox as eqx
from jaxtyping import Array

from .._hill import hill
from .._parameters import array_field


class UniporterUptake(eqx.Module):
    """Uniporter uptake into mitochondria, J_in = k_in · cⁿ/(Kⁿ + cⁿ) (Marhl 2000: n = 8).

    **Arguments:** `k_in` maximal uptake (µM/s), `K` half-activation Ca (µM), `n` Hill coefficient.

    **Example:** `UniporterUptake(300.0, 0.8, 8.0)(0.8)` is 150 µM/s.
    """

    k_in: Array = array_field()
    K: Array = array_field()
    n: Array = array_field()

    def __call__(self, c: Array) -> Array:
        """Uptake out of the cytosol (µM/s) at cytosolic Ca `c` (µM)."""
        return self.k_in * hill(c, self.K, self.n)


class MitochondrialEfflux(eqx.Module):
    """Ca-activated efflux from mitochondria, J_out = (k_out · c²/(K² + c²) + k_m) · m (Marhl 2000).

    **Arguments:** `k_out` Ca-activated rate (s⁻¹), `K` half-activation cytosolic Ca (µM), `k_m` basal rate (s⁻¹).

    **Example:** `MitochondrialEfflux(125.0, 5.0, 0.00625)(c=0.1, m=0.4)`
    """

    k_out: Array = array_field()
    K: Array = array_field()
    k_m: Array = array_field()

    def __call__(self, c: Array, m: Array) -> Array:
        """Efflux into the cytosol (µM/s) at cytosolic Ca `c` and mitochondrial Ca `m` (µM)."""
        return (self.k_out * hill(c, self.K, 2.0) + self.k_m) * m
