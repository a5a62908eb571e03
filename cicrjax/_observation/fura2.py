"""Ratiometric Fura-2: the 340/380 nm excitation ratio and its Grynkiewicz calibration."""

from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, ArrayLike

from .._errors import InputError
from .._parameters import param


class Fura2(eqx.Module):
    r"""Fura-2 340/380 ratio at equilibrium binding (Grynkiewicz, Poenie & Tsien 1985, J Biol Chem 260:3440).

    $$[\mathrm{Ca}] = K_d\,\frac{R - R_{min}}{R_{max} - R}\,\frac{S_{f2}}{S_{b2}}
      \quad\Longleftrightarrow\quad R = \frac{[\mathrm{Ca}]R_{max} + K_d\beta R_{min}}{[\mathrm{Ca}] + K_d\beta},
      \ \beta = S_{f2}/S_{b2}$$

    Kd = 0.224 µM is Grynkiewicz 1985 as quoted in MODELS.md §9 (taken from a calculator page, the paper itself not
    read: unverified). R_min, R_max and Sf2/Sb2 depend on the set-up: the defaults are illustrative placeholders,
    not published values; calibrate them in situ. The ratio cancels dye loading and equal bleaching of both channels.

    **Example:** `Fura2().calcium(Fura2()(0.1))` is 0.1.
    """

    name: ClassVar[str] = "fura2"
    citation: ClassVar[str] = "Grynkiewicz G, Poenie M, Tsien RY (1985) J Biol Chem 260:3440-3450"
    kind: ClassVar[str] = "ratio"

    Kd: Array = param(0.224, "µM", "dissociation constant (unverified)")
    R_min: Array = param(0.3, "1", "340/380 ratio of Ca-free dye (placeholder; calibrate)")
    R_max: Array = param(6.0, "1", "340/380 ratio of Ca-saturated dye (placeholder; calibrate)")
    Sf2_Sb2: Array = param(5.0, "1", "380 nm fluorescence of free over bound dye (placeholder; calibrate)")

    def __check_init__(self):
        lo, hi = self.R_min, self.R_max
        if not any(isinstance(x, jax.core.Tracer) for x in (lo, hi)) and np.any(np.asarray(lo) >= np.asarray(hi)):
            raise InputError(f"Fura2 needs R_min < R_max, got R_min={lo}, R_max={hi}; check the calibration")

    def __call__(self, ca: ArrayLike) -> Array:
        """The 340/380 ratio at free Ca `ca` (µM)."""
        ca = jnp.maximum(jnp.asarray(ca), 0.0)
        kb = self.Kd * self.Sf2_Sb2
        return (ca * self.R_max + kb * self.R_min) / (ca + kb)

    def calcium(self, ratio: ArrayLike) -> Array:
        """Free Ca (µM) from the 340/380 ratio, by the Grynkiewicz equation."""
        ratio = jnp.asarray(ratio)
        return self.Kd * self.Sf2_Sb2 * (ratio - self.R_min) / (self.R_max - ratio)
