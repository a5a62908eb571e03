"""The default cardiac model: trigger dependence, RyR loss of function, caffeine, Ca conservation, alternans."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import cicrjax as cj

BEATS = 40  # alternans needs ~40 beats to grow past 15 %; by beat 40 at 1 Hz the SR content repeats to 1e-5
SAMPLES = 1000  # per beat: 1 ms at 1 Hz, enough to integrate the release flux


def _stack(xs):
    return jax.tree.map(lambda *x: jnp.stack(x), *xs)


@pytest.fixture(scope="module")
def runs(once_per_session):
    """Forty paced beats of seven cells (see `_runs`), computed once per session even when the module's tests are
    split over two xdist workers."""
    return once_per_session("test_muscle_cardiac.runs", _runs)


def _runs():
    """Forty paced beats of seven cells in one vmapped, compiled call (Rosenbrock solver), from the resting state.

    Lanes, paced at 1 Hz unless said: 0 control; 1 Ca-free bath; 2 K_act × 3 (E4146K-like); 3 K_act × 3 with
    k_rel × 9; 4 and 5 alternans-prone (RyR recovery slowed to k_im = 1 s⁻¹, steep luminal regulation n_lum = 6)
    at 1 Hz and at a 140 ms cycle; 6 control at a 140 ms cycle. Returns times, states, release and trigger fluxes,
    SR content, membrane voltage and success, each with a leading lane axis.
    """
    base = cj.Cardiac()
    weak = cj.ryr_loss_of_function(base, 3.0)
    prone = cj.with_parameters(base, {"k_im": 1.0, "n_lum": 6.0})
    models = [base, base, weak, cj.with_parameters(weak, {"k_rel": 9.0 * float(base.k_rel)}), prone, prone, base]
    periods = [1.0, 1.0, 1.0, 1.0, 1.0, 0.14, 0.14]
    bath = cj.Constant(float(base.Ca_o))
    protocols = [cj.Protocol({**cj.paced(1.0 / p, count=BEATS).stimuli, "Ca_o": bath}) for p in periods]
    protocols[1] = cj.zero_extracellular_ca(cj.paced(1.0, count=BEATS))
    ts = np.asarray(periods)[:, None] * np.linspace(0.0, BEATS, BEATS * SAMPLES + 1)

    def run(model, protocol, ts):
        sol = cj.simulate(model, ts, protocol=protocol, solver=cj.Rodas4(), max_steps=40_000)
        at = jax.vmap(lambda t: protocol.apply(model, t))(ts)
        release = jax.vmap(lambda m, y: m.release_flux(y))(at, sol.ys)
        trigger = jax.vmap(lambda m, y: m.trigger_flux(y))(at, sol.ys)
        sr = jax.vmap(model.sr_calcium)(sol.ys)
        return sol.ys, release, trigger, sr, at.V, sol.success

    out = jax.jit(jax.vmap(run))(_stack(models), _stack(protocols), jnp.asarray(ts))
    return ts, *[np.asarray(a) for a in out]


def _beat(x, k=0):
    """Samples of beat `k` (0-based; −1 the last) of every lane, both ends included (time is axis 1)."""
    k = k % BEATS
    return x[:, k * SAMPLES : (k + 1) * SAMPLES + 1]


def _amplitude(ca):
    return ca.max() - ca[0]


def _integral(flux, ts):
    return np.trapezoid(flux, ts)


def test_release_amplifies_the_trigger(runs):
    ts, ys, release, trigger, sr, _, ok = runs
    ts, ys, release, trigger, sr = (_beat(a)[0] for a in (ts, ys, release, trigger, sr))
    assert ok.all()
    entered = _integral(trigger, ts)
    assert entered > 0
    assert _integral(release, ts) / entered > 3.0  # first beat from rest; 3.7 at steady 1 Hz pacing (below)
    assert (sr[0] - sr.min()) / entered > 2.0  # net SR loss per entered Ca
    assert 0.2 < _amplitude(ys[:, 0]) < 1.5  # a physiological transient (µM)


FARADAY, GAS = 96485.33212, 8.314462618  # C/mol, J/(mol·K)


def _removal(model, ys, V):
    """Net Ca removal from the cytosol (µM/s per cytosolic volume) by the SR and by the sarcolemma, written out here
    from Shannon et al. 2004 (Biophys J 87:3351) with the model's parameter values: SERCA's reversible Hill pump
    minus the SR leak; NCX extrusion (allosteric Weber–Shannon exchanger) plus the PMCA minus the background influx
    (cicrjax's GHK form of it), at junctional (11 %) and subsarcolemmal (89 %) Ca."""
    m = {p.name: float(getattr(model, p.name)) for p in model.parameters()}
    ca_i, ca_sr, ca_sl, ca_j = (ys[..., i] for i in range(4))
    up, back = (ca_i / m["K_m_SERCA"]) ** m["n_SERCA"], (ca_sr / m["K_r_SERCA"]) ** m["n_SERCA"]
    sr = m["V_max_SERCA"] * (up - back) / (1 + up + back) - m["k_leak"] * (ca_sr - ca_j)
    u = FARADAY * V * 1e-3 / (GAS * m["T"])
    na_i, na_o, ca_o = m["Na_i"], m["Na_o"], m["Ca_o"]

    def sarcolemma(ca):
        allosteric = 1 / (1 + (m["K_d_act"] / ca) ** 3)
        forward = np.exp((m["eta"] - 1) * u) * na_o**3 * ca
        reverse = np.exp(m["eta"] * u) * na_i**3 * ca_o
        denominator = (
            m["K_mCai"] * na_o**3 * (1 + (na_i / m["K_mNai"]) ** 3)
            + m["K_mNao"] ** 3 * ca * (1 + ca / m["K_mCai"])
            + m["K_mCao"] * na_i**3
            + na_i**3 * ca_o
            + na_o**3 * ca
        ) * (1 + m["k_sat"] * np.exp((m["eta"] - 1) * u))
        ncx = m["V_max_NCX"] * allosteric * (forward - reverse) / denominator
        pmca = m["V_max_PMCA"] * ca ** m["n_PMCA"] / (m["K_m_PMCA"] ** m["n_PMCA"] + ca ** m["n_PMCA"])
        phi = 2 * u  # GHK background influx P_b φ (Ca_o e^{−φ} − Ca)/(1 − e^{−φ}); the AP never samples φ = 0
        background = m["P_b"] * phi * (ca_o * np.exp(-phi) - ca) / -np.expm1(-phi)
        return ncx + pmca - background

    return sr, m["F_j_NCX"] * sarcolemma(ca_j) + (1 - m["F_j_NCX"]) * sarcolemma(ca_sl)


def test_released_per_entered_at_steady_1_hz_is_serca_over_sarcolemmal_removal(runs):
    """At steady 1 Hz pacing the SR ends each beat with the Ca it began with, so release equals net SERCA uptake,
    and so does the cell, so L-type entry equals net sarcolemmal removal: Ca released per Ca entered is SERCA's
    share of Ca removal over the sarcolemmal share. With Shannon et al. 2004's rabbit values SERCA removes 78 % of
    the Ca gross (Bers 2002, Nature 415:198, measured 70 : 28 in rabbit), and released/entered is 3.7: amplification
    of 7 per beat would need rat-like removal (≥ 88 % by SERCA). Both sides are computed from fluxes: release and
    L-type flux from the model, removal from Shannon's equations written out above."""
    ts, ys, release, trigger, sr, V, _ = runs
    ts, ys, release, trigger, sr, V = (_beat(a, -1)[0] for a in (ts, ys, release, trigger, sr, V))
    entered, released = _integral(trigger, ts), _integral(release, ts)
    assert abs(sr[-1] - sr[0]) < 1e-3 * released  # steady: the SR content repeats beat to beat
    by_serca, by_sarcolemma = (_integral(j, ts) for j in _removal(cj.Cardiac(), ys, V))
    assert released / entered == pytest.approx(by_serca / by_sarcolemma, rel=5e-3)
    assert released / entered == pytest.approx(3.7, rel=0.03)


def test_peak_gain_at_0_mV_is_at_least_seven():
    """Peak gain (Wier et al. 1994: max SR release flux / max L-type flux) of a 200 ms clamp from −80 to 0 mV: at
    least 7, "7 or more Ca released per trigger Ca" (experimental amplification about 5–10; peak gain 10–20 near
    0 mV in rat, Sobie & Ramay 2009). The steps of notebooks/04's quick setting, −30 to 30 mV by 15: the notebook
    and this test compile one program (shared through the session's compilation cache)."""
    gain = cj.voltage_clamp_gain(cj.Cardiac(), np.linspace(-30.0, 30.0, 5))
    assert float(gain.voltage[2]) == 0.0
    assert bool(np.all(gain.success))
    assert float(gain.peak_gain[2]) >= 7.0


def test_zero_extracellular_ca_abolishes_the_transient(runs):
    ca = _beat(runs[1])[..., 0]
    assert _amplitude(ca[1]) < 0.05 * _amplitude(ca[0])


def test_ryr_loss_of_function_weakens_the_transient(runs):
    ca = _beat(runs[1])[..., 0]
    assert _amplitude(ca[2]) <= 0.5 * _amplitude(ca[0])  # "catastrophically weak contraction"
    assert float(cj.ryr_loss_of_function(cj.Cardiac(), 3.0).K_act) == pytest.approx(3 * 77.46)


def test_only_k_rel_over_K_act_squared_shapes_the_transient(runs):
    """Cleft Ca stays far below K_act, where RyRs open at k_om (Ca_j/K_act)^2 and release scales with
    k_rel/K_act^2: tripling K_act and raising k_rel ninefold restores the control beat, which is why a Ca transient
    determines that ratio but not K_act and k_rel apart (benchmarks/README.md, Cramér–Rao bounds)."""
    ca = _beat(runs[1])[..., 0]
    control = _amplitude(ca[0])
    assert _amplitude(ca[2]) <= 0.5 * control  # K_act × 3 alone
    assert abs(_amplitude(ca[3]) / control - 1.0) < 0.02  # K_act × 3 and k_rel × 9
    assert np.max(np.abs(ca[3] - ca[0])) < 0.03 * control


@jax.jit
def _rodas4(model, protocol, ts, rtol, atol):
    """One compiled Rodas4 solve of a cardiac cell driven by an action potential and a caffeine pulse, shared by the
    two tests below (model, protocol, save times and tolerances are all arguments)."""
    return cj.simulate(model, ts, protocol=protocol, solver=cj.Rodas4(), rtol=rtol, atol=atol)


def test_closed_cell_conserves_calcium_and_caffeine_empties_the_sr():
    closed = cj.with_parameters(cj.Cardiac(), {"P_CaL": 0.0, "V_max_NCX": 0.0, "V_max_PMCA": 0.0, "P_b": 0.0})
    ts = jnp.linspace(0.0, 0.4, 81)
    protocol = cj.caffeine_pulse(0.05, 0.35, cj.paced(5.0, count=1, start=0.0))
    # Caffeine couples the SR to the 0.05 %-volume cleft at ~1e6 s⁻¹; a Newton solve to the controller's 1e-12 stalls
    # on roundoff there, so this bookkeeping check uses the Rosenbrock solver, which has no Newton iteration.
    sol = _rodas4(closed, protocol, ts, jnp.asarray(1e-12), jnp.asarray(1e-12))
    total = np.asarray(closed.total_calcium(sol.ys))
    np.testing.assert_allclose(total, total[0], rtol=1e-9)
    sr = np.asarray(jax.vmap(closed.sr_calcium)(sol.ys))
    assert sr[-1] < 0.05 * sr[0]  # caffeine releases the SR content
    cytosol = total - sr
    assert cytosol[-1] - cytosol[0] == pytest.approx(sr[0] - sr[-1], rel=1e-8)


def test_alternans_at_bcl_140_ms_with_slow_ryr_recovery_and_none_at_1_hz(runs):
    """Period-2 alternans of the transient amplitude at a 140 ms cycle (the comb recording's BCL), not at 1 Hz.

    With Shannon's defaults the model shows no alternans from 1 to 8 Hz (measured beat-to-beat
    differences < 0.2 % after 40 beats); alternans needs release limited by RyR refractoriness: recovery from
    inactivation slowed from τ = 0.2 s to 1 s (`k_im` = 1 s⁻¹) with steep luminal regulation (`n_lum` = 6).
    """
    ca = runs[1][4:, :-1, 0].reshape(3, BEATS, SAMPLES)  # prone at 1 Hz, prone at 140 ms, defaults at 140 ms
    amp = (ca.max(axis=2) - ca.min(axis=2))[:, -6:]
    swing = np.abs(np.diff(amp, axis=1)) / amp.mean(axis=1, keepdims=True)
    assert np.all(swing[1] > 0.15)  # large beat-to-beat alternation at BCL 140 ms ...
    np.testing.assert_allclose(amp[1, 2:], amp[1, :-2], rtol=0.05)  # ... of period 2 (envelope drifts ~3 %)
    assert np.all(swing[0] < 0.01)  # none at 1 Hz with the same parameters
    assert np.all(swing[2] < 0.01)  # and none with Shannon's defaults at BCL 140 ms


def test_cardiac_simulates_with_rodas4_to_its_tolerance_and_is_differentiated_with_ros34pw2():
    """`cardiac` simulates with Rodas4 (`default_solver()`: a 1 Hz beat in 474 steps against Ros34PW2's 949) and
    fits differentiate it with Ros34PW2 (`gradient_solver()`, checked against central differences in
    tests/test_solvers.py). The default's paced beat at rtol 1e-6 against the same solver at rtol 1e-10 (the
    tolerances are arrays, so both runs share one compilation, the caffeine test's: its caffeine pulse held at
    level 0 here): within 1e-5 of each state's peak."""
    model = cj.Cardiac()
    assert isinstance(model.default_solver(), cj.Rodas4) and isinstance(model.gradient_solver(), cj.Ros34PW2)
    ts = jnp.linspace(0.0, 0.5, 81)
    protocol = cj.caffeine_pulse(0.05, 0.35, cj.paced(1.0, count=1), level=0.0)
    sol, reference = (
        _rodas4(model, protocol, ts, jnp.asarray(rtol), jnp.asarray(1e-3 * rtol)) for rtol in (1e-6, 1e-10)
    )
    error = np.max(np.abs(np.asarray(sol.ys - reference.ys)) / np.abs(np.asarray(reference.ys)).max(axis=0))
    assert 0 < error < 1e-5
    assert int(reference.num_steps) > 2 * int(sol.num_steps)  # the reference is resolved far more finely
