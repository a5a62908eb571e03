"""Rat ventricular Ca handling at 37 °C: the Hinch 2004 local-control equations with the Gattoni et al. 2016 values."""

from typing import ClassVar

import jax.numpy as jnp
from jaxtyping import Array

from .._muscle_model import AbstractMuscleModel
from .._parameters import param
from .._units import MILLIMOLAR, PER_MS
from .hinch2004 import Hinch2004


class CardiacRat(AbstractMuscleModel):
    r"""Rat ventricular myocyte Ca model at 37 °C: [`cicrjax.Hinch2004`][]'s equations with Gattoni et al.'s values.

    Gattoni S, Røe ÅT, Frisk M, Louch WE, Niederer SA, Smith NP (2016) J Physiol 594:4193–4224,
    doi:10.1113/JP272011 ("The calcium–frequency response in the rat ventricular myocyte"), who coupled the
    Hinch 2004 Ca model to the Pandit 2001 rat action potential and refitted its Ca handling to rat myocytes at
    37 °C. Values are read from the authors' 6 Hz CellML model (Gattoni_6Hz.cellml, Physiome model repository) and
    converted from mM, ms to µM, s. What differs from [`cicrjax.Hinch2004`][] (rat, 22 °C): T 310 K, Ca_o 1.8 mM,
    dyad diffusion g_D 0.099 µm³/ms, LCC J_L 7e-4 µm³/ms, V_L −9 mV, φ_L 11.5, τ_L 1450 ms, K_L 0.6 µM, RyR
    K_RyR 65 µM, τ_R 2.4 ms, NCX 0.0515 mM/ms, SERCA 0.68 mM/ms with K 0.45 µM, sarcolemmal pump 5e-6 mM/ms with
    K 0.35 µM, background 5.11e-8 mM/(mV·ms), SR leak 7.11e-6 /ms. Na_i is dynamic in Gattoni's model; here it is
    fixed at the model's 6 Hz value, 13.67 mM. The equations are Hinch2004's, evaluated with these values.

    Drive it with a rat-like short action potential, e.g. `paced(6.0, count=n, apd=0.02)`: at 6 Hz Ca_i then rises
    from 0.218 to 1.49 µM, peaking 19.5 ms after the upstroke, and released/entered Ca per beat is 31.5 (SERCA 97 %
    of removal; rat 92 % in Bers 2002, Nature 415:198); the diastolic Ca of Gattoni's own 6 Hz state is 0.247 µM
    (tests/test_cardiac_species.py). With `pace`'s default rabbit-like plateau (73 ms at 6 Hz) so much Ca enters that
    beats turn irregular, with releases up to 6 µM, unless SERCA is raised as a fit does.

    **Example:** `simulate(CardiacRat(), jnp.linspace(0, 0.5, 501), protocol=paced(6.0, count=3, apd=0.02))`
    """

    name: ClassVar[str] = "cardiac-rat"
    states: ClassVar[tuple[str, ...]] = Hinch2004.states
    citation: ClassVar[str] = (
        "Gattoni S, Roe AT, Frisk M, Louch WE, Niederer SA, Smith NP (2016) J Physiol 594:4193-4224; "
        "equations of Hinch R et al. (2004) Biophys J 87:3723-3736"
    )
    default_free: ClassVar[tuple[str, ...]] = Hinch2004.default_free
    ryr_sensitivity: ClassVar[str] = "K_RyR"

    V: Array = param(-83.61, "mV", "membrane potential (driven by a protocol)", "real")
    Ca_o: Array = param(1.8 * MILLIMOLAR, "µM", "extracellular Ca", "nonnegative")
    T: Array = param(310.0, "K", "temperature")
    V_myo: Array = param(25.85e3, "µm³", "myoplasm volume")
    V_SR: Array = param(2.098e3, "µm³", "SR volume")
    g_D: Array = param(0.099 * PER_MS, "µm³/s", "dyad-to-cytosol diffusion")
    J_R: Array = param(0.02 * PER_MS, "µm³/s", "RyR permeability of one release unit")
    J_L: Array = param(7e-4 * PER_MS, "µm³/s", "LCC permeability of one release unit")
    N: Array = param(50000.0, "1", "number of Ca release units")
    V_L: Array = param(-9.0, "mV", "LCC half-activation voltage", "real")
    del_VL: Array = param(7.0, "mV", "LCC activation slope")
    phi_L: Array = param(11.5, "1", "LCC closing/opening rate ratio")
    t_L: Array = param(1.0 / PER_MS, "s", "LCC opening time scale")
    tau_L: Array = param(1450.0 / PER_MS, "s", "LCC inactivation time scale")
    tau_R: Array = param(2.4 / PER_MS, "s", "RyR inactivation time scale")
    phi_R: Array = param(0.05, "1", "RyR closing rate factor")
    theta_R: Array = param(0.012, "1", "RyR recovery factor")
    K_RyR: Array = param(65e-3 * MILLIMOLAR, "µM", "dyadic Ca for half-maximal RyR opening")
    K_L: Array = param(0.6e-3 * MILLIMOLAR, "µM", "Ca for LCC Ca-dependent inactivation")
    a: Array = param(0.0625, "1", "LCC inactivation voltage factor a")
    b: Array = param(14.0, "1", "LCC recovery factor b")
    c: Array = param(0.01, "1", "RyR inactivation floor c")
    d: Array = param(100.0, "1", "RyR recovery factor d")
    K_mNa: Array = param(87.5 * MILLIMOLAR, "µM", "NCX Na affinity")
    K_mCa: Array = param(1.38 * MILLIMOLAR, "µM", "NCX Ca affinity")
    eta: Array = param(0.35, "1", "NCX voltage-dependence position", "unit_interval")
    k_sat: Array = param(0.1, "1", "NCX saturation factor")
    g_NCX: Array = param(0.0515 * MILLIMOLAR * PER_MS, "µM/s", "maximal NCX rate")
    Na_i: Array = param(13.6748 * MILLIMOLAR, "µM", "intracellular Na (fixed)")
    Na_o: Array = param(140.0 * MILLIMOLAR, "µM", "extracellular Na")
    g_SERCA: Array = param(0.68e-3 * MILLIMOLAR * PER_MS, "µM/s", "maximal SERCA rate")
    K_SERCA: Array = param(0.45e-3 * MILLIMOLAR, "µM", "SERCA half-activation Ca")
    g_pCa: Array = param(5e-6 * MILLIMOLAR * PER_MS, "µM/s", "maximal sarcolemmal Ca pump rate")
    K_mpCa: Array = param(0.35e-3 * MILLIMOLAR, "µM", "sarcolemmal pump half-activation Ca")
    g_CaB: Array = param(5.10875e-8 * MILLIMOLAR * PER_MS, "µM/(mV·s)", "background Ca conductance", "nonnegative")
    g_SRl: Array = param(7.11e-6 * PER_MS, "1/s", "SR leak rate", "nonnegative")
    k_m_TRPN: Array = param(0.04 * PER_MS, "1/s", "troponin Ca off-rate")
    k_p_TRPN: Array = param(40.0 * PER_MS / MILLIMOLAR, "1/(µM·s)", "troponin Ca on-rate")
    B_TRPN: Array = param(70e-3 * MILLIMOLAR, "µM", "total troponin")
    k_CMDN: Array = param(2.382e-3 * MILLIMOLAR, "µM", "calmodulin dissociation constant")
    B_CMDN: Array = param(50e-3 * MILLIMOLAR, "µM", "total calmodulin (rapid buffer)")

    def _hinch(self) -> Hinch2004:
        """The Hinch 2004 model holding these values (the equations are written once, there)."""
        return Hinch2004(**{p.name: getattr(self, p.name) for p in Hinch2004.parameters()})

    def derivative(self, t, y):
        return self._hinch().derivative(t, y)

    def release_flux(self, y):
        return self._hinch().release_flux(y)

    def trigger_flux(self, y):
        return self._hinch().trigger_flux(y)

    def sr_calcium(self, y):
        return self._hinch().sr_calcium(y)

    def free_calcium_fraction(self, y):
        """β_CMDN, as in [`cicrjax.Hinch2004`][]."""
        return self._hinch().free_calcium_fraction(y)

    def initial_state(self):
        """Diastolic state at steady 6 Hz pacing with a 20 ms action potential, `paced(6.0, count=N, apd=0.02)`."""
        return jnp.array(_REST, dtype=self.V.dtype)

    def default_solver(self):
        return self._hinch().default_solver()


# Diastolic state (µM and fractions) after 600 beats of `paced(6.0, count=600, apd=0.02)` from Gattoni's 6 Hz CellML
# Ca_i, Ca_SR, TRPN and Hinch's z (Rodas4, rtol 1e-9; over the last 100 beats the state moved by 4e-13 relative).
_REST = (0.217983989, 2729.54720, 0.937422157, 0.00871026230, 0.0533718675, 56.0889559)
