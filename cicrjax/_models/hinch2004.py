"""Hinch, Greenstein, Tanskanen, Xu & Winslow 2004: simplified local-control model of cardiac CICR."""

from typing import ClassVar

import jax.numpy as jnp
from jaxtyping import Array

from .._fluxes.electro import FARADAY, GAS_CONSTANT, ghk_factor, reduced_potential
from .._fluxes.ncx import NCX
from .._hill import hill
from .._muscle_model import AbstractMuscleModel
from .._parameters import param
from .._rosenbrock import Rodas4
from .._units import MILLIMOLAR, PER_MS


class Hinch2004(AbstractMuscleModel):
    r"""Hinch et al. 2004 local control: Ca release units of one LCC and one RyR, with algebraic dyadic Ca.

    Hinch R, Greenstein JL, Tanskanen AJ, Xu L, Winslow RL (2004) Biophys J 87:3723–3736,
    doi:10.1529/biophysj.104.049973; equations as in the CellML model hinch_greenstein_tanskanen_xu_winslow_2004.
    Converted from mM, ms to µM, s (volumes in µm³). Each unit's dyadic Ca is algebraic (C_co, C_oc, C_oo);
    the fast LCC/RyR transitions are eliminated, leaving the reduced states z1 (closed-closed pool), z2 (LCC
    inactivated), z3 (RyR inactivated), z4 = 1 − z1 − z2 − z3:

    $$\dot{Ca}_i = \beta_{CMDN}(I_{LCC} + I_{RyR} - I_{SERCA} + I_{SR} + I_{NaCa} - I_{pCa} + I_{CaB} + I_{TRPN})$$
    $$\dot{Ca}_{SR} = \tfrac{V_{myo}}{V_{SR}}(-I_{RyR} + I_{SERCA} - I_{SR}),\qquad
      \dot{TRPN} = k^-_{TRPN}(B_{TRPN} - TRPN) - k^+_{TRPN}\,TRPN\,Ca_i$$

    `TRPN` is the Ca-free troponin. The CellML J_Loo denominator has 1 − e^{+φ}; like its sibling terms it is
    taken with 1 − e^{−φ} (a typo in the file). `V` (mV) and `Ca_o` (µM) are parameters for a protocol to drive.

    **Example:** `simulate(Hinch2004(), ts, protocol=voltage_clamp(0.0))`
    """

    name: ClassVar[str] = "hinch2004"
    states: ClassVar[tuple[str, ...]] = ("Ca_i", "Ca_SR", "z_1", "z_2", "z_3", "TRPN")
    citation: ClassVar[str] = "Hinch R, Greenstein JL, Tanskanen AJ, Xu L, Winslow RL (2004) Biophys J 87:3723-3736"
    # Freed by a fit without --free: RyR Ca sensitivity, maximal release flux, SERCA V_max and K_m.
    default_free: ClassVar[tuple[str, ...]] = ("K_RyR", "J_R", "g_SERCA", "K_SERCA")
    ryr_sensitivity: ClassVar[str] = "K_RyR"

    V: Array = param(-80.0, "mV", "membrane potential (driven by a protocol)", "real")
    Ca_o: Array = param(1.0 * MILLIMOLAR, "µM", "extracellular Ca", "nonnegative")
    T: Array = param(295.0, "K", "temperature")
    V_myo: Array = param(25.84e3, "µm³", "myoplasm volume")
    V_SR: Array = param(2.098e3, "µm³", "SR volume")
    g_D: Array = param(0.065 * PER_MS, "µm³/s", "dyad-to-cytosol diffusion")
    J_R: Array = param(0.02 * PER_MS, "µm³/s", "RyR permeability of one release unit")
    J_L: Array = param(9.13e-4 * PER_MS, "µm³/s", "LCC permeability of one release unit")
    N: Array = param(50000.0, "1", "number of Ca release units")
    V_L: Array = param(-2.0, "mV", "LCC half-activation voltage", "real")
    del_VL: Array = param(7.0, "mV", "LCC activation slope")
    phi_L: Array = param(2.35, "1", "LCC closing/opening rate ratio")
    t_L: Array = param(1.0 / PER_MS, "s", "LCC opening time scale")
    tau_L: Array = param(650.0 / PER_MS, "s", "LCC inactivation time scale")
    tau_R: Array = param(2.43 / PER_MS, "s", "RyR inactivation time scale")
    phi_R: Array = param(0.05, "1", "RyR closing rate factor")
    theta_R: Array = param(0.012, "1", "RyR recovery factor")
    K_RyR: Array = param(41e-3 * MILLIMOLAR, "µM", "dyadic Ca for half-maximal RyR opening")
    K_L: Array = param(0.22e-3 * MILLIMOLAR, "µM", "Ca for LCC Ca-dependent inactivation")
    a: Array = param(0.0625, "1", "LCC inactivation voltage factor a")
    b: Array = param(14.0, "1", "LCC recovery factor b")
    c: Array = param(0.01, "1", "RyR inactivation floor c")
    d: Array = param(100.0, "1", "RyR recovery factor d")
    K_mNa: Array = param(87.5 * MILLIMOLAR, "µM", "NCX Na affinity")
    K_mCa: Array = param(1.38 * MILLIMOLAR, "µM", "NCX Ca affinity")
    eta: Array = param(0.35, "1", "NCX voltage-dependence position", "unit_interval")
    k_sat: Array = param(0.1, "1", "NCX saturation factor")
    g_NCX: Array = param(38.5e-3 * MILLIMOLAR * PER_MS, "µM/s", "maximal NCX rate")
    Na_i: Array = param(10.0 * MILLIMOLAR, "µM", "intracellular Na")
    Na_o: Array = param(140.0 * MILLIMOLAR, "µM", "extracellular Na")
    g_SERCA: Array = param(0.45e-3 * MILLIMOLAR * PER_MS, "µM/s", "maximal SERCA rate")
    K_SERCA: Array = param(0.5e-3 * MILLIMOLAR, "µM", "SERCA half-activation Ca")
    g_pCa: Array = param(0.0035e-3 * MILLIMOLAR * PER_MS, "µM/s", "maximal sarcolemmal Ca pump rate")
    K_mpCa: Array = param(0.5e-3 * MILLIMOLAR, "µM", "sarcolemmal pump half-activation Ca")
    g_CaB: Array = param(2.6875e-8 * MILLIMOLAR * PER_MS, "µM/(mV·s)", "background Ca conductance", "nonnegative")
    g_SRl: Array = param(1.8951e-5 * PER_MS, "1/s", "SR leak rate", "nonnegative")
    k_m_TRPN: Array = param(0.04 * PER_MS, "1/s", "troponin Ca off-rate")
    k_p_TRPN: Array = param(0.04e3 * PER_MS / MILLIMOLAR, "1/(µM·s)", "troponin Ca on-rate")
    B_TRPN: Array = param(70e-3 * MILLIMOLAR, "µM", "total troponin")
    k_CMDN: Array = param(2.382e-3 * MILLIMOLAR, "µM", "calmodulin dissociation constant")
    B_CMDN: Array = param(50e-3 * MILLIMOLAR, "µM", "total calmodulin (rapid buffer)")

    def _units(self, y):
        """Shared algebra: rates (s⁻¹) of the reduced scheme and the unit fluxes (µM·µm³/s)."""
        ca, s = y[0], y[1]
        phi = reduced_potential(self.V, self.T, 2.0)
        psi = ghk_factor(phi)
        ca_o_in = self.Ca_o * jnp.exp(-phi)
        rl, rr = self.J_L / self.g_D, self.J_R / self.g_D
        c_oc = (ca + rl * ca_o_in * psi) / (1.0 + rl * psi)
        c_co = (ca + rr * s) / (1.0 + rr)
        t_R = 1.17 * self.t_L
        k2 = self.K_RyR**2
        ck2 = self.c * k2

        def mu_p(x):
            return (x**2 + ck2) / (self.tau_R * (x**2 + k2))

        def mu_m(x):
            return self.theta_R * self.d * (x**2 + ck2) / (self.tau_R * (self.d * x**2 + ck2))

        def beta_p(x):
            return x**2 / (t_R * (x**2 + k2))

        exp_vl = jnp.exp((self.V - self.V_L) / self.del_VL)
        alpha_p = exp_vl / (self.t_L * (exp_vl + 1.0))
        alpha_m = self.phi_L / self.t_L
        beta_m = self.phi_R / t_R
        beta_pcc, beta_poc = beta_p(ca), beta_p(c_oc)
        eps_fac = (exp_vl + self.a) / (self.tau_L * self.K_L * (exp_vl + 1.0))
        eps_pco, eps_pcc = c_co * eps_fac, ca * eps_fac
        eps_m = self.b * (exp_vl + self.a) / (self.tau_L * (self.b * exp_vl + self.a))
        denom = (alpha_p + alpha_m) * (
            (alpha_m + beta_m + beta_poc) * (beta_m + beta_pcc) + alpha_p * (beta_m + beta_poc)
        )
        y_oc = alpha_p * beta_m * (alpha_p + alpha_m + beta_m + beta_pcc) / denom
        y_cc = alpha_m * beta_m * (alpha_m + alpha_p + beta_m + beta_poc) / denom
        y_co = alpha_m * (beta_pcc * (alpha_m + beta_m + beta_poc) + beta_poc * alpha_p) / denom
        y_oo = alpha_p * (beta_poc * (alpha_p + beta_m + beta_pcc) + beta_pcc * alpha_m) / denom
        r1 = y_oc * mu_p(c_oc) + y_cc * mu_p(ca)
        r2 = (alpha_p * mu_m(c_oc) + alpha_m * mu_m(ca)) / (alpha_p + alpha_m)
        r3 = beta_m * mu_p(ca) / (beta_m + beta_pcc)
        r4 = mu_m(ca)
        r5 = y_co * eps_pco + y_cc * eps_pcc
        r7 = alpha_m * eps_pcc / (alpha_p + alpha_m)
        # Unit fluxes (µM·µm³/s).
        j_rco = self.J_R * (s - ca) / (1.0 + rr)
        j_roo = self.J_R * ((s - ca) + rl * psi * (s - ca_o_in)) / (1.0 + rr + rl * psi)
        j_loo = self.J_L * psi * ((ca_o_in - ca) + rr * (ca_o_in - s)) / (1.0 + rr + rl * psi)
        j_loc = self.J_L * psi * (ca_o_in - ca) / (1.0 + rl * psi)
        j_r1 = y_oo * j_roo + j_rco * y_co
        j_r3 = j_rco * beta_pcc / (beta_m + beta_pcc)
        j_l1 = j_loo * y_oo + j_loc * y_oc
        j_l2 = j_loc * alpha_p / (alpha_p + alpha_m)
        return (r1, r2, r3, r4, r5, eps_m, r7), (j_r1, j_r3, j_l1, j_l2)

    def release_flux(self, y):
        _, (j_r1, j_r3, _, _) = self._units(y)
        return (y[2] * j_r1 + y[4] * j_r3) * self.N / self.V_myo

    def trigger_flux(self, y):
        _, (_, _, j_l1, j_l2) = self._units(y)
        return (y[2] * j_l1 + y[3] * j_l2) * self.N / self.V_myo

    def sr_calcium(self, y):
        return y[1] * self.V_SR / self.V_myo

    def free_calcium_fraction(self, y):
        """β_CMDN = 1/(1 + k_CMDN B_CMDN/(k_CMDN + Ca_i)²): the fraction of entering Ca that calmodulin leaves free."""
        return 1.0 / (1.0 + self.k_CMDN * self.B_CMDN / (self.k_CMDN + y[0]) ** 2)

    def derivative(self, t, y):
        ca, s, z1, z2, z3, trpn = y
        (r1, r2, r3, r4, r5, eps_m, r7), (j_r1, j_r3, j_l1, j_l2) = self._units(y)
        z4 = 1.0 - z1 - z2 - z3
        dz1 = -(r1 + r5) * z1 + r2 * z2 + eps_m * z3
        dz2 = r1 * z1 - (r2 + r7) * z2 + eps_m * z4
        dz3 = r5 * z1 - (eps_m + r3) * z3 + r4 * z4
        i_ryr = (z1 * j_r1 + z3 * j_r3) * self.N / self.V_myo
        i_lcc = (z1 * j_l1 + z2 * j_l2) * self.N / self.V_myo
        i_serca = self.g_SERCA * hill(ca, self.K_SERCA, 2.0)
        i_sr = self.g_SRl * (s - ca)
        u = reduced_potential(self.V, self.T)
        i_naca = NCX(self.g_NCX, self.K_mNa, self.K_mCa, self.eta, self.k_sat)(u, ca, self.Na_i, self.Na_o, self.Ca_o)
        i_pca = self.g_pCa * ca / (self.K_mpCa + ca)
        e_ca = GAS_CONSTANT * self.T / (2.0 * FARADAY) * jnp.log(jnp.maximum(self.Ca_o, 1e-6) / jnp.maximum(ca, 1e-6))
        i_cab = self.g_CaB * (e_ca - self.V)
        i_trpn = self.k_m_TRPN * (self.B_TRPN - trpn) - self.k_p_TRPN * trpn * ca
        dca = self.free_calcium_fraction(y) * (i_lcc + i_ryr - i_serca + i_sr + i_naca - i_pca + i_cab + i_trpn)
        dsr = self.V_myo / self.V_SR * (-i_ryr + i_serca - i_sr)
        return jnp.stack([dca, dsr, dz1, dz2, dz3, i_trpn])

    def initial_state(self):
        """The CellML initial state (rest at −80 mV), converted to µM."""
        z = [0.98859, 0.0087302, 0.0026566]
        return jnp.array([0.1, 700e-3 * MILLIMOLAR, *z, 0.0636364 * MILLIMOLAR], dtype=self.V.dtype)

    def default_solver(self):
        """Rodas4: on a 0 mV clamp, simulation 2.1 ms against 10.8 ms (Kvaerno5 + Newton) and 6.0 ms (Ros34PW2);
        forward-mode gradient of five parameters 21 ms against 35 and 20 ms (load 6–9, one process)."""
        return Rodas4()
