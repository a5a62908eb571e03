"""Skeletal muscle (Ríos 1993 allosteric release): voltage-gated, Ca-independent release."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.linalg

import cicrjax as cj

TS = jnp.linspace(0.0, 0.05, 501)


def _rios_generator(V, k_L=2.0, k_Lm=1e6, f=0.2, alpha1=200.0, K=4.5, V_bar=-20.0):
    """Independent transcription of the ten-state scheme of Ríos et al. 1993 (J Gen Physiol 102:449) with the rates
    of Shorten et al. 2007 (J Muscle Res Cell Motil 28:293; k_L 0.002 ms⁻¹, k_L⁻ 1000 ms⁻¹, f 0.2, α1 0.2 ms⁻¹,
    K 4.5 mV, V̄ −20 mV) as a rate matrix, s⁻¹."""
    kc = 0.5 * alpha1 * np.exp((V - V_bar) / (8 * K))
    kcm = 0.5 * alpha1 * np.exp(-(V - V_bar) / (8 * K))
    A = np.zeros((10, 10))

    def add(src, dst, rate):
        A[dst, src] += rate
        A[src, src] -= rate

    for j in range(5):
        add(j, 5 + j, k_L / f**j)
        add(5 + j, j, k_Lm * f**j)
        if j < 4:
            add(j, j + 1, (4 - j) * kc)
            add(j + 1, j, (j + 1) * kcm)
            add(5 + j, 6 + j, (4 - j) * kc / f)
            add(6 + j, 5 + j, (j + 1) * f * kcm)
    return A


def _steady_open_probability(V):
    p = scipy.linalg.null_space(_rios_generator(V))[:, 0]
    p = p / p.sum()
    return p[5:].sum()


def test_steady_open_probability_is_sigmoid_and_saturates_at_0439():
    voltages = np.array([-80.0, -60.0, -40.0, -20.0, 0.0, 20.0, 60.0, 100.0])
    sensor = cj.Skeletal()._sensor()
    ours = np.asarray(jax.vmap(sensor.open_probability_steady)(jnp.asarray(voltages)))
    reference = np.array([_steady_open_probability(v) for v in voltages])
    np.testing.assert_allclose(ours, reference, rtol=1e-8)
    assert np.all(np.diff(ours) > 0)
    # Ríos et al. 1993 scheme with Shorten et al. 2007 rates: P_O about 2.2e-5 at −80 mV (null space of the generator
    # above, scipy); at saturating V all four sensors are active and P_O = K/(1 + K), K = (k_L/f⁴)/(k_L⁻ f⁴) = 0.78125,
    # that is 0.4386
    assert ours[0] == pytest.approx(2.2e-5, rel=0.1)
    assert float(sensor.open_probability_steady(jnp.asarray(150.0))) == pytest.approx(0.439, abs=5e-4)
    # Sigmoid: the slope peaks inside the range, not at an end.
    slope = np.diff(ours)
    assert 0 < int(np.argmax(slope)) < len(slope) - 1


def test_kinetic_scheme_matches_its_rate_matrix():
    sensor = cj.Skeletal()._sensor()
    x = jnp.asarray(np.random.default_rng(0).dirichlet(np.ones(10)))
    for v in (-80.0, 0.0, 40.0):
        ours = np.asarray(sensor.rates(x, jnp.asarray(v)))
        np.testing.assert_allclose(ours, _rios_generator(v) @ np.asarray(x), rtol=1e-10, atol=1e-6)


@pytest.fixture(scope="module")
def runs():
    """Control and Ca-free bath, 50 ms step to 0 mV, one vmapped call."""
    model = cj.Skeletal()
    protocols = [cj.voltage_clamp(0.0, duration=0.05), cj.zero_extracellular_ca(cj.voltage_clamp(0.0, duration=0.05))]
    protocols[0] = cj.Protocol({**protocols[0].stimuli, "Ca_o": cj.Constant(float(model.Ca_o))})
    batch = jax.tree.map(lambda *x: jnp.stack(x), *protocols)

    def run(protocol):
        sol = cj.simulate(model, TS, protocol=protocol, solver=cj.Rodas4())
        at = jax.vmap(lambda t: protocol.apply(model, t))(TS)
        release = jax.vmap(lambda m, y: m.release_flux(y))(at, sol.ys)
        trigger = jax.vmap(lambda m, y: m.trigger_flux(y))(at, sol.ys)
        return sol.ys, release, trigger, sol.success

    return jax.jit(jax.vmap(run))(batch)


def test_release_survives_zero_extracellular_ca(runs):
    ys, release, trigger, ok = (np.asarray(a) for a in runs)
    assert ok.all()
    assert release[1].max() == pytest.approx(release[0].max(), rel=0.05)
    assert np.trapezoid(release[1], TS) == pytest.approx(np.trapezoid(release[0], TS), rel=0.05)
    assert ys[1, :, 0].max() == pytest.approx(ys[0, :, 0].max(), rel=0.05)
    assert trigger[0].max() > 0 and abs(trigger[1]).max() < 1e-3 * trigger[0].max()  # the bath Ca did change
    assert ys[0, :, 0].max() > 20 * ys[0, 0, 0]  # a real transient: peak Ca far above rest


def test_sensor_occupancy_is_conserved(runs):
    ys = np.asarray(runs[0])
    np.testing.assert_allclose(ys[..., 2:12].sum(axis=-1), 1.0, atol=1e-9)
