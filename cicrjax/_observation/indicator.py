"""The abstract single-wavelength Ca indicator: Hill binding, its kinetics, and the fluorescence it gives."""

from typing import ClassVar

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, ArrayLike

from .._hill import hill


class AbstractIndicator(eqx.Module):
    r"""A single-wavelength Ca indicator with Hill binding (MODELS.md §9).

    $$\frac{d[\mathrm{CaD}]}{dt} = k_{on}[\mathrm{Ca}]^n([D]_T - [\mathrm{CaD}]) - k_{off}[\mathrm{CaD}],\qquad
      k_{on} = k_{off}/K_d^n,\qquad F/F_{min} = 1 + (F_{max}/F_{min} - 1)\,\theta$$

    with θ = [CaD]/[D]T the bound fraction, at equilibrium θ = [Ca]ⁿ/(K_dⁿ + [Ca]ⁿ). Final subclasses declare
    `Kd` (µM), `n` (Hill coefficient), `dr` (dynamic range Fmax/Fmin), `k_off` (s⁻¹) and `total` (µM of dye)
    with `param`.
    """

    Kd: eqx.AbstractVar[Array]
    n: eqx.AbstractVar[Array]
    dr: eqx.AbstractVar[Array]
    k_off: eqx.AbstractVar[Array]
    total: eqx.AbstractVar[Array]

    name: ClassVar[str]
    citation: ClassVar[str]

    def fraction_bound(self, ca: ArrayLike) -> Array:
        """Equilibrium bound fraction θ (0–1) at free Ca `ca` (µM)."""
        return hill(jnp.asarray(ca), self.Kd, self.n)

    def k_on(self) -> Array:
        """Binding rate constant k_off/K_dⁿ (µM⁻ⁿ s⁻¹)."""
        return self.k_off / self.Kd**self.n

    def binding_rate(self, ca: ArrayLike, bound: ArrayLike) -> Array:
        """Net rate (µM/s) at which dye binds Ca, at free Ca `ca` and bound dye `bound` (both µM)."""
        ca = jnp.maximum(jnp.asarray(ca), 0.0)
        return self.k_on() * ca**self.n * (self.total - bound) - self.k_off * bound

    def capacity(self, ca: ArrayLike) -> Array:
        """Buffer capacity κ_B = d(n·[CaD])/d[Ca] at equilibrium (dimensionless); n = 1 gives [D]T·Kd/(Kd + [Ca])²."""
        ca = jnp.maximum(jnp.asarray(ca), 0.0)
        # dθ/dc = n Kdⁿ cⁿ⁻¹/(Kdⁿ + cⁿ)², finite at c = 0 for n >= 1.
        kn = self.Kd**self.n
        dtheta = self.n * kn * ca ** (self.n - 1.0) / (kn + ca**self.n) ** 2
        return self.n * self.total * dtheta

    def relative_fluorescence(self, fraction: ArrayLike) -> Array:
        """F/Fmin of dye with bound fraction `fraction` (0–1)."""
        return 1.0 + (self.dr - 1.0) * jnp.asarray(fraction)

    def calcium(self, relative_fluorescence: ArrayLike) -> Array:
        """Equilibrium inversion [Ca] = K_d ((F − Fmin)/(Fmax − F))^(1/n) (µM), from F/Fmin.

        **Example:** `Fluo4().calcium(Fluo4().relative_fluorescence(Fluo4().fraction_bound(0.3)))` is 0.3.
        """
        f = jnp.asarray(relative_fluorescence)
        return self.Kd * ((f - 1.0) / (self.dr - f)) ** (1.0 / self.n)
