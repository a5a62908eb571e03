"""Li & Rinzel 1994: the two-variable reduction of the De Young–Keizer model."""

from typing import ClassVar

import jax.numpy as jnp
from jaxtyping import Array

from .._fluxes import HillPump, Leak, LiRinzelIP3R
from .._model import AbstractModel
from .._parameters import param


class LiRinzel1994(AbstractModel):
    r"""Li–Rinzel reduction of the De Young–Keizer IP3 receptor model, states (C, h).

    Li YX, Rinzel J (1994) J Theor Biol 166:461–473, doi:10.1006/jtbi.1994.1041. Units µM and s. Closed cell,
    C_ER = (c0 − C)/c1:

    $$\dot C = c_1 v_1 m_\infty^3 n_\infty^3 h^3 (C_{ER} - C) + c_1 v_2 (C_{ER} - C) - v_3 \frac{C^2}{C^2+k_3^2},
      \qquad \dot h = a_2 [Q_2 (1-h) - C h]$$

    with m∞ = I/(I + d1), n∞ = C/(C + d5), Q2 = d2 (I + d1)/(I + d3). Oscillations lie between the Hopf points
    IP3 ≈ 0.355 and 0.637 µM; the default IP3 = 0.4 µM gives a period of about 12.8 s. The gate starts at
    h∞ = Q2/(Q2 + C) of `C_init`.

    **Example:** `simulate(LiRinzel1994(IP3=0.4), jnp.linspace(0, 100, 1001))["C"]`
    """

    name: ClassVar[str] = "li-rinzel1994"
    states: ClassVar[tuple[str, ...]] = ("C", "h")
    citation: ClassVar[str] = "Li YX, Rinzel J (1994) J Theor Biol 166:461-473"
    # Freed by a fit without --free: release (v1), uptake (v3, k3) and stimulus (IP3).
    default_free: ClassVar[tuple[str, ...]] = ("v1", "v3", "k3", "IP3")

    a2: Array = param(0.2, "1/(µM·s)", "inactivating Ca binding rate")
    d1: Array = param(0.13, "µM", "IP3 dissociation constant")
    d2: Array = param(1.049, "µM", "inactivating Ca dissociation constant")
    d3: Array = param(0.9434, "µM", "IP3 dissociation constant (inactivated receptor)")
    d5: Array = param(0.08234, "µM", "activating Ca dissociation constant")
    c0: Array = param(2.0, "µM", "total Ca per cytosolic volume")
    c1: Array = param(0.185, "1", "ER/cytosol volume ratio")
    v1: Array = param(6.0, "1/s", "maximal IP3R flux rate")
    v2: Array = param(0.11, "1/s", "ER leak rate")
    v3: Array = param(0.9, "µM/s", "maximal SERCA rate")
    k3: Array = param(0.1, "µM", "SERCA half-activation Ca")
    IP3: Array = param(0.4, "µM", "IP3 concentration (stimulus)", "nonnegative")
    C_init: Array = param(0.1, "µM", "initial cytosolic Ca")

    def _receptor(self):
        return LiRinzelIP3R(self.a2, self.d1, self.d2, self.d3, self.d5)

    def derivative(self, t, y):
        C, h = y
        receptor = self._receptor()
        c_er = (self.c0 - C) / self.c1
        rate = self.v1 * receptor.open_probability(C, self.IP3, h) + self.v2
        dC = self.c1 * Leak(rate)(C, c_er) - HillPump(self.v3, self.k3, 2.0)(C)
        return jnp.stack([dC, receptor.dh(C, self.IP3, h)])

    def initial_state(self):
        q2 = self._receptor().q2(self.IP3)
        return jnp.stack([self.C_init, q2 / (q2 + self.C_init)])
