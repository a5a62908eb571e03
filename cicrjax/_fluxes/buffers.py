"""Cytosolic Ca buffers: the rapid-buffering approximation and explicit binding kinetics."""

import equinox as eqx
from jaxtyping import Array

from .._parameters import array_field


class RapidBuffer(eqx.Module):
    """A buffer in rapid equilibrium with Ca (Wagner & Keizer 1994): bound = B_total · c/(K_d + c).

    **Arguments:** `B_total` total buffer (µM), `K_d` dissociation constant (µM).

    **Example:** `RapidBuffer(50.0, 2.382).factor(0.1)` scales a free-Ca flux to the buffered rate.
    """

    B_total: Array = array_field()
    K_d: Array = array_field()

    def bound(self, c: Array) -> Array:
        """Ca bound to the buffer (µM) at free Ca `c` (µM)."""
        return self.B_total * c / (self.K_d + c)

    def capacity(self, c: Array) -> Array:
        """Buffer capacity κ = d(bound)/dc = B_total K_d/(K_d + c)² (dimensionless)."""
        return self.B_total * self.K_d / (self.K_d + c) ** 2

    def factor(self, c: Array) -> Array:
        """Fraction 1/(1 + κ) of a total-Ca flux that stays free (dimensionless)."""
        return 1.0 / (1.0 + self.capacity(c))


class BufferBinding(eqx.Module):
    """Explicit buffer binding, d(bound)/dt = k_on · c · (B_total − bound) − k_off · bound.

    **Arguments:** `B_total` total buffer (µM), `k_on` on-rate (µM⁻¹s⁻¹), `k_off` off-rate (s⁻¹).

    **Example:** `BufferBinding(120.0, 0.1, 0.01)(c=0.1, bound=10.0)` is the Marhl 2000 protein-binding rate.
    """

    B_total: Array = array_field()
    k_on: Array = array_field()
    k_off: Array = array_field()

    def __call__(self, c: Array, bound: Array) -> Array:
        """Net binding rate (µM/s): Ca leaving the free pool at free Ca `c` and bound Ca `bound` (µM)."""
        return self.k_on * c * (self.B_total - bound) - self.k_off * bound
