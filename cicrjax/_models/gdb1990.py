"""Goldbeter, Dupont & Berridge 1990: the minimal two-pool CICR oscillator."""

from typing import ClassVar

import jax.numpy as jnp
from jaxtyping import Array

from .._fluxes import CaActivatedRelease, HillPump, Influx, LinearExtrusion
from .._model import AbstractModel
from .._parameters import param


class GDB1990(AbstractModel):
    r"""Goldbeter–Dupont–Berridge minimal model of CICR oscillations.

    Goldbeter A, Dupont G, Berridge MJ (1990) PNAS 87:1461–1465, doi:10.1073/pnas.87.4.1461
    (BioModels BIOMD0000000098). Published in µM and s, so no conversion is needed.

    $$\dot Z = v_0 + v_1\beta - V_2 + V_3 + k_f Y - k Z,\qquad \dot Y = V_2 - V_3 - k_f Y$$
    $$V_2 = V_{M2}\,\frac{Z^n}{K_2^n+Z^n},\qquad V_3 = V_{M3}\,\frac{Y^m}{K_R^m+Y^m}\,\frac{Z^p}{K_A^p+Z^p}$$

    Z is cytosolic Ca and Y Ca in the IP3-insensitive store (both µM, per cell volume). β, the IP3-driven
    fraction of influx, is the stimulus: oscillations lie between the Hopf points β ≈ 0.289 and 0.774.

    **Example:** `simulate(GDB1990(beta=0.301), jnp.linspace(0, 10, 1001))["Z"]`
    """

    name: ClassVar[str] = "gdb1990"
    states: ClassVar[tuple[str, ...]] = ("Z", "Y")
    citation: ClassVar[str] = "Goldbeter A, Dupont G, Berridge MJ (1990) PNAS 87:1461-1465"
    # Freed by a fit without --free: release (VM3, KR), uptake (VM2, K2) and stimulus (beta).
    default_free: ClassVar[tuple[str, ...]] = ("VM3", "KR", "VM2", "K2", "beta")

    v0: Array = param(1.0, "µM/s", "basal Ca influx")
    v1: Array = param(7.3, "µM/s", "maximal IP3-driven influx")
    beta: Array = param(0.301, "1", "saturation of the IP3 receptor (stimulus)", "unit_interval")
    VM2: Array = param(65.0, "µM/s", "maximal SERCA uptake rate")
    K2: Array = param(1.0, "µM", "SERCA half-activation Ca")
    n: Array = param(2.0, "1", "SERCA Hill coefficient")
    VM3: Array = param(500.0, "µM/s", "maximal CICR release rate")
    KR: Array = param(2.0, "µM", "store Ca for half-maximal release")
    m: Array = param(2.0, "1", "store-Ca Hill coefficient of release")
    KA: Array = param(0.9, "µM", "cytosolic Ca for half activation of release (CICR sensitivity)")
    p: Array = param(4.0, "1", "cytosolic-Ca Hill coefficient of release")
    kf: Array = param(1.0, "1/s", "passive store leak rate")
    k: Array = param(10.0, "1/s", "plasma-membrane extrusion rate")
    Z_init: Array = param(0.15, "µM", "initial cytosolic Ca")
    Y_init: Array = param(1.6, "µM", "initial store Ca")

    def derivative(self, t, y):
        Z, Y = y
        V2 = HillPump(self.VM2, self.K2, self.n)(Z)
        V3 = CaActivatedRelease(self.VM3, self.KA, self.p, K_lum=self.KR, n_lum=self.m)(Z, Y)
        influx = Influx(self.v0, self.v1)(self.beta)
        leak = self.kf * Y
        dZ = influx - V2 + V3 + leak - LinearExtrusion(self.k)(Z)
        dY = V2 - V3 - leak
        return jnp.stack([dZ, dY])

    def initial_state(self):
        return jnp.stack([self.Z_init, self.Y_init])
