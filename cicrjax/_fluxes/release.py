"""Ca-activated Ca release through RyR-like channels: the positive feedback of CICR."""

import equinox as eqx
from jaxtyping import Array

from .._errors import InputError
from .._hill import hill
from .._parameters import array_field


class CaActivatedRelease(eqx.Module):
    """RyR-like release J = v_max · H(c; K_act, n_act) · [H(s; K_lum, n_lum)] · [1 − H(c; K_inact, n_inact)] · [s − c].

    Bracketed factors are optional: luminal store-Ca dependence when `K_lum` is given, Ca-dependent inactivation
    when `K_inact` is given, and a driving force (s − c) when `gradient=True` (then `v_max` is a rate in s⁻¹;
    otherwise a flux in µM/s).

    **Arguments:**
    - `v_max`: maximal release, µM/s (saturating form) or s⁻¹ (gradient form).
    - `K_act`, `n_act`: cytosolic Ca for half activation (µM) and its Hill coefficient.
    - `K_lum`, `n_lum`: optional store Ca for half activation (µM) and Hill coefficient.
    - `K_inact`, `n_inact`: optional cytosolic Ca for half inactivation (µM) and Hill coefficient.
    - `gradient`: static; multiply by the store–cytosol gradient (s − c).

    **Example:** `CaActivatedRelease(500.0, 0.9, 4.0, K_lum=2.0, n_lum=2.0)(c=0.5, s=1.6)` is the GDB 1990 V3.
    """

    v_max: Array = array_field()
    K_act: Array = array_field()
    n_act: Array = array_field()
    K_lum: Array | None = array_field(default=None)
    n_lum: Array | None = array_field(default=None)
    K_inact: Array | None = array_field(default=None)
    n_inact: Array | None = array_field(default=None)
    gradient: bool = eqx.field(default=False, static=True)

    def __check_init__(self):
        if (self.K_lum is None) != (self.n_lum is None) or (self.K_inact is None) != (self.n_inact is None):
            raise InputError("give K_lum with n_lum, and K_inact with n_inact (both or neither)")

    def open_fraction(self, c: Array, s: Array) -> Array:
        """Fraction of maximal release at cytosolic Ca `c` and store Ca `s` (µM); dimensionless."""
        f = hill(c, self.K_act, self.n_act)
        if self.K_lum is not None:
            f = f * hill(s, self.K_lum, self.n_lum)
        if self.K_inact is not None:
            f = f * (1.0 - hill(c, self.K_inact, self.n_inact))
        return f

    def __call__(self, c: Array, s: Array) -> Array:
        """Release flux into the cytosol (µM/s) at cytosolic Ca `c` and store Ca `s` (µM)."""
        flux = self.v_max * self.open_fraction(c, s)
        return flux * (s - c) if self.gradient else flux
