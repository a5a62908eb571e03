"""Mouse ventricular Ca handling: the Shannon-structure Ca subsystem with the parameters of Morotti et al. 2014."""

from typing import ClassVar

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array

from .._fluxes.ltype import GHKCalciumFlux
from .._fluxes.mahajan_ltype import MahajanLType
from .._parameters import param
from .._units import MILLIMOLAR, PER_MS
from .cardiac import Cardiac
from .shannon_cardiac import AbstractShannonCardiac

# Mouse membrane capacitance over rabbit's (200 pF / 138.1 pF): a current density in A/F gives this much more flux
# per litre of cytosol, the cell volume being Shannon's in both codes.
_CM = 2.0e-10 / 1.381e-10
# Morotti's pCa = 1.65 × 5.4e-4 cm/s times ICa_scale 5.25 and the 0.341 activity of external Ca, as a rate per
# cytosolic volume: Shannon's P_CaL (0.53339 /s, which includes his 0.45 scale and 0.341) / 0.45 × 1.65 × 5.25 × _CM.
_P_CAL = 0.53339 / 0.45 * 1.65 * 5.25 * _CM
# Morotti's driving force has a fixed inner Ca of 1 µM at activity 1 against 0.341 · Ca_o outside: 1/0.341 µM here.
_CA_IN = 1.0 / 0.341
_CHANNEL = ("C2", "C1", "I1Ca", "I2Ca", "I1Ba", "I2Ba")


class CardiacMouse(AbstractShannonCardiac):
    r"""Mouse ventricular myocyte Ca model: [`cicrjax.Cardiac`][]'s equations with the Morotti et al. 2014 values.

    Morotti S, Edwards AG, McCulloch AD, Bers DM, Grandi E (2014) J Physiol 592:1181–1197,
    doi:10.1113/jphysiol.2013.266676 (mouse ventricle, 37 °C), built on the Shannon/Soltis–Saucerman rabbit code.
    Values were read from the authors' MATLAB code (github.com/drgrandilab/Morotti-et-al-2014-Mouse-Ventricular-Model,
    morotti_et_al_mouse_eccODEfile.m, wild type without isoproterenol, where the code's phosphorylation factors are 1)
    and converted from mM, ms to µM, s. What differs from the rabbit set:

    - Capacitance 200 pF on Shannon's cell volume: current densities (A/F) give 1.448 × rabbit's flux.
    - NCX 1 A/F (rabbit 9), K_d,act 0.128 µM; NCX, PMCA and background share F_junc = 0.1875 (rabbit 0.11);
      background conductance × 3; PMCA 0.0673 A/F as rabbit.
    - SERCA V_max 1.15² × 286 µM/s, K_mf 0.30 µM, K_mr 2.1 mM (Morotti's, from Yang–Saucerman).
    - RyR luminal EC50 0.50 mM (rabbit 0.45), SR leak × 2; calsequestrin 2.7 mM per SR volume.
    - Diffusion from the mouse geometry (20 000 µm² membrane, cleft 0.3 µm from the SL): cleft-to-SL
      3.84e-13 L/ms, SL-to-cytosol 4.41e-12 L/ms; Ca_o 1 mM.
    - L-type channel: Morotti's Markov channel (Mahajan et al. 2008 with Morotti et al. 2012's inactivation,
      [`cicrjax.MahajanLType`][]), 6 states in the cleft (90 % of channels) and 6 under the sarcolemma, each gated
      by its own local Ca; permeability pCa 1.65 × 5.4e-4 cm/s × ICa_scale 5.25 on the 200 pF membrane (`P_CaL`),
      with the code's fixed 1 µM inner Ca against 0.341 Ca_o in the driving force; peak current −13 A/F at 0 mV
      from −80 mV (cleft Ca held at 1 µM).
    - NCX with the Soltis–Saucerman denominator Morotti uses (`AllostericNCX(soltis=True)`).
    - Its own action potential when paced by [`cicrjax.pace`][] (`action_potential`): half-repolarised 23 ms after
      the upstroke with n = 2, so 80 % at 46 ms and 90 % at 69 ms; triangular, with no plateau, as mouse action
      potentials are (Morotti's model computes its own; the baseline APD80 of the heart-rate-control script shipped
      with that code is 47.5 ms, and the comb paced-heart recording's optical action potential, vm_bcl140_pacing.csv,
      is half-repolarised at 23 ms and 90 % at 69 ms).

    Approximations: V is prescribed; Na_i is fixed at 11.1 mM, the resting rodent figure (rat, Despa et al. 2002,
    J Physiol 539:133; Morotti computes Na_i, and his Na/K pump's K_m,Nai of 19 mM, against rabbit's 11, is set for
    a Na_i above rabbit's); only mode-1 L-type channels (CaMKII/PKA shift at most a few % to mode 2 without
    isoproterenol); calmodulin and CaMKII buffering (Morotti's CaM module, 5.65 µM free CaM in the cytosol) are
    Shannon's rapid 24 µM calmodulin.

    Behaviour with `pace` (tests/test_cardiac_species.py; the paper's figures were not available to compare):
    at 1 Hz Ca_i rises from 0.086 to 0.358 µM, peaking 38 ms after the upstroke, and released/entered Ca per beat
    is 7.7 (SERCA 88 % of removal; rodent 92 % in Bers 2002, Nature 415:198). Diastolic Ca climbs with rate and the
    amplitude falls: 0.101 → 0.342 µM at 2 Hz, 0.158 → 0.348 µM at 4 Hz, 0.256 → 0.354 µM at a 140 ms cycle.
    Fitted to a paced heart's trace at a 140 ms cycle by README's one-command fit ("Fitting real recordings"), it
    reaches R² 0.953 (0.920 with Shannon's gates and the rabbit-like waveform, which left a second hump at its
    repolarisation).

    **Example:** `simulate(CardiacMouse(), jnp.linspace(0, 0.14, 141), protocol=pace(CardiacMouse(), 0.14, count=1))`
    """

    name: ClassVar[str] = "cardiac-mouse"
    states: ClassVar[tuple[str, ...]] = (
        *Cardiac.states[:7],
        *(f"LCC_{x}_j" for x in _CHANNEL),
        *(f"LCC_{x}_sl" for x in _CHANNEL),
        *Cardiac.states[11:],
    )
    citation: ClassVar[str] = "Morotti S, Edwards AG, McCulloch AD, Bers DM, Grandi E (2014) J Physiol 592:1181-1197"
    default_free: ClassVar[tuple[str, ...]] = Cardiac.default_free
    ryr_sensitivity: ClassVar[str] = "K_act"
    soltis_ncx: ClassVar[bool] = True
    action_potential: ClassVar[tuple[tuple[str, float], ...]] = (("apd", 0.023), ("n", 2.0))

    # Drivers.
    V: Array = param(-85.0, "mV", "membrane potential (driven by a protocol)", "real")
    Ca_o: Array = param(1.0 * MILLIMOLAR, "µM", "extracellular Ca", "nonnegative")
    caffeine: Array = param(0.0, "1", "fraction of RyRs forced open by caffeine", "unit_interval")
    T: Array = param(310.0, "K", "temperature")
    Na_i: Array = param(11.1 * MILLIMOLAR, "µM", "intracellular Na (fixed)")
    Na_o: Array = param(140.0 * MILLIMOLAR, "µM", "extracellular Na")
    Mg_i: Array = param(1.0 * MILLIMOLAR, "µM", "intracellular free Mg")
    # Geometry (fractions of the cell volume) and diffusion.
    f_myo: Array = param(0.65, "1", "bulk cytosol volume fraction", "unit_interval")
    f_SR: Array = param(0.035, "1", "SR volume fraction", "unit_interval")
    f_sl: Array = param(0.02, "1", "subsarcolemmal volume fraction", "unit_interval")
    f_j: Array = param(5.39e-4, "1", "junctional cleft volume fraction", "unit_interval")
    V_cell: Array = param(3.3006e4, "µm³", "cell volume (π·10.25²·100 µm³)")
    D_j_sl: Array = param(3.84375e-13 * 1e15 * PER_MS, "µm³/s", "cleft-to-SL diffusion conductance")
    D_sl_myo: Array = param(4.405556e-12 * 1e15 * PER_MS, "µm³/s", "SL-to-cytosol diffusion conductance")
    # L-type channel (Markov, `MahajanLType`'s rates).
    P_CaL: Array = param(_P_CAL, "1/s", "L-type Ca permeability per cytosolic volume", "nonnegative")
    F_j_CaL: Array = param(0.9, "1", "junctional fraction of L-type channels", "unit_interval")
    # RyR.
    K_act: Array = param(77.46, "µM", "RyR Ca sensitivity: cleft Ca for half-maximal opening at a full SR")
    n_act: Array = param(2.0, "1", "Hill coefficient of RyR Ca activation")
    k_om: Array = param(0.06 * PER_MS, "1/s", "RyR closing rate")
    k_iCa: Array = param(0.5 * PER_MS / MILLIMOLAR, "1/(µM·s)", "RyR Ca-dependent inactivation rate")
    k_im: Array = param(0.005 * PER_MS, "1/s", "RyR recovery from inactivation (refractoriness)")
    EC50_SR: Array = param(0.50 * MILLIMOLAR, "µM", "SR Ca for half luminal regulation")
    n_lum: Array = param(2.5, "1", "Hill coefficient of luminal regulation")
    kappa_max: Array = param(15.0, "1", "luminal desensitisation at an empty SR (MaxSR/MinSR)")
    k_rel: Array = param(25.0 * PER_MS, "1/s", "maximal RyR release rate constant (ks)")
    k_leak: Array = param(2.0 * 5.348e-6 * PER_MS, "1/s", "SR leak rate per cytosolic volume", "nonnegative")
    # SERCA.
    V_max_SERCA: Array = param(1.15 * 1.15 * 286.0, "µM/s", "maximal SERCA rate per cytosolic volume")
    K_m_SERCA: Array = param(0.30, "µM", "SERCA half-activation cytosolic Ca (Kmf)")
    K_r_SERCA: Array = param(2.1 * MILLIMOLAR, "µM", "SERCA reverse half-activation SR Ca (Kmr)")
    n_SERCA: Array = param(1.787, "1", "SERCA Hill coefficient")
    # Sarcolemmal transport.
    V_max_NCX: Array = param(600.43 / 9.0 * _CM, "µM/s", "maximal NCX rate per cytosolic volume (1 A/F)", "nonnegative")
    K_mCai: Array = param(3.59e-3 * MILLIMOLAR, "µM", "NCX internal Ca affinity")
    K_mCao: Array = param(1.3 * MILLIMOLAR, "µM", "NCX external Ca affinity")
    K_mNai: Array = param(12.29 * MILLIMOLAR, "µM", "NCX internal Na affinity")
    K_mNao: Array = param(87.5 * MILLIMOLAR, "µM", "NCX external Na affinity")
    K_d_act: Array = param(0.128e-3 * MILLIMOLAR, "µM", "NCX allosteric Ca activation")
    k_sat: Array = param(0.27, "1", "NCX saturation factor")
    eta: Array = param(0.35, "1", "NCX voltage-dependence position", "unit_interval")
    n_NCX: Array = param(3.0, "1", "Hill coefficient of NCX allosteric Ca activation")
    F_j_NCX: Array = param(0.1875, "1", "junctional fraction of NCX and PMCA", "unit_interval")
    V_max_PMCA: Array = param(2.245 * _CM, "µM/s", "maximal PMCA rate per cytosolic volume", "nonnegative")
    K_m_PMCA: Array = param(0.5e-3 * MILLIMOLAR, "µM", "PMCA half-activation Ca")
    n_PMCA: Array = param(1.6, "1", "PMCA Hill coefficient")
    P_b: Array = param(3.0 * 1.5769e-4 * _CM, "1/s", "background Ca permeability per cytosolic volume", "nonnegative")
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
    B_Csqn: Array = param(2.7 * MILLIMOLAR, "µM", "calsequestrin per SR volume (rapid)")
    K_Csqn: Array = param(0.65 * MILLIMOLAR, "µM", "calsequestrin dissociation constant")
    reversible_serca: bool = eqx.field(default=True, static=True)

    def _ltype(self, y, phi):
        channel, cal = MahajanLType(), GHKCalciumFlux(self.P_CaL)
        x_j, x_sl = y[7:13], y[13:19]
        cal_j = self.F_j_CaL * channel.open_fraction(x_j) * cal(phi, _CA_IN, self.Ca_o)
        cal_sl = (1.0 - self.F_j_CaL) * channel.open_fraction(x_sl) * cal(phi, _CA_IN, self.Ca_o)
        rates = jnp.concatenate([channel.rates(self.V, x_j, y[3]), channel.rates(self.V, x_sl, y[2])])
        return cal_j, cal_sl, rates

    def initial_state(self):
        """Diastolic state after pacing at 1 Hz with the default action potential."""
        return jnp.array(_REST, dtype=self.V.dtype)


# Diastolic state (µM and fractions) after 160 beats at 1 Hz of the set's own action potential,
# `pace(CardiacMouse(), 1.0, count=...)` (Rodas4, rtol 1e-8; over the next beat Ca_i drifts by 4e-12 µM, Ca_SR by
# 1.5e-8 µM).
_REST = (
    0.085842, 492.796, 0.125065, 0.448668, 0.730617, 3.0077e-06, 1.10894e-06, 0.945856, 2.314e-05, 6.07393e-05,
    0.000463952, 4.26831e-05, 0.0535508, 0.946279, 2.31486e-05, 4.88088e-06, 3.67906e-05, 4.27319e-05, 0.0536112,
    8.79301, 116.974, 10.8229, 1.87202, 137.612,
)  # fmt: skip
