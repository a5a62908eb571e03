"""The default cardiac myocyte Ca model: the Shannon et al. 2004 Ca subsystem with prescribed voltage."""

from typing import ClassVar

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array

from .._parameters import param
from .._units import MILLIMOLAR, PER_MS
from .shannon_cardiac import AbstractShannonGatesCardiac


class Cardiac(AbstractShannonGatesCardiac):
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
    (fractional release 33 %), so ∫release/∫trigger is 3.6 on that beat and 3.7 at the steady state of 1 Hz pacing
    (peak gain 7.5 in a clamp to 0 mV). In the steady state release equals net SERCA uptake and entry equals net
    extrusion, so this ratio is the net SERCA : sarcolemmal removal (3.72 from the fluxes); SERCA's gross share of
    Ca removal is 78 % (rabbit, Bers 2002: 70 %); ratios of 7 or more need about 88 % (rat-like removal, 92 %).
    No alternans from 1 to 8 Hz; with RyR recovery slowed to `k_im` = 1 s⁻¹ and steep luminal
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
    V_d: Array = param(-14.5, "mV", "L-type activation (d gate) half-voltage", "real")
    V_f: Array = param(-35.06, "mV", "L-type inactivation (f gate) half-voltage", "real")
    k_f: Array = param(3.6, "mV", "L-type inactivation (f gate) slope")
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
    n_NCX: Array = param(3.0, "1", "Hill coefficient of NCX allosteric Ca activation")
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

    def initial_state(self):
        """Diastolic state after pacing at 1 Hz with the default action potential (see the model docstring)."""
        return jnp.array(_REST, dtype=self.V.dtype)


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
