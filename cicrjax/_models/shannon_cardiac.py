"""The Shannon et al. 2004 ventricular Ca subsystem with prescribed voltage, shared by its species parameter sets."""

import abc
from typing import ClassVar

import jax.numpy as jnp
from jaxtyping import Array

from .._fluxes.buffers import RapidBuffer
from .._fluxes.electro import reduced_potential
from .._fluxes.ltype import GHKCalciumFlux, ShannonLTypeGates
from .._fluxes.ncx import AllostericNCX
from .._fluxes.pumps import HillPump, ReversiblePump
from .._fluxes.ryr import FourStateRyR
from .._muscle_model import AbstractMuscleModel
from .._rosenbrock import Rodas4, Ros34PW2


class AbstractShannonCardiac(AbstractMuscleModel):
    """The equations of [`cicrjax.Cardiac`][] (Shannon et al. 2004, Biophys J 87:3351), written once for every
    species parameter set: final subclasses declare the parameters of `Cardiac` (less the gates' where the L-type
    channel is not Shannon's) with their species' values, the static `reversible_serca`, and `initial_state`; the
    L-type channel (`_ltype`) is Shannon's gates (`AbstractShannonGatesCardiac`) or a Markov chain (cardiac-mouse).
    The state is `Cardiac.states` with the channel's states between the RyR's and the five explicit cytosolic
    buffers, which always come last.
    """

    soltis_ncx: ClassVar[bool] = False  # NCX denominator of Soltis & Saucerman 2010 (`AllostericNCX(soltis=True)`)

    @abc.abstractmethod
    def _ltype(self, y: Array, phi: Array) -> tuple[Array, Array, Array]:
        """(junctional, SL) L-type Ca influx per cytosolic volume (µM/s) at reduced potential `phi`, and the time
        derivatives of the channel's states `y[7:-5]`."""

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
        """Per-cytosolic-volume Ca influxes (µM/s) into cleft and SL: L-type, NCX, −PMCA, background; and the
        L-type channel's state derivatives."""
        ca_j, ca_sl = y[3], y[2]
        phi = reduced_potential(self.V, self.T, 2.0)
        u = reduced_potential(self.V, self.T)
        cal_j, cal_sl, d_ltype = self._ltype(y, phi)
        ncx = AllostericNCX(
            self.V_max_NCX, self.K_mCai, self.K_mCao, self.K_mNai, self.K_mNao, self.K_d_act, self.k_sat, self.eta,
            self.n_NCX, self.soltis_ncx,
        )  # fmt: skip
        pmca = HillPump(self.V_max_PMCA, self.K_m_PMCA, self.n_PMCA)
        back = GHKCalciumFlux(self.P_b)
        f_j = self.F_j_NCX
        other_j = f_j * (ncx(u, ca_j, self.Na_i, self.Na_o, self.Ca_o) - pmca(ca_j) + back(phi, ca_j, self.Ca_o))
        other_sl = (1.0 - f_j) * (
            ncx(u, ca_sl, self.Na_i, self.Na_o, self.Ca_o) - pmca(ca_sl) + back(phi, ca_sl, self.Ca_o)
        )
        return cal_j, cal_sl, other_j, other_sl, d_ltype

    def trigger_flux(self, y):
        cal_j, cal_sl, *_ = self._sarcolemma(y)
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

        cyto = pool(y[0], "i") + y[-5] + y[-4] + y[-2]  # TnCL, TnCHc, Myo_c
        return cyto + pool(y[3], "j") / r_j + pool(y[2], "sl") / r_sl + pool(y[1], "SR") / r_sr

    def derivative(self, t, y):
        ca_i, ca_sr, ca_sl, ca_j = y[0], y[1], y[2], y[3]
        ryr_x = y[4:7]
        tncl, tnchc, tnchm, myoc, myom = y[-5], y[-4], y[-3], y[-2], y[-1]
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
        cal_j, cal_sl, other_j, other_sl, d_ltype = self._sarcolemma(y)
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
        return jnp.concatenate(
            [jnp.stack([d_ca_i, d_ca_sr, d_ca_sl, d_ca_j, *d_ryr]), d_ltype,
             jnp.stack([d_tncl, d_tnchc, d_tnchm, d_myoc, d_myom])]
        )  # fmt: skip

    def default_solver(self):
        """Rodas4 to simulate: one paced 1 s beat (rtol 1e-6) in 474 steps against Ros34PW2's 949, 27.2 against
        43.7 ms (scipy LSODA 58.2 ms; `python -m benchmarks.beat_timing --quick`, load 1.7), and 3–4× more accurate
        against a tight reference (cardiac, cardiac-human and cardiac-mouse alike)."""
        return Rodas4()

    def gradient_solver(self):
        """Ros34PW2 to differentiate (fits): a W-method, so its Jacobian is held out of differentiation and its
        forward-mode gradients cost no second derivatives: five parameters of a beat in 151 against 171 ms with
        Rodas4, compiled in 108 against 170 s (load 11–13); both match finite differences (tests/test_solvers.py)."""
        return Ros34PW2()

    def fit_rtol(self):
        """1e-4: a paced fit's solves take a fifth of their cost at 1e-6 (416 against 1,785 Ros34PW2 steps for two
        beats), the residual Jacobian agrees with 1e-6's to 0.5%, and the estimates of a 5-parameter fit of a beat
        at σ = 0.02 ΔF/F0 move by ≤ 0.1%, its best NLL by ≤ 0.015 (benchmarks/README.md, paced cardiac fit)."""
        return 1e-4


class AbstractShannonGatesCardiac(AbstractShannonCardiac):
    """`AbstractShannonCardiac` with Shannon's L-type channel: gates d, f, and Ca-bound fCaB in cleft and SL
    (states 7–10), open fraction d · f · (1 − fCaB), GHK flux with permeability `P_CaL`, a share `F_j_CaL` in the cleft.
    """

    def _ltype(self, y, phi):
        ca_j, ca_sl, d, f, fcab_j, fcab_sl = y[3], y[2], y[7], y[8], y[9], y[10]
        cal = GHKCalciumFlux(self.P_CaL)
        cal_j = self.F_j_CaL * d * f * (1.0 - fcab_j) * cal(phi, ca_j, self.Ca_o)
        cal_sl = (1.0 - self.F_j_CaL) * d * f * (1.0 - fcab_sl) * cal(phi, ca_sl, self.Ca_o)
        gates = ShannonLTypeGates(self.k_fCa_on, self.k_fCa_off, self.V_d, self.V_f, self.k_f)
        dd, df, dfcab_j = gates.rates(self.V, d, f, fcab_j, ca_j)
        _, _, dfcab_sl = gates.rates(self.V, d, f, fcab_sl, ca_sl)
        return cal_j, cal_sl, jnp.stack([dd, df, dfcab_j, dfcab_sl])
