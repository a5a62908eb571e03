"""Skeletal-muscle excitation–contraction coupling: Ríos et al. 1993 voltage-gated release into a myoplasm."""

from typing import ClassVar

import jax.numpy as jnp
import numpy as np
from jaxtyping import Array

from .._fluxes.buffers import BufferBinding, RapidBuffer
from .._fluxes.electro import reduced_potential
from .._fluxes.leak import Leak
from .._fluxes.ltype import GHKCalciumFlux
from .._fluxes.pumps import HillPump
from .._fluxes.voltage_sensor import AllostericVoltageSensor
from .._muscle_model import AbstractMuscleModel
from .._parameters import param
from .._rosenbrock import Rodas4
from .._units import MILLIMOLAR, PER_MS

_BINOMIAL = np.array([1.0, 4.0, 6.0, 4.0, 1.0])  # not jnp: importing cicrjax starts no JAX backend


class Skeletal(AbstractMuscleModel):
    r"""Mechanically coupled skeletal-muscle Ca release: four DHPR voltage sensors open RyR1 allosterically.

    Release: Ríos E, Karhanek M, Ma J, González A (1993) J Gen Physiol 102:449–481, ten states C_j, O_j
    (j activated sensors; see [`cicrjax.AllostericVoltageSensor`][]), as in the "sternrios" component of Shorten,
    O'Callaghan, Davidson & Soboleva (2007) J Muscle Res Cell Motil 28:293–313, whose myoplasm supplies the
    buffers. Converted from ms, µM, µm³ to s, µM, µm³.

    $$\dot{Ca} = \beta_{ATP}\big(\tfrac{i_2}{V_{myo}}(\textstyle\sum_j O_j + caf\,(1 - \sum_j O_j))(Ca_{SR} - Ca)
       + J_{leak} - J_{SERCA} + J_{DHPR} - \dot{CaTn} - \dot{CaPV}\big),\qquad
      \dot{Ca}_{SR} = \tfrac{V_{myo}}{V_{SR}}(J_{SERCA} - J_{rel} - J_{leak}) - \dot{CaCsq}$$

    Release depends on V only, never on cytosolic or extracellular Ca. Shorten's triad and bulk compartments are
    lumped into one myoplasm: the release permeability `i2` is the series value of Shorten's two diffusion
    conductances (0.75/2 µm³/ms), and the SR leak `k_leak` sets a resting Ca near 0.07 µM. A small, slowly
    activating DHPR Ca current (gate m, τ_m) is the only Ca entry, so that gain is defined and a Ca-free bath
    changes nothing but it. Ca–ATP is a rapid buffer; troponin, parvalbumin (Ca/Mg) and calsequestrin are kinetic.

    **Example:** `simulate(Skeletal(), ts, protocol=voltage_clamp(0.0, duration=0.05))["Ca"]`
    """

    name: ClassVar[str] = "skeletal"
    states: ClassVar[tuple[str, ...]] = (
        "Ca", "Ca_SR", "C0", "C1", "C2", "C3", "C4", "O0", "O1", "O2", "O3", "O4", "CaTn", "CaPV", "MgPV", "CaCsq",
        "m_DHPR",
    )  # fmt: skip
    citation: ClassVar[str] = (
        "Rios E, Karhanek M, Ma J, Gonzalez A (1993) J Gen Physiol 102:449-481; "
        "Shorten PR, O'Callaghan P, Davidson JB, Soboleva TK (2007) J Muscle Res Cell Motil 28:293-313"
    )
    # Freed by a fit without --free: DHPR–RyR coupling, release permeability, SERCA V_max and K_m.
    default_free: ClassVar[tuple[str, ...]] = ("f", "i2", "nu_SR", "K_SR")
    ryr_sensitivity: ClassVar[None] = None

    V: Array = param(-80.0, "mV", "membrane potential (driven by a protocol)", "real")
    Ca_o: Array = param(1.8 * MILLIMOLAR, "µM", "extracellular Ca", "nonnegative")
    caffeine: Array = param(0.0, "1", "fraction of RyRs forced open by caffeine", "unit_interval")
    T: Array = param(293.0, "K", "temperature")
    k_L: Array = param(0.002 * PER_MS, "1/s", "channel opening rate with no sensor activated")
    k_L_minus: Array = param(1000.0 * PER_MS, "1/s", "channel closing rate with no sensor activated")
    f: Array = param(0.2, "1", "allosteric coupling factor")
    alpha1: Array = param(0.2 * PER_MS, "1/s", "voltage-sensor rate at V_bar")
    K: Array = param(4.5, "mV", "voltage-sensor steepness")
    V_bar: Array = param(-20.0, "mV", "voltage-sensor midpoint", "real")
    V_myo: Array = param(0.95 * 1.1 * jnp.pi * 0.5**2, "µm³", "myoplasm volume of the half sarcomere")
    V_SR: Array = param(0.05 * 1.1 * jnp.pi * 0.5**2, "µm³", "SR volume of the half sarcomere")
    i2: Array = param(0.375 * PER_MS, "µm³/s", "release permeability of the open channels (lumped)")
    nu_SR: Array = param(4.875 * PER_MS / 0.8125, "µM/s", "maximal SERCA rate per myoplasm volume")
    K_SR: Array = param(1.0, "µM", "SERCA half-activation Ca")
    k_leak: Array = param(0.18, "1/s", "SR leak rate per myoplasm volume", "nonnegative")
    T_tot: Array = param(140.0, "µM", "troponin Ca sites")
    k_T_on: Array = param(0.04425 * PER_MS, "1/(µM·s)", "troponin Ca on-rate")
    k_T_off: Array = param(0.115 * PER_MS, "1/s", "troponin Ca off-rate")
    P_tot: Array = param(1500.0, "µM", "parvalbumin")
    k_P_on: Array = param(0.0417 * PER_MS, "1/(µM·s)", "parvalbumin Ca on-rate")
    k_P_off: Array = param(5e-4 * PER_MS, "1/s", "parvalbumin Ca off-rate")
    k_Mg_on: Array = param(3.3e-5 * PER_MS, "1/(µM·s)", "parvalbumin Mg on-rate")
    k_Mg_off: Array = param(3e-3 * PER_MS, "1/s", "parvalbumin Mg off-rate")
    Mg: Array = param(1.0 * MILLIMOLAR, "µM", "free Mg")
    Cs_tot: Array = param(31.0 * MILLIMOLAR, "µM", "calsequestrin sites per SR volume")
    k_Cs_on: Array = param(4e-6 * PER_MS, "1/(µM·s)", "calsequestrin Ca on-rate")
    k_Cs_off: Array = param(0.005 * PER_MS, "1/s", "calsequestrin Ca off-rate")
    B_ATP: Array = param(800.0, "µM", "free ATP (rapid Ca buffer)")
    K_ATP: Array = param(30.0 / 0.15, "µM", "Ca–ATP dissociation constant")
    P_DHPR: Array = param(0.1, "1/s", "DHPR Ca permeability per myoplasm volume", "nonnegative")
    V_DHPR: Array = param(0.0, "mV", "DHPR half-activation voltage", "real")
    k_DHPR: Array = param(6.0, "mV", "DHPR activation slope")
    tau_DHPR: Array = param(0.05, "s", "DHPR activation time constant")

    def _sensor(self) -> AllostericVoltageSensor:
        return AllostericVoltageSensor(self.k_L, self.k_L_minus, self.f, self.alpha1, self.K, self.V_bar)

    def open_probability(self, y: Array) -> Array:
        """RyR1 open probability ΣO_j of state(s) `y`."""
        return jnp.sum(y[..., 7:12], axis=-1)

    def release_flux(self, y):
        po = jnp.sum(y[7:12])
        return self.i2 / self.V_myo * (po + self.caffeine * (1.0 - po)) * (y[1] - y[0])

    def trigger_flux(self, y):
        phi = reduced_potential(self.V, self.T, 2.0)
        return y[16] * GHKCalciumFlux(self.P_DHPR)(phi, y[0], self.Ca_o)

    def sr_calcium(self, y):
        return (y[1] + y[15]) * self.V_SR / self.V_myo

    def free_calcium_fraction(self, y):
        """1/(1 + κ_ATP): the fraction of Ca entering the myoplasm that the rapid Ca–ATP buffer leaves free."""
        return RapidBuffer(self.B_ATP, self.K_ATP).factor(y[0])

    def derivative(self, t, y):
        ca, ca_sr, x, ca_tn, ca_pv, mg_pv, ca_csq, m = y[0], y[1], y[2:12], y[12], y[13], y[14], y[15], y[16]
        j_rel = self.release_flux(y)
        j_leak = Leak(self.k_leak)(ca, ca_sr)
        j_serca = HillPump(self.nu_SR, self.K_SR, 1.0)(ca)
        j_dhpr = self.trigger_flux(y)
        d_tn = BufferBinding(self.T_tot, self.k_T_on, self.k_T_off)(ca, ca_tn)
        free_pv = self.P_tot - ca_pv - mg_pv
        d_capv = self.k_P_on * ca * free_pv - self.k_P_off * ca_pv
        d_mgpv = self.k_Mg_on * self.Mg * free_pv - self.k_Mg_off * mg_pv
        d_csq = BufferBinding(self.Cs_tot, self.k_Cs_on, self.k_Cs_off)(ca_sr, ca_csq)
        d_ca = self.free_calcium_fraction(y) * (j_rel + j_leak - j_serca + j_dhpr - d_tn - d_capv)
        d_sr = self.V_myo / self.V_SR * (j_serca - j_rel - j_leak) - d_csq
        m_inf = 1.0 / (1.0 + jnp.exp(-(self.V - self.V_DHPR) / self.k_DHPR))
        d_m = (m_inf - m) / self.tau_DHPR
        return jnp.concatenate(
            [jnp.stack([d_ca, d_sr]), self._sensor().rates(x, self.V), jnp.stack([d_tn, d_capv, d_mgpv, d_csq, d_m])]
        )

    def initial_state(self):
        """Rest at −80 mV: sensors in their closed-form equilibrium, Ca and buffers at rest (computed once)."""
        u = jnp.exp((self.V - self.V_bar) / (4.0 * self.K))
        closed = _BINOMIAL * u ** jnp.arange(5.0)
        opened = closed * self.k_L / self.k_L_minus / self.f ** (2.0 * jnp.arange(5.0))
        x = jnp.concatenate([closed, opened]) / (jnp.sum(closed) + jnp.sum(opened))
        rest = jnp.array(_REST, dtype=self.V.dtype)
        m = 1.0 / (1.0 + jnp.exp(-(self.V - self.V_DHPR) / self.k_DHPR))
        return jnp.concatenate([rest[:2], x, rest[2:], m[None]])

    def default_solver(self):
        """Rodas4: ~15× faster than Kvaerno5 + Newton here (RyR1 gating at 10⁶ s⁻¹), with exact gradients."""
        return Rodas4()


# Resting Ca, SR Ca, CaTn, CaPV, MgPV, CaCsq (µM): the state after 20 s at −80 mV from Shorten's initial values.
_REST = (0.069, 2037.0, 3.62, 486.3, 929.2, 19212.0)
