"""Human ventricular Ca handling: the Shannon-structure Ca subsystem with the parameters of Grandi et al. 2010."""

from typing import ClassVar

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array

from .._parameters import param
from .._units import MILLIMOLAR, PER_MS
from .cardiac import Cardiac
from .shannon_cardiac import AbstractShannonGatesCardiac


class CardiacHuman(AbstractShannonGatesCardiac):
    r"""Human ventricular myocyte Ca model: [`cicrjax.Cardiac`][]'s equations with the Grandi et al. 2010 values.

    Grandi E, Pasqualini FS, Bers DM (2010) J Mol Cell Cardiol 48:112–121, doi:10.1016/j.yjmcc.2009.09.019
    (human ventricle, 37 °C), whose Ca handling is Shannon's rabbit model with human data. Values were read from the
    authors' MATLAB code (github.com/drgrandilab/Grandi-Pasqualini-Bers-Human-Ventricular-Model, human_vclamp.m) and
    converted from mM, ms to µM, s as for `Cardiac` (same cell geometry and capacitance, so a current density in A/F
    scales exactly as Shannon's). What differs from the rabbit set:

    - L-type: permeability pCa halved (`P_CaL` × 0.5); activation d∞ centred at −5 mV (`V_d`, Shannon −14.5 mV);
      inactivation f∞ = 1/(1 + e^{(V+35)/9}) + 0.6/(1 + e^{(50−V)/20}) (`V_f`, `k_f`).
    - NCX: 4.5 A/F (rabbit 9), K_d,act 0.150 µM, allosteric Hill coefficient 2 (rabbit 3), k_sat 0.32, η 0.27.
    - Background Ca conductance 5.513e-4 (rabbit 2.513e-4) A/F/mV, so `P_b` × 5.513/2.513.
    - Sarcolemmal buffer capacities rounded as in Grandi (37.4, 4.6, 13.4 µM per cytosol volume).
    - SERCA, RyR, leak, PMCA, troponin, myosin, calmodulin, SR buffer and calsequestrin are Shannon's unchanged.

    Deviations, as in `Cardiac`: V is prescribed (the default `paced` waveform is rabbit-like, with a 200 ms plateau
    at 1 Hz, shorter than the human action potential), Na_i is fixed at Grandi's initial 9.06 mM, calmodulin is a
    rapid buffer (Grandi: explicit, same affinity), and the background current takes GHK form.

    Behaviour with `paced` (tests/test_cardiac_species.py; the paper's figures were not available to compare):
    at 1 Hz Ca_i rises from 0.088 to 0.394 µM, peaking 44 ms after the upstroke; the amplitude is 0.332 µM at
    0.5 Hz and 0.195 µM at 2 Hz. Released/entered Ca per beat is 6.2 at 1 Hz (SERCA 86 % of removal, against about
    70 % for human in Bers 2002, Nature 415:198).

    **Example:** `simulate(CardiacHuman(), jnp.linspace(0, 1, 501), protocol=paced(1.0, count=1))["Ca_i"]`
    """

    name: ClassVar[str] = "cardiac-human"
    states: ClassVar[tuple[str, ...]] = Cardiac.states
    citation: ClassVar[str] = "Grandi E, Pasqualini FS, Bers DM (2010) J Mol Cell Cardiol 48:112-121"
    default_free: ClassVar[tuple[str, ...]] = Cardiac.default_free
    ryr_sensitivity: ClassVar[str] = "K_act"

    # Drivers.
    V: Array = param(-85.0, "mV", "membrane potential (driven by a protocol)", "real")
    Ca_o: Array = param(1.8 * MILLIMOLAR, "µM", "extracellular Ca", "nonnegative")
    caffeine: Array = param(0.0, "1", "fraction of RyRs forced open by caffeine", "unit_interval")
    T: Array = param(310.0, "K", "temperature")
    Na_i: Array = param(9.06 * MILLIMOLAR, "µM", "intracellular Na (fixed; Grandi's initial Na_i)")
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
    P_CaL: Array = param(0.5 * 0.53339, "1/s", "L-type Ca permeability per cytosolic volume (pCa × 0.5)", "nonnegative")
    F_j_CaL: Array = param(0.9, "1", "junctional fraction of L-type channels", "unit_interval")
    k_fCa_on: Array = param(1.7 * PER_MS / MILLIMOLAR, "1/(µM·s)", "L-type Ca-inactivation on-rate")
    k_fCa_off: Array = param(11.9e-3 * PER_MS, "1/s", "L-type Ca-inactivation off-rate")
    V_d: Array = param(-5.0, "mV", "L-type activation (d gate) half-voltage", "real")
    V_f: Array = param(-35.0, "mV", "L-type inactivation (f gate) half-voltage", "real")
    k_f: Array = param(9.0, "mV", "L-type inactivation (f gate) slope")
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
    V_max_NCX: Array = param(
        600.43 * 4.5 / 9.0, "µM/s", "maximal NCX rate per cytosolic volume (4.5 A/F)", "nonnegative"
    )
    K_mCai: Array = param(3.59e-3 * MILLIMOLAR, "µM", "NCX internal Ca affinity")
    K_mCao: Array = param(1.3 * MILLIMOLAR, "µM", "NCX external Ca affinity")
    K_mNai: Array = param(12.29 * MILLIMOLAR, "µM", "NCX internal Na affinity")
    K_mNao: Array = param(87.5 * MILLIMOLAR, "µM", "NCX external Na affinity")
    K_d_act: Array = param(0.150e-3 * MILLIMOLAR, "µM", "NCX allosteric Ca activation")
    k_sat: Array = param(0.32, "1", "NCX saturation factor")
    eta: Array = param(0.27, "1", "NCX voltage-dependence position", "unit_interval")
    n_NCX: Array = param(2.0, "1", "Hill coefficient of NCX allosteric Ca activation")
    F_j_NCX: Array = param(0.11, "1", "junctional fraction of NCX and PMCA", "unit_interval")
    V_max_PMCA: Array = param(2.245, "µM/s", "maximal PMCA rate per cytosolic volume", "nonnegative")
    K_m_PMCA: Array = param(0.5e-3 * MILLIMOLAR, "µM", "PMCA half-activation Ca")
    n_PMCA: Array = param(1.6, "1", "PMCA Hill coefficient")
    P_b: Array = param(
        1.5769e-4 * 5.513 / 2.513, "1/s", "background Ca permeability per cytosolic volume", "nonnegative"
    )
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
    B_SLL_j: Array = param(4.6e-3 * 0.65 / 5.39e-4 * 0.1 * MILLIMOLAR, "µM", "cleft low-affinity SL sites")
    B_SLH_j: Array = param(1.65e-3 * 0.65 / 5.39e-4 * 0.1 * MILLIMOLAR, "µM", "cleft high-affinity SL sites")
    B_SLL_sl: Array = param(37.4e-3 * 0.65 / 0.02 * MILLIMOLAR, "µM", "SL low-affinity sites")
    B_SLH_sl: Array = param(13.4e-3 * 0.65 / 0.02 * MILLIMOLAR, "µM", "SL high-affinity sites")
    K_SLL: Array = param(1.3 / 100.0 * MILLIMOLAR, "µM", "low-affinity SL site dissociation constant")
    K_SLH: Array = param(0.03 / 100.0 * MILLIMOLAR, "µM", "high-affinity SL site dissociation constant")
    B_Csqn: Array = param(140e-3 * 0.65 / 0.035 * MILLIMOLAR, "µM", "calsequestrin per SR volume (rapid)")
    K_Csqn: Array = param(0.65 * MILLIMOLAR, "µM", "calsequestrin dissociation constant")
    reversible_serca: bool = eqx.field(default=True, static=True)

    def initial_state(self):
        """Diastolic state after pacing at 1 Hz with the default action potential."""
        return jnp.array(_REST, dtype=self.V.dtype)


# Diastolic state (µM and fractions) after 60 beats at 1 Hz of the default `paced(1.0, ...)` waveform
# (Rodas4; over the next beat Ca_i drifts by 2e-8 µM and Ca_SR by 1e-4 µM).
_REST = (
    0.0880455, 553.314, 0.106589, 0.17763, 0.891548, 7.52394e-07, 9.15235e-08, 1.6196e-06, 0.996851, 0.0248353,
    0.0151618, 8.99111, 117.805, 10.4253, 1.95213, 137.531,
)  # fmt: skip
