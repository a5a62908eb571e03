"""Borghans, Dupont & Goldbeter 1997 (model 1997b): CICR with Ca-activated IP3 degradation."""

from typing import ClassVar

import jax.numpy as jnp
from jaxtyping import Array

from .._fluxes import CaActivatedRelease, HillPump, Influx, LinearExtrusion
from .._hill import hill
from .._model import AbstractModel
from .._parameters import param
from .._units import PER_MINUTE


class Borghans1997(AbstractModel):
    r"""Borghans–Dupont–Goldbeter model 1997b: CICR coupled to Ca-activated IP3 degradation; bursting oscillations.

    Borghans JAM, Dupont G, Goldbeter A (1997) Biophys Chem 66:25–41, doi:10.1016/S0301-4622(97)00010-0
    (CellML borghans_dupont_goldbeter_1997b). **Published in µM and minutes**: every rate below was divided by 60
    here, once, so the model runs in seconds.

    $$\dot Z = v_0 + v_1\beta - V_2 + V_3 + k_f Y - k Z,\qquad \dot Y = V_2 - V_3 - k_f Y$$
    $$\dot A = \beta V_p - V_d \frac{A^2}{K_p^2 + A^2}\frac{Z^n}{K_d^n + Z^n} - \varepsilon A$$
    $$V_2 = V_{M2}\frac{Z^2}{K_2^2+Z^2},\quad
      V_3 = V_{M3}\frac{A^4}{K_a^4+A^4}\frac{Y^2}{K_y^2+Y^2}\frac{Z^4}{K_z^4+Z^4}$$

    Z is cytosolic Ca, Y store Ca, A IP3 (µM). Simple oscillations at β ≈ 0.3–0.45, bursting at the published
    β = 0.5.

    **Example:** `simulate(Borghans1997(beta=0.5), jnp.linspace(0, 600, 3001))["Z"]`
    """

    name: ClassVar[str] = "borghans1997"
    states: ClassVar[tuple[str, ...]] = ("Z", "Y", "A")
    citation: ClassVar[str] = "Borghans JAM, Dupont G, Goldbeter A (1997) Biophys Chem 66:25-41 (model 1997b)"
    # Freed by a fit without --free: release (VM3), uptake (VM2, K2) and stimulus (beta).
    default_free: ClassVar[tuple[str, ...]] = ("VM3", "VM2", "K2", "beta")

    v0: Array = param(2.0 * PER_MINUTE, "µM/s", "basal Ca influx (paper: 2 µM/min)")
    v1: Array = param(1.0 * PER_MINUTE, "µM/s", "maximal stimulated influx (paper: 1 µM/min)")
    beta: Array = param(0.5, "1", "degree of stimulation", "unit_interval")
    VM2: Array = param(6.5 * PER_MINUTE, "µM/s", "maximal SERCA rate (paper: 6.5 µM/min)")
    K2: Array = param(0.1, "µM", "SERCA half-activation Ca")
    VM3: Array = param(19.5 * PER_MINUTE, "µM/s", "maximal release rate (paper: 19.5 µM/min)")
    Ka: Array = param(0.2, "µM", "IP3 for half-maximal release")
    Ky: Array = param(0.2, "µM", "store Ca for half-maximal release")
    Kz: Array = param(0.3, "µM", "cytosolic Ca for half activation of release (CICR sensitivity)")
    Vp: Array = param(2.5 * PER_MINUTE, "µM/s", "maximal IP3 synthesis (paper: 2.5 µM/min)")
    Vd: Array = param(80.0 * PER_MINUTE, "µM/s", "maximal Ca-activated IP3 degradation (paper: 80 µM/min)")
    Kp: Array = param(1.0, "µM", "IP3 half-saturation of degradation")
    Kd: Array = param(0.4, "µM", "Ca half-activation of IP3 degradation")
    n: Array = param(4.0, "1", "Hill coefficient of Ca-activated IP3 degradation")
    epsilon: Array = param(0.1 * PER_MINUTE, "1/s", "Ca-independent IP3 degradation (paper: 0.1 /min)")
    kf: Array = param(1.0 * PER_MINUTE, "1/s", "passive store leak (paper: 1 /min)")
    k: Array = param(10.0 * PER_MINUTE, "1/s", "extrusion rate (paper: 10 /min)")
    Z_init: Array = param(0.1, "µM", "initial cytosolic Ca")
    Y_init: Array = param(1.0, "µM", "initial store Ca")
    A_init: Array = param(0.5, "µM", "initial IP3")

    def derivative(self, t, y):
        Z, Y, A = y
        V2 = HillPump(self.VM2, self.K2, 2.0)(Z)
        V3 = hill(A, self.Ka, 4.0) * CaActivatedRelease(self.VM3, self.Kz, 4.0, K_lum=self.Ky, n_lum=2.0)(Z, Y)
        leak = self.kf * Y
        dZ = Influx(self.v0, self.v1)(self.beta) - V2 + V3 + leak - LinearExtrusion(self.k)(Z)
        dY = V2 - V3 - leak
        dA = self.beta * self.Vp - self.Vd * hill(A, self.Kp, 2.0) * hill(Z, self.Kd, self.n) - self.epsilon * A
        return jnp.stack([dZ, dY, dA])

    def initial_state(self):
        return jnp.stack([self.Z_init, self.Y_init, self.A_init])
