"""Flux components against their formulas, and the identities they must satisfy."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import cicrjax as cj

DYK = cj.DeYoungKeizerIP3R(400.0, 0.2, 400.0, 0.2, 20.0, 0.13, 1.049, 0.9434, 0.08234)


def test_hill():
    assert float(cj.hill(0.5, 1.0, 2.0)) == pytest.approx(0.2)
    assert float(cj.hill(1.0, 1.0, 4.0)) == pytest.approx(0.5)
    assert float(cj.hill(-1e-9, 1.0, 2.5)) == 0.0  # solver overshoots below zero count as zero, never NaN


def test_gdb_fluxes_match_the_paper():
    Z, Y = 0.5, 1.6
    assert float(cj.HillPump(65.0, 1.0, 2.0)(Z)) == pytest.approx(65 * 0.25 / 1.25)
    v3 = 500 * Y**2 / (4 + Y**2) * Z**4 / (0.9**4 + Z**4)
    assert float(cj.CaActivatedRelease(500.0, 0.9, 4.0, K_lum=2.0, n_lum=2.0)(Z, Y)) == pytest.approx(v3)
    assert float(cj.Influx(1.0, 7.3)(0.301)) == pytest.approx(3.1973)
    assert float(cj.LinearExtrusion(10.0)(0.2)) == pytest.approx(2.0)


def test_release_options():
    c, s = 0.3, 100.0
    base = 4100.0 * c**2 / (25 + c**2)
    grad = cj.CaActivatedRelease(4100.0, 5.0, 2.0, gradient=True)
    assert float(grad(c, s)) == pytest.approx(base * (s - c))
    inact = cj.CaActivatedRelease(4100.0, 5.0, 2.0, K_inact=0.5, n_inact=2.0)
    assert float(inact(c, s)) == pytest.approx(base * 0.25 / (0.25 + c**2))
    with pytest.raises(ValueError, match="K_lum with n_lum"):
        cj.CaActivatedRelease(1.0, 1.0, 1.0, K_lum=1.0)


def test_reversible_pump_and_leak():
    pump = cj.ReversiblePump(286.0, 0.246, 1700.0, 1.787)
    assert float(pump(0.246, 1700.0)) == pytest.approx(0.0, abs=1e-12)  # forward and reverse balance
    assert float(pump(1.0, 0.0)) > 0 > float(pump(0.0, 1000.0))
    assert float(cj.Leak(0.05)(0.1, 1.0)) == pytest.approx(0.045)
    assert float(cj.LinearPump(20.0)(0.3)) == pytest.approx(6.0)


def test_mitochondrial_fluxes():
    assert float(cj.UniporterUptake(300.0, 0.8, 8.0)(0.8)) == pytest.approx(150.0)
    efflux = cj.MitochondrialEfflux(125.0, 5.0, 0.00625)
    assert float(efflux(0.1, 0.4)) == pytest.approx((125 * 0.01 / 25.01 + 0.00625) * 0.4)


def test_buffers():
    buffer = cj.RapidBuffer(50.0, 2.382)
    c = jnp.asarray(0.3)
    assert float(buffer.capacity(c)) == pytest.approx(float(jax.grad(buffer.bound)(c)))
    assert float(buffer.factor(c)) == pytest.approx(1 / (1 + 50 * 2.382 / 2.682**2))
    binding = cj.BufferBinding(120.0, 0.1, 0.01)
    assert float(binding(0.1, 10.0)) == pytest.approx(0.1 * 0.1 * 110 - 0.1)
    # at equilibrium, bound = B c / (K_d + c) with K_d = k_off / k_on
    assert float(binding(0.1, 120 * 0.1 / (0.1 + 0.1))) == pytest.approx(0.0, abs=1e-12)


def test_de_young_keizer_equilibrium_is_a_fixed_point_and_rates_conserve():
    x = DYK.equilibrium(0.2, 0.5)
    assert float(jnp.sum(x)) == pytest.approx(1.0)
    np.testing.assert_allclose(np.asarray(DYK.rates(x, 0.2, 0.5)), 0.0, atol=1e-12)
    x_any = jnp.arange(1.0, 9.0) / 36.0
    assert float(jnp.sum(DYK.rates(x_any, 0.3, 0.7))) == pytest.approx(0.0, abs=1e-12)
    # open probability of the stationary receptor = (m∞ n∞ h∞)^3 of the Li–Rinzel reduction
    m, n = 0.5 / (0.5 + 0.13), 0.2 / (0.2 + 0.08234)
    q2 = 1.049 * (0.5 + 0.13) / (0.5 + 0.9434)
    assert float(DYK.open_probability(x)) == pytest.approx((m * n * q2 / (q2 + 0.2)) ** 3, rel=1e-10)


def test_li_rinzel_gate():
    lr = cj.LiRinzelIP3R(0.2, 0.13, 1.049, 0.9434, 0.08234)
    q2 = float(lr.q2(0.4))
    assert float(lr.dh(0.2, 0.4, q2 / (q2 + 0.2))) == pytest.approx(0.0, abs=1e-14)
