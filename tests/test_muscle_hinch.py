"""Hinch et al. 2004 local-control model: graded release and peak gain against an independent scipy model."""

import math

import jax.numpy as jnp
import numpy as np
import pytest
from scipy.integrate import solve_ivp

import cicrjax as cj

# One compiled, vmapped call serves every test here (and the CLI test in test_gain_cli.py uses the same shape).
VOLTAGES = [-20.0, -10.0, 0.0, 10.0, 20.0, 30.0, 40.0, 50.0]


@pytest.fixture(scope="module")
def gain():
    return cj.voltage_clamp_gain(cj.Hinch2004(), VOLTAGES)


def _hinch_rhs_mM_ms(V, Ca_o=1.0):
    """The CellML equations (mM, ms, µm³) written out independently, with the J_Loo sign typo fixed."""
    V_myo, V_SR, R, T, F = 25.84e3, 2.098e3, 8314.5, 295.0, 96487.0
    g_D, J_R, J_L, N = 0.065, 0.02, 9.13e-4, 50000.0
    V_L, del_VL, phi_L, t_L, tau_L = -2.0, 7.0, 2.35, 1.0, 650.0
    tau_R, phi_R, theta_R, K_RyR, K_L = 2.43, 0.05, 0.012, 41e-3, 0.22e-3
    a, b, c, d = 0.0625, 14.0, 0.01, 100.0
    K_mNa, K_mCa, eta, k_sat, g_NCX, Na_i, Na_o = 87.5, 1.38, 0.35, 0.1, 38.5e-3, 10.0, 140.0
    g_SERCA, K_SERCA, g_pCa, K_mpCa, g_CaB, g_SRl = 0.45e-3, 0.5e-3, 0.0035e-3, 0.5e-3, 2.6875e-8, 1.8951e-5
    k_m_TRPN, k_p_TRPN, B_TRPN, k_CMDN, B_CMDN = 0.04, 40.0, 70e-3, 2.382e-3, 50e-3
    t_R = 1.17 * t_L
    FVRT = F * V / (R * T)
    phi = 2.0 * FVRT
    ghk = phi / (1.0 - math.exp(-phi)) if abs(phi) > 1e-9 else 1.0
    e = math.exp(-phi)

    def fluxes(y):
        Ca_i, Ca_SR, z1, z2, z3, TRPN = y
        C_oc = (Ca_i + J_L / g_D * Ca_o * ghk * e) / (1.0 + J_L / g_D * ghk)
        C_co = (Ca_i + J_R / g_D * Ca_SR) / (1.0 + J_R / g_D)
        expVL = math.exp((V - V_L) / del_VL)
        alpha_p = expVL / (t_L * (expVL + 1.0))
        alpha_m = phi_L / t_L
        beta_pcc = Ca_i**2 / (t_R * (Ca_i**2 + K_RyR**2))
        beta_poc = C_oc**2 / (t_R * (C_oc**2 + K_RyR**2))
        beta_m = phi_R / t_R
        bracket = (alpha_m + beta_m + beta_poc) * (beta_m + beta_pcc) + alpha_p * (beta_m + beta_poc)
        denom = (alpha_p + alpha_m) * bracket
        y_oc = alpha_p * beta_m * (alpha_p + alpha_m + beta_m + beta_pcc) / denom
        y_co = alpha_m * (beta_pcc * (alpha_m + beta_m + beta_poc) + beta_poc * alpha_p) / denom
        y_oo = alpha_p * (beta_poc * (alpha_p + beta_m + beta_pcc) + beta_pcc * alpha_m) / denom
        y_cc = alpha_m * beta_m * (alpha_m + alpha_p + beta_m + beta_poc) / denom
        J_Rco = J_R * (Ca_SR - Ca_i) / (1.0 + J_R / g_D)
        J_Roo = J_R * (Ca_SR - Ca_i + J_L / g_D * ghk * (Ca_SR - Ca_o * e)) / (1.0 + J_R / g_D + J_L / g_D * ghk)
        J_Loc = J_L * ghk * (Ca_o * e - Ca_i) / (1.0 + J_L / g_D * ghk)
        J_Loo = J_L * ghk * (Ca_o * e - Ca_i + J_R / g_D * (Ca_o * e - Ca_SR)) / (1.0 + J_R / g_D + J_L / g_D * ghk)
        I_RyR = (z1 * (y_oo * J_Roo + y_co * J_Rco) + z3 * J_Rco * beta_pcc / (beta_m + beta_pcc)) * N / V_myo
        I_LCC = (z1 * (y_oo * J_Loo + y_oc * J_Loc) + z2 * J_Loc * alpha_p / (alpha_p + alpha_m)) * N / V_myo
        mu = lambda C: (C**2 + c * K_RyR**2) / (tau_R * (C**2 + K_RyR**2))  # noqa: E731
        mu_m = lambda C: theta_R * d * (C**2 + c * K_RyR**2) / (tau_R * (d * C**2 + c * K_RyR**2))  # noqa: E731
        eps_p = lambda C: C * (expVL + a) / (tau_L * K_L * (expVL + 1.0))  # noqa: E731
        eps_m = b * (expVL + a) / (tau_L * (b * expVL + a))
        r1 = y_oc * mu(C_oc) + y_cc * mu(Ca_i)
        r2 = (alpha_p * mu_m(C_oc) + alpha_m * mu_m(Ca_i)) / (alpha_p + alpha_m)
        r3 = beta_m * mu(Ca_i) / (beta_m + beta_pcc)
        r5 = y_co * eps_p(C_co) + y_cc * eps_p(Ca_i)
        r7 = alpha_m * eps_p(Ca_i) / (alpha_p + alpha_m)
        z4 = 1.0 - z1 - z2 - z3
        dz = [
            -(r1 + r5) * z1 + r2 * z2 + eps_m * z3,
            r1 * z1 - (r2 + r7) * z2 + eps_m * z4,
            r5 * z1 - (eps_m + r3) * z3 + mu_m(Ca_i) * z4,
        ]
        I_SERCA = g_SERCA * Ca_i**2 / (K_SERCA**2 + Ca_i**2)
        I_SR = g_SRl * (Ca_SR - Ca_i)
        I_NaCa = (
            g_NCX
            * (math.exp(eta * FVRT) * Na_i**3 * Ca_o - math.exp((eta - 1.0) * FVRT) * Na_o**3 * Ca_i)
            / ((Na_o**3 + K_mNa**3) * (Ca_o + K_mCa) * (1.0 + k_sat * math.exp((eta - 1.0) * FVRT)))
        )
        I_pCa = g_pCa * Ca_i / (K_mpCa + Ca_i)
        I_CaB = g_CaB * (R * T / (2.0 * F) * math.log(Ca_o / Ca_i) - V)
        I_TRPN = k_m_TRPN * (B_TRPN - TRPN) - k_p_TRPN * TRPN * Ca_i
        beta = 1.0 / (1.0 + k_CMDN * B_CMDN / (k_CMDN + Ca_i) ** 2)
        dCa = beta * (I_LCC + I_RyR - I_SERCA + I_SR + I_NaCa - I_pCa + I_CaB + I_TRPN)
        dSR = V_myo / V_SR * (-I_RyR + I_SERCA - I_SR)
        return [dCa, dSR, *dz, I_TRPN], I_RyR, I_LCC

    return fluxes


def _scipy_peak_gain(V):
    fluxes = _hinch_rhs_mM_ms(V)
    y0 = [1e-4, 0.7, 0.98859, 0.0087302, 0.0026566, 0.0636364]
    ts = np.linspace(0.0, 200.0, 4001)  # ms
    sol = solve_ivp(lambda t, y: fluxes(y)[0], (0.0, 200.0), y0, method="LSODA", t_eval=ts, rtol=1e-9, atol=1e-12)
    assert sol.success
    ryr, lcc = np.array([fluxes(y)[1:] for y in sol.y.T]).T
    return ryr.max() / lcc.max(), sol.y[0].max() * 1e3


def test_peak_gain_at_0mV_matches_scipy_and_published(gain):
    ours = float(gain.peak_gain[VOLTAGES.index(0.0)])
    reference, peak_ca = _scipy_peak_gain(0.0)
    assert ours == pytest.approx(reference, rel=0.10)
    # Hinch et al. 2004 (Biophys J 87:3723), 200 ms step from −80 to 0 mV: peak gain max J_RyR / max J_LCC about 18
    # (independent scipy integration of their equations, CellML export hinch_greenstein_tanskanen_xu_winslow_2004)
    assert ours == pytest.approx(18.0, rel=0.10)
    assert float(gain.peak_ca[VOLTAGES.index(0.0)]) == pytest.approx(peak_ca, rel=0.05)  # about 0.9 µM


def test_gain_falls_monotonically_with_depolarisation(gain):
    peak = np.asarray(gain.peak_gain)
    assert bool(np.all(gain.success))
    assert np.all(np.diff(peak) < 0), peak  # graded release: gain falls from −20 to +50 mV
    assert peak[-1] < 0.3 * peak[0]  # "a few units at +50 mV"


def test_integrated_gain_and_released_per_entered_are_consistent(gain):
    i0 = VOLTAGES.index(0.0)
    # Hinch et al. 2004 (Biophys J 87:3723) at 0 mV: integrated gain ∫J_RyR / ∫J_LCC over the 200 ms pulse about 13
    # (the same independent scipy integration as the peak gain)
    assert float(gain.integrated_gain[i0]) == pytest.approx(13.0, rel=0.15)
    # Net SR loss cannot exceed gross release: released per entered is at most the integrated gain.
    assert np.all(np.asarray(gain.released_per_entered) <= np.asarray(gain.integrated_gain) + 1e-9)
    assert np.all(np.asarray(gain.released_per_entered) > 0)


def test_loss_of_function_lowers_release_but_keeps_voltage_dependence(gain):
    weak = cj.voltage_clamp_gain(cj.ryr_loss_of_function(cj.Hinch2004(), 3.0), VOLTAGES)
    assert np.all(np.asarray(weak.peak_ca) < np.asarray(gain.peak_ca))
    assert np.all(np.diff(np.asarray(weak.peak_gain)) < 0)


def test_voltage_clamp_protocol_values():
    protocol = cj.voltage_clamp(0.0, holding=-80.0, start=0.01, duration=0.2)
    v = protocol.stimuli["V"]
    assert [float(v(jnp.asarray(t))) for t in (0.0, 0.01, 0.1, 0.22, 0.5)] == [-80.0, 0.0, 0.0, -80.0, -80.0]
    np.testing.assert_allclose(np.asarray(protocol.jump_times()), [0.01, 0.21])
