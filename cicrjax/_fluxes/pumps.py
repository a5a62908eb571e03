"""Ca pumps: SERCA uptake into the store and PMCA-type extrusion."""

import equinox as eqx
from jaxtyping import Array

from .._hill import hill
from .._parameters import array_field


class HillPump(eqx.Module):
    """Irreversible pump J = v_max · cⁿ/(Kⁿ + cⁿ) (SERCA or PMCA, Hill form).

    **Arguments:** `v_max` maximal rate (µM/s), `K` half-activation Ca (µM), `n` Hill coefficient.

    **Example:** `HillPump(65.0, 1.0, 2.0)(0.5)` is the GDB 1990 SERCA flux V2 at Z = 0.5 µM.
    """

    v_max: Array = array_field()
    K: Array = array_field()
    n: Array = array_field()

    def __call__(self, c: Array) -> Array:
        """Pump flux (µM/s) out of the cytosol at cytosolic Ca `c` (µM)."""
        return self.v_max * hill(c, self.K, self.n)


class ReversiblePump(eqx.Module):
    """Reversible SERCA, J = v_max [(c/K_f)ⁿ − (s/K_r)ⁿ] / [1 + (c/K_f)ⁿ + (s/K_r)ⁿ] (Shannon et al. 2004 form).

    **Arguments:** `v_max` maximal rate (µM/s), `K_f` forward half-activation cytosolic Ca (µM), `K_r` reverse
    half-activation store Ca (µM), `n` Hill coefficient.

    **Example:** `ReversiblePump(286.0, 0.246, 1700.0, 1.787)(0.1, 550.0)`
    """

    v_max: Array = array_field()
    K_f: Array = array_field()
    K_r: Array = array_field()
    n: Array = array_field()

    def __call__(self, c: Array, s: Array) -> Array:
        """Net uptake (µM/s) at cytosolic Ca `c` and store Ca `s` (µM); negative when the pump runs backwards."""
        f = (c / self.K_f) ** self.n
        r = (s / self.K_r) ** self.n
        return self.v_max * (f - r) / (1.0 + f + r)


class LinearPump(eqx.Module):
    """Linear (first-order) pump J = k · c, as the SERCA of Marhl et al. 2000.

    **Arguments:** `k` rate constant (s⁻¹).

    **Example:** `LinearPump(20.0)(0.3)` is 6 µM/s.
    """

    k: Array = array_field()

    def __call__(self, c: Array) -> Array:
        """Pump flux (µM/s) at cytosolic Ca `c` (µM)."""
        return self.k * c
