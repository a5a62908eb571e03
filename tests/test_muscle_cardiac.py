"""The default cardiac model: trigger dependence, RyR loss of function, caffeine, Ca conservation, alternans."""

import diffrax
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import cicrjax as cj

TS = jnp.linspace(0.0, 1.0, 1001)  # one 1 Hz beat


@pytest.fixture(scope="module")
def beats():
    """Control, Ca-free bath, K_act × 3 (E4146K-like) and K_act × 3 with k_rel × 9, one beat each at 1 Hz, in one
    vmapped call."""
    base = cj.Cardiac()
    weak = cj.ryr_loss_of_function(base, 3.0)
    models = [base, base, weak, cj.with_parameters(weak, {"k_rel": 9.0 * float(base.k_rel)})]
    paced = cj.paced(1.0, count=1)
    protocols = [
        cj.Protocol({**paced.stimuli, "Ca_o": cj.Constant(float(base.Ca_o))}),
        cj.zero_extracellular_ca(paced),
        cj.Protocol({**paced.stimuli, "Ca_o": cj.Constant(float(base.Ca_o))}),
        cj.Protocol({**paced.stimuli, "Ca_o": cj.Constant(float(base.Ca_o))}),
    ]
    stack = lambda xs: jax.tree.map(lambda *x: jnp.stack(x), *xs)  # noqa: E731

    def run(model, protocol):
        sol = cj.simulate(model, TS, protocol=protocol, solver=cj.Rodas4())
        at = jax.vmap(lambda t: protocol.apply(model, t))(TS)
        release = jax.vmap(lambda m, y: m.release_flux(y))(at, sol.ys)
        trigger = jax.vmap(lambda m, y: m.trigger_flux(y))(at, sol.ys)
        sr = jax.vmap(model.sr_calcium)(sol.ys)
        return sol.ys, release, trigger, sr, sol.success

    return [np.asarray(a) for a in jax.jit(jax.vmap(run))(stack(models), stack(protocols))]


def _amplitude(ca):
    return ca.max() - ca[0]


def test_release_amplifies_the_trigger(beats):
    ys, release, trigger, sr, ok = beats
    assert ok.all()
    entered = np.trapezoid(trigger[0], TS)
    assert entered > 0
    assert np.trapezoid(release[0], TS) / entered > 3.0  # Shannon 2004 defaults: about 3.6 (see the xfail below)
    assert (sr[0, 0] - sr[0].min()) / entered > 2.0  # net SR loss per entered Ca
    assert 0.2 < _amplitude(ys[0, :, 0]) < 1.5  # a physiological transient (µM)


@pytest.mark.xfail(
    strict=True,
    reason="issue 3 asks >= 7; the rabbit Shannon 2004 defaults give 3.6 at steady 1 Hz pacing, where release "
    "equals SERCA uptake and entry equals extrusion (SERCA takes 78 % of Ca removal; >= 7 needs >= 87.5 %)",
)
def test_released_per_entered_reaches_seven(beats):
    _, release, trigger, _, _ = beats
    assert np.trapezoid(release[0], TS) / np.trapezoid(trigger[0], TS) >= 7.0


def test_zero_extracellular_ca_abolishes_the_transient(beats):
    ys = beats[0]
    assert _amplitude(ys[1, :, 0]) < 0.05 * _amplitude(ys[0, :, 0])


def test_ryr_loss_of_function_weakens_the_transient(beats):
    ys = beats[0]
    assert _amplitude(ys[2, :, 0]) <= 0.5 * _amplitude(ys[0, :, 0])  # "catastrophically weak contraction"
    assert float(cj.ryr_loss_of_function(cj.Cardiac(), 3.0).K_act) == pytest.approx(3 * 77.46)


def test_only_k_rel_over_K_act_squared_shapes_the_transient(beats):
    """Cleft Ca stays far below K_act, where RyRs open at k_om (Ca_j/K_act)^2 and release scales with
    k_rel/K_act^2: tripling K_act and raising k_rel ninefold restores the control beat, which is why a Ca transient
    determines that ratio but not K_act and k_rel apart (benchmarks/README.md, Cramér–Rao bounds)."""
    ca = beats[0][:, :, 0]
    control = _amplitude(ca[0])
    assert _amplitude(ca[2]) <= 0.5 * control  # K_act × 3 alone
    assert abs(_amplitude(ca[3]) / control - 1.0) < 0.02  # K_act × 3 and k_rel × 9
    assert np.max(np.abs(ca[3] - ca[0])) < 0.03 * control


def test_closed_cell_conserves_calcium_and_caffeine_empties_the_sr():
    closed = cj.with_parameters(cj.Cardiac(), {"P_CaL": 0.0, "V_max_NCX": 0.0, "V_max_PMCA": 0.0, "P_b": 0.0})
    ts = jnp.linspace(0.0, 0.4, 81)
    protocol = cj.caffeine_pulse(0.05, 0.35, cj.paced(5.0, count=1, start=0.0))
    # Caffeine couples the SR to the 0.05 %-volume cleft at ~1e6 s⁻¹; a Newton solve to the controller's 1e-12 stalls
    # on roundoff there, so this bookkeeping check uses a chord solve with a tight absolute tolerance instead.
    solver = diffrax.Kvaerno5(root_finder=diffrax.VeryChord(rtol=1e-2, atol=1e-12))
    sol = cj.simulate(closed, ts, protocol=protocol, solver=solver, rtol=1e-12, atol=1e-12)
    total = np.asarray(closed.total_calcium(sol.ys))
    np.testing.assert_allclose(total, total[0], rtol=1e-9)
    sr = np.asarray(jax.vmap(closed.sr_calcium)(sol.ys))
    assert sr[-1] < 0.05 * sr[0]  # caffeine releases the SR content
    cytosol = total - sr
    assert cytosol[-1] - cytosol[0] == pytest.approx(sr[0] - sr[-1], rel=1e-8)


def test_alternans_at_bcl_140_ms_with_slow_ryr_recovery_and_none_at_1_hz():
    """Period-2 alternans of the transient amplitude at a 140 ms cycle (the comb recording's BCL), not at 1 Hz.

    With Shannon's defaults the model shows no alternans from 1 to 8 Hz (measured beat-to-beat
    differences < 0.2 % after 40 beats); alternans needs release limited by RyR refractoriness: recovery from
    inactivation slowed from τ = 0.2 s to 1 s (`k_im` = 1 s⁻¹) with steep luminal regulation (`n_lum` = 6).
    """
    beats, per_beat = 40, 40
    prone = cj.with_parameters(cj.Cardiac(), {"k_im": 1.0, "n_lum": 6.0})
    models = jax.tree.map(lambda *x: jnp.stack(x), prone, prone, cj.Cardiac())
    periods = jnp.array([1.0, 0.14, 0.14])

    def amplitudes(model, period):
        ts = jnp.linspace(0.0, beats * period, beats * per_beat + 1)
        apd = 0.2 * jnp.minimum(1.0, 0.9 * jnp.sqrt(period))  # as `paced` shortens it
        protocol = cj.Protocol({"V": cj.ActionPotential(period=period, count=beats, apd=apd)})
        sol = cj.simulate(model, ts, protocol=protocol, solver=cj.Rodas4(), max_steps=40_000)
        ca = sol["Ca_i"][: beats * per_beat].reshape(beats, per_beat)
        return jnp.max(ca, axis=1) - jnp.min(ca, axis=1)

    amp = np.asarray(jax.jit(jax.vmap(amplitudes))(models, periods))[:, -6:]
    swing = np.abs(np.diff(amp, axis=1)) / amp.mean(axis=1, keepdims=True)
    assert np.all(swing[1] > 0.15)  # large beat-to-beat alternation at BCL 140 ms ...
    np.testing.assert_allclose(amp[1, 2:], amp[1, :-2], rtol=0.05)  # ... of period 2 (envelope drifts ~3 %)
    assert np.all(swing[0] < 0.01)  # none at 1 Hz with the same parameters
    assert np.all(swing[2] < 0.01)  # and none with Shannon's defaults at BCL 140 ms
