"""Marhl, Haberichter, Brumen & Heinrich 2000: ER, mitochondria and cytosolic proteins in a closed cell."""

from typing import ClassVar

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array

from .._fluxes import (
    BufferBinding,
    CaActivatedRelease,
    Leak,
    LinearPump,
    MitochondrialEfflux,
    UniporterUptake,
)
from .._model import AbstractModel
from .._parameters import param


class Marhl2000(AbstractModel):
    r"""Marhl 2000 three-pool model with mitochondrial uptake; complex (bursting, period-2, chaotic) oscillations.

    Marhl M, Haberichter T, Brumen M, Heinrich R (2000) BioSystems 57:75–86, doi:10.1016/S0303-2647(00)00090-3.
    Units µM and s.

    $$\dot c = J_{ch} + J_{leak} - J_{pump} + J_{out} - J_{in} + k_- Ca_{Pr} - k_+ c\,Pr$$
    $$\dot{Ca}_{ER} = \tfrac{\beta_{ER}}{\rho_{ER}}(J_{pump} - J_{ch} - J_{leak}),\qquad
      \dot{Ca}_m = \tfrac{\beta_m}{\rho_m}(J_{in} - J_{out})$$

    with J_pump = k_pump c, J_ch = k_ch c²/(K1² + c²)(Ca_ER − c), J_leak = k_leak (Ca_ER − c),
    J_in = k_in c⁸/(K2⁸ + c⁸), J_out = (k_out c²/(K3² + c²) + k_m) Ca_m and Pr = Pr_tot − Ca_Pr.
    The paper eliminates protein-bound Ca through Ca_tot; here Ca_Pr is kept as a fourth state
    (initially Ca_tot minus the free pools), so conservation of c + Ca_Pr + (ρ_ER/β_ER) Ca_ER + (ρ_m/β_m) Ca_m
    = Ca_tot is a check on the flux bookkeeping. Regimes: k_ch = 2700 s⁻¹ period-2, 4100 bursting (default),
    5000 steady. `mitochondria=False` (static) ablates uptake and efflux.

    **Example:** `simulate(Marhl2000(k_ch=4100.0), jnp.linspace(0, 100, 2001))["c"]`
    """

    name: ClassVar[str] = "marhl2000"
    states: ClassVar[tuple[str, ...]] = ("c", "Ca_ER", "Ca_m", "Ca_Pr")
    citation: ClassVar[str] = "Marhl M, Haberichter T, Brumen M, Heinrich R (2000) BioSystems 57:75-86"
    # Freed by a fit without --free: release (k_ch, K1), SERCA uptake (k_pump) and mitochondrial uptake (k_in).
    default_free: ClassVar[tuple[str, ...]] = ("k_ch", "K1", "k_pump", "k_in")

    Ca_tot: Array = param(90.0, "µM", "total Ca per cytosolic volume")
    Pr_tot: Array = param(120.0, "µM", "total Ca-binding protein")
    k_plus: Array = param(0.1, "1/(µM·s)", "protein Ca on-rate k+")
    k_minus: Array = param(0.01, "1/s", "protein Ca off-rate k-")
    rho_ER: Array = param(0.01, "1", "ER/cytosol volume ratio")
    rho_m: Array = param(0.01, "1", "mitochondria/cytosol volume ratio")
    beta_ER: Array = param(0.0025, "1", "free fraction of ER Ca")
    beta_m: Array = param(0.0025, "1", "free fraction of mitochondrial Ca")
    k_pump: Array = param(20.0, "1/s", "SERCA rate constant")
    k_ch: Array = param(4100.0, "1/s", "maximal CICR channel rate")
    K1: Array = param(5.0, "µM", "Ca for half activation of the channel")
    k_leak: Array = param(0.05, "1/s", "ER leak rate")
    k_in: Array = param(300.0, "µM/s", "maximal uniporter uptake")
    K2: Array = param(0.8, "µM", "uniporter half-activation Ca")
    k_out: Array = param(125.0, "1/s", "Ca-activated mitochondrial efflux rate")
    K3: Array = param(5.0, "µM", "Ca for half activation of efflux")
    k_m: Array = param(0.00625, "1/s", "basal mitochondrial efflux rate")
    c_init: Array = param(0.05, "µM", "initial cytosolic Ca")
    Ca_ER_init: Array = param(1.0, "µM", "initial ER Ca")
    Ca_m_init: Array = param(0.4, "µM", "initial mitochondrial Ca")
    mitochondria: bool = eqx.field(default=True, static=True)

    def derivative(self, t, y):
        c, ca_er, ca_m, ca_pr = y
        j_pump = LinearPump(self.k_pump)(c)
        j_ch = CaActivatedRelease(self.k_ch, self.K1, 2.0, gradient=True)(c, ca_er)
        j_leak = Leak(self.k_leak)(c, ca_er)
        if self.mitochondria:
            j_mito = UniporterUptake(self.k_in, self.K2, 8.0)(c) - MitochondrialEfflux(self.k_out, self.K3, self.k_m)(
                c, ca_m
            )
        else:
            j_mito = jnp.zeros_like(c)
        binding = BufferBinding(self.Pr_tot, self.k_plus, self.k_minus)(c, ca_pr)
        dc = j_ch + j_leak - j_pump - j_mito - binding
        d_er = self.beta_ER / self.rho_ER * (j_pump - j_ch - j_leak)
        d_m = self.beta_m / self.rho_m * j_mito
        return jnp.stack([dc, d_er, d_m, binding])

    def total_calcium(self, y: Array) -> Array:
        """Total Ca per cytosolic volume (µM) of state(s) `y`: conserved, equal to `Ca_tot`."""
        c, ca_er, ca_m, ca_pr = jnp.moveaxis(y, -1, 0)
        return c + ca_pr + self.rho_ER / self.beta_ER * ca_er + self.rho_m / self.beta_m * ca_m

    def initial_state(self):
        free = jnp.stack([self.c_init, self.Ca_ER_init, self.Ca_m_init, jnp.zeros_like(self.c_init)])
        return free.at[3].set(self.Ca_tot - self.total_calcium(free))
