"""The default cardiac myocyte Ca model: the Shannon et al. 2004 Ca subsystem with prescribed voltage."""

from typing import ClassVar

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array

from .._fluxes.buffers import RapidBuffer
from .._fluxes.electro import reduced_potential
from .._fluxes.ltype import GHKCalciumFlux, ShannonLTypeGates
from .._fluxes.ncx import AllostericNCX
from .._fluxes.pumps import HillPump, ReversiblePump
from .._fluxes.ryr import FourStateRyR
from .._muscle_model import AbstractMuscleModel, muscle_solver
from .._parameters import param
from .._units import MILLIMOLAR, PER_MS


class Cardiac(AbstractMuscleModel):
    r"""Dyad-aware ventricular myocyte Ca model after Shannon et al. 2004, for fitting paced Ca transients.

    Shannon TR, Wang F, Puglisi J, Weber C, Bers DM (2004) Biophys J 87:3351–3371, doi:10.1529/biophysj.104.047449
    (rabbit ventricle, 37 °C). Its Ca subsystem, converted from mM, ms to µM, s: junctional cleft (`Ca_j`),
    subsarcolemmal space (`Ca_sl`), bulk cytosol (`Ca_i`) and SR (`Ca_SR`), coupled by diffusion. Every flux is
    written per cytosolic volume (µM/s) and scaled by V_myo/V_x into compartment x:

    $$\dot{Ca}_j = \beta_j \tfrac{V_{myo}}{V_j}(J_{CaL,j} + J_{NCX,j} - J_{PMCA,j} + J_{b,j} + J_{rel} + J_{leak}
       - J_{j,sl}),\qquad \dot{Ca}_{SR} = \beta_{SR}\tfrac{V_{myo}}{V_{SR}}(J_{SERCA} - J_{rel} - J_{leak})$$
    $$\dot{Ca}_{sl} = \beta_{sl}\tfrac{V_{myo}}{V_{sl}}(J_{CaL,sl} + J_{NCX,sl} - J_{PMCA,sl} + J_{b,sl} + J_{j,sl}
       - J_{sl,myo}),\qquad \dot{Ca}_i = \beta_i(J_{sl,myo} - J_{SERCA} - \textstyle\sum J_{bind})$$

    - L-type trigger: GHK flux P_CaL d f (1 − fCaB) (90 % junctional) with Shannon's d, f and fCaB gates.
    - RyR: four-state Stern scheme with Ca activation (`K_act`, Hill `n_act`), Ca-dependent inactivation
      (`k_iCa`, recovery `k_im`: the refractoriness behind alternans) and luminal SR-Ca dependence
      (`EC50_SR`, `kappa_max`); release `k_rel` (Shannon's ks) times open fraction times (Ca_SR − Ca_j).
      `K_act` = √(k_om/koCa) = 77.5 µM reproduces Shannon's koCa = 10 mM⁻²ms⁻¹ at a full SR.
    - SERCA: reversible Hill pump (`V_max_SERCA` per cytosolic volume, `K_m_SERCA`, `K_r_SERCA`, `n_SERCA`);
      `reversible_serca=False` (static) drops the reverse term.
    - NCX (allosteric, 11 % junctional), PMCA, SR leak, background Ca influx.
    - Buffers: troponin (low-affinity site; high-affinity Ca/Mg site) and myosin (Ca/Mg) with explicit kinetics;
      calmodulin, SR membrane sites, sarcolemmal sites (SLL, SLH) and calsequestrin in rapid equilibrium
      (β_x = 1/(1 + Σ κ)).

    Deviations, for a Ca-only model driven by a voltage protocol: `V` (mV) and `Ca_o` (µM) are parameters;
    Na_i is fixed; the background Ca current takes GHK form (Shannon's linear form is undefined at zero
    extracellular Ca), scaled to equal Shannon's at −85 mV. `caffeine` (0–1, driven by a protocol) forces
    RyRs open.

    Behaviour with the defaults (tests/test_muscle_cardiac.py): at 1 Hz with `paced(1.0, ...)`, Ca_i rises from
    0.086 to about 0.43 µM; a Ca-free bath abolishes the transient; `K_act` × 3 cuts it by more than half. Per beat
    (µM per litre cytosol) the L-type channels admit 12.6 and the RyRs release 45.1 from an SR holding 93
    (fractional release 33 %), so ∫release/∫trigger is 3.6 (peak gain about 7.5 in a clamp to 0 mV). In the
    steady state release equals SERCA uptake and entry equals extrusion, so this ratio is the SERCA : sarcolemmal
    share of Ca removal, here 78 : 22 (rabbit, Bers 2002: 70 : 28); ratios of 7 or more need rat-like removal
    (92 % by SERCA). No alternans from 1 to 8 Hz; with RyR recovery slowed to `k_im` = 1 s⁻¹ and steep luminal
    regulation (`n_lum` = 6) the amplitude alternates by > 15 % at a 140 ms cycle and not at 1 Hz.

    **Example:** `simulate(Cardiac(), jnp.linspace(0, 1, 501), protocol=paced(1.0, count=1))["Ca_i"]`
    """

    name: ClassVar[str] = "cardiac"
    states: ClassVar[tuple[str, ...]] = (
        "Ca_i", "Ca_SR", "Ca_sl", "Ca_j", "RyR_R", "RyR_O", "RyR_I", "d", "f", "fCaB_j", "fCaB_sl",
        "TnCL", "TnCHc", "TnCHm", "Myo_c", "Myo_m",
    )  # fmt: skip
    citation: ClassVar[str] = "Shannon TR, Wang F, Puglisi J, Weber C, Bers DM (2004) Biophys J 87:3351-3371"
    # Freed by a fit without --free: RyR Ca sensitivity, maximal release rate, SERCA V_max and K_m.
    default_free: ClassVar[tuple[str, ...]] = ("K_act", "k_rel", "V_max_SERCA", "K_m_SERCA")
    ryr_sensitivity: ClassVar[str] = "K_act"

    # Drivers.
    V: Array = param(-85.0, "mV", "membrane potential (driven by a protocol)", "real")
    Ca_o: Array = param(1.8 * MILLIMOLAR, "µM", "extracellular Ca", "nonnegative")
    caffeine: Array = param(0.0, "1", "fraction of RyRs forced open by caffeine", "unit_interval")
    T: Array = param(310.0, "K", "temperature")
    Na_i: Array = param(9.0 * MILLIMOLAR, "µM", "intracellular Na (fixed)")
    Na_o: Array = param(140.0 * MILLIMOLAR, "µM", "extracellular Na")
    Mg_i: Array = param(1.0 * MILLIMOLAR, "µM", "intracellular free Mg")
    # Geometry (fractions of the cell volume) and diffusion.
    f_myo: Array = param(0.65, "1", "bulk cytosol volume fraction", "unit_interval")
    f_SR: Array = param(0.035, "1", "SR volume fraction", "unit_interval")
    f_sl: Array = param(0.02, "1", "subsarcolemmal volume fraction", "unit_interval")
    f_j: Array = param(5.39e-4, "1", "junctional cleft volume fraction", "unit_interval")
    V_cell: Array = param(3.3006e4, "µm³", "cell volume (π·10.25²·100 µm³)")
    D_j_sl: Array = param(8.2413e-13 * 1e15 * PER_MS, "µm³/s", "cleft-to-SL diffusion conductance")
    D_sl_myo: Array = param(3.7243e-12 * 1e15 * PER_MS, "µm³/s", "SL-to-cytosol diffusion conductance")
    # L-type channel.
    P_CaL: Array = param(0.53339, "1/s", "L-type Ca permeability per cytosolic volume", "nonnegative")
    F_j_CaL: Array = param(0.9, "1", "junctional fraction of L-type channels", "unit_interval")
    k_fCa_on: Array = param(1.7 * PER_MS / MILLIMOLAR, "1/(µM·s)", "L-type Ca-inactivation on-rate")
    k_fCa_off: Array = param(11.9e-3 * PER_MS, "1/s", "L-type Ca-inactivation off-rate")
    # RyR.
    K_act: Array = param(77.46, "µM", "RyR Ca sensitivity: cleft Ca for half-maximal opening at a full SR")
    n_act: Array = param(2.0, "1", "Hill coefficient of RyR Ca activation")
    k_om: Array = param(0.06 * PER_MS, "1/s", "RyR closing rate")
    k_iCa: Array = param(0.5 * PER_MS / MILLIMOLAR, "1/(µM·s)", "RyR Ca-dependent inactivation rate")
    k_im: Array = param(0.005 * PER_MS, "1/s", "RyR recovery from inactivation (refractoriness)")
    EC50_SR: Array = param(0.45 * MILLIMOLAR, "µM", "SR Ca for half luminal regulation")
    n_lum: Array = param(2.5, "1", "Hill coefficient of luminal regulation")
    kappa_max: Array = param(15.0, "1", "luminal desensitisation at an empty SR (MaxSR/MinSR)")
    k_rel: Array = param(25.0 * PER_MS, "1/s", "maximal RyR release rate constant (ks)")
    k_leak: Array = param(5.348e-6 * PER_MS, "1/s", "SR leak rate per cytosolic volume", "nonnegative")
    # SERCA.
    V_max_SERCA: Array = param(286.0, "µM/s", "maximal SERCA rate per cytosolic volume")
    K_m_SERCA: Array = param(0.246, "µM", "SERCA half-activation cytosolic Ca (Kmf)")
    K_r_SERCA: Array = param(1.7 * MILLIMOLAR, "µM", "SERCA reverse half-activation SR Ca (Kmr)")
    n_SERCA: Array = param(1.787, "1", "SERCA Hill coefficient")
    # Sarcolemmal transport.
    V_max_NCX: Array = param(600.43, "µM/s", "maximal NCX rate per cytosolic volume (9 A/F)", "nonnegative")
    K_mCai: Array = param(3.59e-3 * MILLIMOLAR, "µM", "NCX internal Ca affinity")
    K_mCao: Array = param(1.3 * MILLIMOLAR, "µM", "NCX external Ca affinity")
    K_mNai: Array = param(12.29 * MILLIMOLAR, "µM", "NCX internal Na affinity")
    K_mNao: Array = param(87.5 * MILLIMOLAR, "µM", "NCX external Na affinity")
    K_d_act: Array = param(0.256e-3 * MILLIMOLAR, "µM", "NCX allosteric Ca activation")
    k_sat: Array = param(0.27, "1", "NCX saturation factor")
    eta: Array = param(0.35, "1", "NCX voltage-dependence position", "unit_interval")
    F_j_NCX: Array = param(0.11, "1", "junctional fraction of NCX and PMCA", "unit_interval")
    V_max_PMCA: Array = param(2.245, "µM/s", "maximal PMCA rate per cytosolic volume", "nonnegative")
    K_m_PMCA: Array = param(0.5e-3 * MILLIMOLAR, "µM", "PMCA half-activation Ca")
    n_PMCA: Array = param(1.6, "1", "PMCA Hill coefficient")
    P_b: Array = param(1.5769e-4, "1/s", "background Ca permeability per cytosolic volume", "nonnegative")
    # Dynamic buffers (per cytosolic volume).
    B_TnCL: Array = param(70e-3 * MILLIMOLAR, "µM", "troponin C low-affinity sites")
    kon_TnCL: Array = param(32.7 * PER_MS / MILLIMOLAR, "1/(µM·s)", "TnC low-affinity Ca on-rate")
    koff_TnCL: Array = param(19.6e-3 * PER_MS, "1/s", "TnC low-affinity Ca off-rate")
    B_TnCH: Array = param(140e-3 * MILLIMOLAR, "µM", "troponin C high-affinity Ca/Mg sites")
    kon_TnCHc: Array = param(2.37 * PER_MS / MILLIMOLAR, "1/(µM·s)", "TnC high-affinity Ca on-rate")
    koff_TnCHc: Array = param(0.032e-3 * PER_MS, "1/s", "TnC high-affinity Ca off-rate")
    kon_TnCHm: Array = param(3e-3 * PER_MS / MILLIMOLAR, "1/(µM·s)", "TnC high-affinity Mg on-rate")
    koff_TnCHm: Array = param(3.33e-3 * PER_MS, "1/s", "TnC high-affinity Mg off-rate")
    B_myo: Array = param(140e-3 * MILLIMOLAR, "µM", "myosin Ca/Mg sites")
    kon_myo_c: Array = param(13.8 * PER_MS / MILLIMOLAR, "1/(µM·s)", "myosin Ca on-rate")
    koff_myo_c: Array = param(0.46e-3 * PER_MS, "1/s", "myosin Ca off-rate")
    kon_myo_m: Array = param(0.0157 * PER_MS / MILLIMOLAR, "1/(µM·s)", "myosin Mg on-rate")
    koff_myo_m: Array = param(0.057e-3 * PER_MS, "1/s", "myosin Mg off-rate")
    # Rapid buffers (B per own compartment volume, K = koff/kon).
    B_CaM: Array = param(24e-3 * MILLIMOLAR, "µM", "calmodulin (rapid)")
    K_CaM: Array = param(0.238 / 34.0 * MILLIMOLAR, "µM", "calmodulin Ca dissociation constant")
    B_SRB: Array = param(17.1e-3 * MILLIMOLAR, "µM", "SR membrane Ca sites (rapid)")
    K_SRB: Array = param(0.06 / 100.0 * MILLIMOLAR, "µM", "SR membrane site dissociation constant")
    B_SLL_j: Array = param(4.62e-3 * 0.65 / 5.39e-4 * 0.1 * MILLIMOLAR, "µM", "cleft low-affinity SL sites")
    B_SLH_j: Array = param(1.65e-3 * 0.65 / 5.39e-4 * 0.1 * MILLIMOLAR, "µM", "cleft high-affinity SL sites")
    B_SLL_sl: Array = param(37.38e-3 * 0.65 / 0.02 * MILLIMOLAR, "µM", "SL low-affinity sites")
    B_SLH_sl: Array = param(13.35e-3 * 0.65 / 0.02 * MILLIMOLAR, "µM", "SL high-affinity sites")
    K_SLL: Array = param(1.3 / 100.0 * MILLIMOLAR, "µM", "low-affinity SL site dissociation constant")
    K_SLH: Array = param(0.03 / 100.0 * MILLIMOLAR, "µM", "high-affinity SL site dissociation constant")
    B_Csqn: Array = param(140e-3 * 0.65 / 0.035 * MILLIMOLAR, "µM", "calsequestrin per SR volume (rapid)")
    K_Csqn: Array = param(0.65 * MILLIMOLAR, "µM", "calsequestrin dissociation constant")
    reversible_serca: bool = eqx.field(default=True, static=True)

    def _ryr(self) -> FourStateRyR:
        return FourStateRyR(
            self.K_act, self.n_act, self.k_om, self.k_iCa, self.k_im, self.EC50_SR, self.n_lum, self.kappa_max,
            self.k_rel,
        )  # fmt: skip

    def _rapid(self) -> dict[str, tuple[RapidBuffer, ...]]:
        return {
            "i": (RapidBuffer(self.B_CaM, self.K_CaM), RapidBuffer(self.B_SRB, self.K_SRB)),
            "j": (RapidBuffer(self.B_SLL_j, self.K_SLL), RapidBuffer(self.B_SLH_j, self.K_SLH)),
            "sl": (RapidBuffer(self.B_SLL_sl, self.K_SLL), RapidBuffer(self.B_SLH_sl, self.K_SLH)),
            "SR": (RapidBuffer(self.B_Csqn, self.K_Csqn),),
        }

    def free_calcium_fraction(self, y):
        """Fraction of Ca entering the bulk cytosol that stays free: 1/(1 + Σκ) of its rapid buffers."""
        return 1.0 / (1.0 + sum(b.capacity(y[0]) for b in self._rapid()["i"]))

    def _volume_ratios(self):
        """V_myo/V_x for x = j, sl, SR."""
        return self.f_myo / self.f_j, self.f_myo / self.f_sl, self.f_myo / self.f_SR

    def _sarcolemma(self, y):
        """Per-cytosolic-volume Ca influxes (µM/s) into cleft and SL: L-type, NCX, −PMCA, background."""
        ca_j, ca_sl, d, f, fcab_j, fcab_sl = y[3], y[2], y[7], y[8], y[9], y[10]
        phi = reduced_potential(self.V, self.T, 2.0)
        u = reduced_potential(self.V, self.T)
        cal = GHKCalciumFlux(self.P_CaL)
        cal_j = self.F_j_CaL * d * f * (1.0 - fcab_j) * cal(phi, ca_j, self.Ca_o)
        cal_sl = (1.0 - self.F_j_CaL) * d * f * (1.0 - fcab_sl) * cal(phi, ca_sl, self.Ca_o)
        ncx = AllostericNCX(
            self.V_max_NCX, self.K_mCai, self.K_mCao, self.K_mNai, self.K_mNao, self.K_d_act, self.k_sat, self.eta
        )
        pmca = HillPump(self.V_max_PMCA, self.K_m_PMCA, self.n_PMCA)
        back = GHKCalciumFlux(self.P_b)
        f_j = self.F_j_NCX
        other_j = f_j * (ncx(u, ca_j, self.Na_i, self.Na_o, self.Ca_o) - pmca(ca_j) + back(phi, ca_j, self.Ca_o))
        other_sl = (1.0 - f_j) * (
            ncx(u, ca_sl, self.Na_i, self.Na_o, self.Ca_o) - pmca(ca_sl) + back(phi, ca_sl, self.Ca_o)
        )
        return cal_j, cal_sl, other_j, other_sl

    def trigger_flux(self, y):
        cal_j, cal_sl, _, _ = self._sarcolemma(y)
        return cal_j + cal_sl

    def release_flux(self, y):
        _, _, r_sr = self._volume_ratios()
        return self._ryr().flux(y[5], y[3], y[1], self.caffeine) / r_sr

    def sr_calcium(self, y):
        _, _, r_sr = self._volume_ratios()
        (csqn,) = self._rapid()["SR"]
        return (y[1] + csqn.bound(y[1])) / r_sr

    def total_calcium(self, y: Array) -> Array:
        """Total Ca, free and bound in all compartments (µM per cytosolic volume) of state(s) `y`."""
        y = jnp.moveaxis(y, -1, 0)
        r_j, r_sl, r_sr = self._volume_ratios()
        rapid = self._rapid()

        def pool(c, key):
            return c + sum(b.bound(c) for b in rapid[key])

        cyto = pool(y[0], "i") + y[11] + y[12] + y[14]
        return cyto + pool(y[3], "j") / r_j + pool(y[2], "sl") / r_sl + pool(y[1], "SR") / r_sr

    def derivative(self, t, y):
        ca_i, ca_sr, ca_sl, ca_j = y[0], y[1], y[2], y[3]
        ryr_x, d, f, fcab_j, fcab_sl = y[4:7], y[7], y[8], y[9], y[10]
        tncl, tnchc, tnchm, myoc, myom = y[11], y[12], y[13], y[14], y[15]
        r_j, r_sl, r_sr = self._volume_ratios()
        ryr = self._ryr()
        j_rel = ryr.flux(ryr_x[1], ca_j, ca_sr, self.caffeine) / r_sr
        j_leak = self.k_leak * (ca_sr - ca_j)
        # Newton iterates may overshoot below 0; fractional powers of negative Ca would be NaN.
        c_pos, s_pos = jnp.maximum(ca_i, 0.0), jnp.maximum(ca_sr, 0.0)
        if self.reversible_serca:
            j_serca = ReversiblePump(self.V_max_SERCA, self.K_m_SERCA, self.K_r_SERCA, self.n_SERCA)(c_pos, s_pos)
        else:
            j_serca = HillPump(self.V_max_SERCA, self.K_m_SERCA, self.n_SERCA)(c_pos)
        cal_j, cal_sl, other_j, other_sl = self._sarcolemma(y)
        j_j_sl = self.D_j_sl / (self.f_myo * self.V_cell) * (ca_j - ca_sl)
        j_sl_myo = self.D_sl_myo / (self.f_myo * self.V_cell) * (ca_sl - ca_i)
        # Explicit buffers in the bulk cytosol.
        free_tnch = self.B_TnCH - tnchc - tnchm
        free_myo = self.B_myo - myoc - myom
        d_tncl = self.kon_TnCL * ca_i * (self.B_TnCL - tncl) - self.koff_TnCL * tncl
        d_tnchc = self.kon_TnCHc * ca_i * free_tnch - self.koff_TnCHc * tnchc
        d_tnchm = self.kon_TnCHm * self.Mg_i * free_tnch - self.koff_TnCHm * tnchm
        d_myoc = self.kon_myo_c * ca_i * free_myo - self.koff_myo_c * myoc
        d_myom = self.kon_myo_m * self.Mg_i * free_myo - self.koff_myo_m * myom
        rapid = self._rapid()

        def beta(c, key):
            return 1.0 / (1.0 + sum(b.capacity(c) for b in rapid[key]))

        d_ca_j = beta(ca_j, "j") * r_j * (cal_j + other_j + j_rel + j_leak - j_j_sl)
        d_ca_sl = beta(ca_sl, "sl") * r_sl * (cal_sl + other_sl + j_j_sl - j_sl_myo)
        d_ca_i = beta(ca_i, "i") * (j_sl_myo - j_serca - d_tncl - d_tnchc - d_myoc)
        d_ca_sr = beta(ca_sr, "SR") * r_sr * (j_serca - j_rel - j_leak)
        d_ryr = ryr.rates(ryr_x, ca_j, ca_sr)
        gates = ShannonLTypeGates(self.k_fCa_on, self.k_fCa_off)
        dd, df, dfcab_j = gates.rates(self.V, d, f, fcab_j, ca_j)
        _, _, dfcab_sl = gates.rates(self.V, d, f, fcab_sl, ca_sl)
        return jnp.stack(
            [d_ca_i, d_ca_sr, d_ca_sl, d_ca_j, *d_ryr, dd, df, dfcab_j, dfcab_sl, d_tncl, d_tnchc, d_tnchm, d_myoc,
             d_myom]
        )  # fmt: skip

    def initial_state(self):
        """Diastolic state after pacing at 1 Hz with the default action potential (see the model docstring)."""
        return jnp.array(_REST, dtype=self.V.dtype)

    def default_solver(self):
        return muscle_solver()


# Diastolic state (µM and fractions) after 10 beats at 1 Hz of the default `paced(1.0, ...)` waveform.
_REST = (
    0.0863124,
    542.005,
    0.104292,
    0.172488,
    0.891628,
    6.90813e-07,
    8.39635e-08,
    7.88927e-06,
    1.0007,
    0.0241446,
    0.0148663,
    8.83911,
    116.726,
    10.9453,
    1.98826,
    137.493,
)
