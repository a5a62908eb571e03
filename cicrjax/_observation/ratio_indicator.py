"""The abstract ratiometric Ca indicator: a two-wavelength ratio and its Grynkiewicz calibration."""

from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, ArrayLike

from .._errors import InputError


class AbstractRatioIndicator(eqx.Module):
    r"""A ratiometric indicator at equilibrium binding (Grynkiewicz, Poenie & Tsien 1985, J Biol Chem 260:3440).

    $$[\mathrm{Ca}] = K_d\,\frac{R - R_{min}}{R_{max} - R}\,\frac{S_{f2}}{S_{b2}}
      \quad\Longleftrightarrow\quad R = \frac{[\mathrm{Ca}]R_{max} + K_d\beta R_{min}}{[\mathrm{Ca}] + K_d\beta},
      \ \beta = S_{f2}/S_{b2}$$

    with S_f2/S_b2 the free over bound fluorescence at the ratio's denominator wavelength. The ratio cancels dye
    loading and equal bleaching of both channels. Final subclasses declare `Kd` (µM), `R_min`, `R_max` and
    `Sf2_Sb2` with `param`.
    """

    Kd: eqx.AbstractVar[Array]
    R_min: eqx.AbstractVar[Array]
    R_max: eqx.AbstractVar[Array]
    Sf2_Sb2: eqx.AbstractVar[Array]

    name: ClassVar[str]
    citation: ClassVar[str]
    kind: ClassVar[str] = "ratio"

    def __check_init__(self):
        lo, hi = self.R_min, self.R_max
        if not any(isinstance(x, jax.core.Tracer) for x in (lo, hi)) and np.any(np.asarray(lo) >= np.asarray(hi)):
            raise InputError(
                f"{type(self).__name__} needs R_min < R_max, got R_min={lo}, R_max={hi}; check the calibration"
            )

    def __call__(self, ca: ArrayLike) -> Array:
        """The ratio at free Ca `ca` (µM)."""
        ca = jnp.maximum(jnp.asarray(ca), 0.0)
        kb = self.Kd * self.Sf2_Sb2
        return (ca * self.R_max + kb * self.R_min) / (ca + kb)

    def calcium(self, ratio: ArrayLike) -> Array:
        """Free Ca (µM) from the ratio, by the Grynkiewicz equation."""
        ratio = jnp.asarray(ratio)
        return self.Kd * self.Sf2_Sb2 * (ratio - self.R_min) / (self.R_max - ratio)
