"""De Young & Keizer 1992: the eight-state IP3 receptor model of Ca oscillations in a closed cell."""

from typing import ClassVar

import jax.numpy as jnp
from jaxtyping import Array

from .._fluxes import DeYoungKeizerIP3R, HillPump, Leak
from .._model import AbstractModel
from .._parameters import param


class DeYoungKeizer1992(AbstractModel):
    r"""De Young–Keizer IP3 receptor model with explicit subunit states x_ijk.

    De Young GW, Keizer J (1992) PNAS 89:9895–9899, doi:10.1073/pnas.89.20.9895. Constants as in Li & Rinzel
    1994 Table 1; units µM and s. Closed cell, ER Ca c_ER = (c0 − c)/c1:

    $$\dot c = c_1 (v_1 x_{110}^3 + v_2)(c_{ER} - c) - v_3 \frac{c^2}{c^2 + k_3^2}$$

    Each subunit state x_ijk (IP3 site i, activating Ca site j, inactivating Ca site k) follows mass action,
    see [`cicrjax.DeYoungKeizerIP3R`][]; the eight fractions sum to 1. IP3 (µM) is the stimulus; its default
    0.5 µM lies inside the oscillatory window. The initial subunit state is at equilibrium with `c_init`.

    **Example:** `simulate(DeYoungKeizer1992(IP3=0.5), jnp.linspace(0, 60, 601))["c"]`
    """

    name: ClassVar[str] = "deyoung-keizer1992"
    states: ClassVar[tuple[str, ...]] = ("c", "x000", "x001", "x010", "x011", "x100", "x101", "x110", "x111")
    citation: ClassVar[str] = "De Young GW, Keizer J (1992) PNAS 89:9895-9899"
    # Freed by a fit without --free: release (v1), uptake (v3, k3) and stimulus (IP3).
    default_free: ClassVar[tuple[str, ...]] = ("v1", "v3", "k3", "IP3")

    a1: Array = param(400.0, "1/(µM·s)", "IP3 binding rate (inactivating site free)")
    a2: Array = param(0.2, "1/(µM·s)", "inactivating Ca binding rate (IP3 bound)")
    a3: Array = param(400.0, "1/(µM·s)", "IP3 binding rate (inactivating site bound)")
    a4: Array = param(0.2, "1/(µM·s)", "inactivating Ca binding rate (IP3 free)")
    a5: Array = param(20.0, "1/(µM·s)", "activating Ca binding rate")
    d1: Array = param(0.13, "µM", "IP3 dissociation constant (inactivating site free)")
    d2: Array = param(1.049, "µM", "inactivating Ca dissociation constant (IP3 bound)")
    d3: Array = param(0.9434, "µM", "IP3 dissociation constant (inactivating site bound)")
    d5: Array = param(0.08234, "µM", "activating Ca dissociation constant")
    c0: Array = param(2.0, "µM", "total Ca per cytosolic volume")
    c1: Array = param(0.185, "1", "ER/cytosol volume ratio")
    v1: Array = param(6.0, "1/s", "maximal IP3R flux rate")
    v2: Array = param(0.11, "1/s", "ER leak rate")
    v3: Array = param(0.9, "µM/s", "maximal SERCA rate")
    k3: Array = param(0.1, "µM", "SERCA half-activation Ca")
    IP3: Array = param(0.5, "µM", "IP3 concentration (stimulus)", "nonnegative")
    c_init: Array = param(0.1, "µM", "initial cytosolic Ca")

    def _receptor(self):
        return DeYoungKeizerIP3R(self.a1, self.a2, self.a3, self.a4, self.a5, self.d1, self.d2, self.d3, self.d5)

    def derivative(self, t, y):
        c, x = y[0], y[1:]
        receptor = self._receptor()
        c_er = (self.c0 - c) / self.c1
        release = self.c1 * Leak(self.v1 * receptor.open_probability(x) + self.v2)(c, c_er)
        dc = release - HillPump(self.v3, self.k3, 2.0)(c)
        return jnp.concatenate([dc[None], receptor.rates(x, c, self.IP3)])

    def initial_state(self):
        return jnp.concatenate([self.c_init[None], self._receptor().equilibrium(self.c_init, self.IP3)])
