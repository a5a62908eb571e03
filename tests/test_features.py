"""Trajectory features against closed forms: a bi-exponential transient and a sine, with derivatives from jax
checked against central differences of the closed forms (scipy root finding for the crossings)."""

from typing import ClassVar

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jaxtyping import Array
from scipy.optimize import brentq

import cicrjax as cj

B, A = 0.1, 2.0  # µM
TS = np.linspace(0.0, 3.0, 301)  # s, Δt = 10 ms


class BiExponential(cj.AbstractModel):
    """c(t) = b + A (exp(−t/τd) − exp(−t/τr)): a test transient whose vector field is its exact time derivative."""

    name: ClassVar[str] = "biexponential"
    states: ClassVar[tuple[str, ...]] = ("c",)
    citation: ClassVar[str] = "closed form (test)"
    tau_r: Array = cj.param(0.05, "s", "rise time constant")
    tau_d: Array = cj.param(0.5, "s", "decay time constant")

    def derivative(self, t, y):
        return jnp.stack([A * (-jnp.exp(-t / self.tau_d) / self.tau_d + jnp.exp(-t / self.tau_r) / self.tau_r)])

    def initial_state(self):
        return jnp.array([B])


class Sine(cj.AbstractModel):
    """c(t) = b + a sin(2πt/T) + a: a test oscillation of period T."""

    name: ClassVar[str] = "sine"
    states: ClassVar[tuple[str, ...]] = ("c",)
    citation: ClassVar[str] = "closed form (test)"
    a: Array = cj.param(0.5, "µM", "half the peak-to-peak amplitude")
    T: Array = cj.param(0.7, "s", "period")

    def derivative(self, t, y):
        return jnp.stack([self.a * 2 * jnp.pi / self.T * jnp.cos(2 * jnp.pi * t / self.T)])

    def initial_state(self):
        return jnp.array([B + self.a])


def biexp(t, tau_r, tau_d):
    return B + A * (np.exp(-t / tau_d) - np.exp(-t / tau_r))


def biexp_reference(tau_r, tau_d):
    """Closed-form peak, brentq crossings, and the exact mean over TS."""
    t_peak = tau_r * tau_d / (tau_d - tau_r) * np.log(tau_d / tau_r)
    amp = biexp(t_peak, tau_r, tau_d) - B
    cross = lambda frac, lo, hi: brentq(lambda t: biexp(t, tau_r, tau_d) - B - frac * amp, lo, hi, xtol=1e-14)
    t_end = TS[-1]
    y = biexp(TS, tau_r, tau_d)  # τ: log-linear least squares of the samples from 80% to 20% decay after the peak
    k = np.argmax(y)
    x = y - B
    window = (np.arange(TS.size) > k) & (x <= 0.8 * x[k]) & (x >= 0.2 * x[k])
    slope = np.polyfit(TS[window], np.log(x[window]), 1)[0]
    mean = B + A * (tau_d * (1 - np.exp(-t_end / tau_d)) - tau_r * (1 - np.exp(-t_end / tau_r))) / t_end
    return {
        "amplitude": amp,
        "baseline": B,
        "time_to_peak": t_peak - cross(0.1, 0.0, t_peak),
        "fdhm": cross(0.5, t_peak, t_end) - cross(0.5, 0.0, t_peak),
        "decay_tau": -1.0 / slope,
        "mean_ca": mean,
    }


NAMES = ("amplitude", "baseline", "time_to_peak", "fdhm", "decay_tau", "mean_ca")


def biexp_features(theta):
    model = BiExponential(tau_r=theta[0], tau_d=theta[1])
    ts = jnp.asarray(TS)
    ys = (B + A * (jnp.exp(-ts / theta[1]) - jnp.exp(-ts / theta[0])))[:, None]
    return cj.trajectory_features(model, ts, ys, NAMES)


@pytest.fixture(scope="module")
def biexp_case():
    theta = np.array([0.05, 0.5])
    values, jac = jax.jit(lambda th: (biexp_features(th), jax.jacfwd(biexp_features)(th)))(theta)
    return theta, np.asarray(values), np.asarray(jac)


def test_transient_features_equal_closed_forms(biexp_case):
    _, values, _ = biexp_case
    ref = biexp_reference(0.05, 0.5)
    for name, value in zip(NAMES, values, strict=True):
        # Crossings on the cubic interpolant (Δt = 10 ms) are O(Δt⁴), the peak time O(Δt³); the mean is a trapezoid
        # rule with the end correction, O(Δt⁴).
        tol = {"mean_ca": 1e-6, "time_to_peak": 1e-4}.get(name, 2e-6)
        assert value == pytest.approx(ref[name], rel=tol, abs=1e-9), name


def test_transient_feature_derivatives_equal_differences_of_closed_forms(biexp_case):
    theta, _, jac = biexp_case
    h = 1e-6
    for j in range(2):
        up, down = theta.copy(), theta.copy()
        up[j] += h
        down[j] -= h
        ref_up, ref_down = biexp_reference(*up), biexp_reference(*down)
        for i, name in enumerate(NAMES):
            fd = (ref_up[name] - ref_down[name]) / (2 * h)
            tol = 1e-4
            assert jac[i, j] == pytest.approx(fd, rel=tol, abs=1e-6), (name, j)


def test_period_and_its_derivative_of_a_sine_and_nan_where_undefined():
    ts = np.linspace(0.0, 5.0, 501)
    names = ("period", "frequency", "amplitude", "mean_ca", "peak_gain", "store_load")

    def features(theta):
        model = Sine(a=theta[0], T=theta[1])
        t = jnp.asarray(ts)
        ys = (B + theta[0] + theta[0] * jnp.sin(2 * jnp.pi * t / theta[1]))[:, None]
        return cj.trajectory_features(model, t, ys, names)

    run = jax.jit(lambda th: (features(th), jax.jacfwd(features)(th)))
    values, jac = (np.asarray(a) for a in run(jnp.array([0.5, 0.7])))
    assert values[0] == pytest.approx(0.7, rel=1e-7)  # period T
    assert values[1] == pytest.approx(1 / 0.7, rel=1e-7)
    assert values[2] == pytest.approx(2 * 0.5, rel=1e-6)  # peak − trough before it: 2a
    assert values[3] == pytest.approx(B + 0.5 + 0.5 * (1 - np.cos(2 * np.pi * 5.0 / 0.7)) * 0.7 / (2 * np.pi * 5.0))
    assert np.all(np.isnan(values[4:]))  # no trigger, no store
    assert jac[0] == pytest.approx([0.0, 1.0], abs=1e-6)  # ∂T/∂a = 0, ∂T/∂T = 1
    assert jac[1, 1] == pytest.approx(-1 / 0.7**2, rel=1e-6)
    assert jac[2] == pytest.approx([2.0, 0.0], abs=1e-5)
    settled, _ = run(jnp.array([1e-6, 0.7]))  # range below 10⁻³ of the maximum: no period
    assert np.isnan(settled[0]) and np.isnan(settled[1])


GAIN_TS = np.linspace(0.0, 0.1, 101)  # s, Δt = 1 ms


def hinch_gains(theta):
    """Peak and integrated gain of Hinch et al. (2004) held at 0 mV along a prescribed trajectory: a Ca_i transient
    of height θ₂ (µM) at 20 ms on the resting state, the RyR-inactivated pool z₃ rising to 0.1 with τ = 30 ms;
    θ₁ is K_RyR (µM). No ODE solve: the features' own differentiation through the fluxes is what is checked."""
    model = cj.Hinch2004(V=0.0, K_RyR=theta[0])
    t = jnp.asarray(GAIN_TS)
    rest = model.initial_state()
    ca = rest[0] + theta[1] * jnp.exp(-(((t - 0.02) / 0.01) ** 2))
    z3 = rest[4] + 0.1 * (1 - jnp.exp(-t / 0.03))
    ys = jnp.tile(rest, (t.size, 1)).at[:, 0].set(ca).at[:, 4].set(z3).at[:, 2].add(-(z3 - rest[4]))
    return cj.trajectory_features(model, t, ys, ["peak_gain", "integrated_gain"]), ys


def test_gain_features_equal_flux_ratios_and_their_differences():
    """Peak gain = max release / max trigger flux over the samples; integrated gain = ratio of their trapezoid
    integrals (scipy); jacfwd of both against central differences (relative step 1e-5)."""
    from scipy.integrate import trapezoid

    theta = np.array([41.0, 0.5])
    gains = lambda th: hinch_gains(th)[0]
    values, jac = jax.jit(lambda th: (hinch_gains(th), jax.jacfwd(gains)(th)))(jnp.asarray(theta))
    (values, ys), jac = (np.asarray(values[0]), np.asarray(values[1])), np.asarray(jac)
    model = cj.Hinch2004(V=0.0, K_RyR=theta[0])
    fluxes = jax.jit(jax.vmap(lambda y: jnp.stack([model.release_flux(y), model.trigger_flux(y)])))
    release, trigger = np.asarray(fluxes(jnp.asarray(ys))).T
    assert values[0] == pytest.approx(release.max() / trigger.max(), rel=1e-10)
    assert values[1] == pytest.approx(trapezoid(release, GAIN_TS) / trapezoid(trigger, GAIN_TS), rel=1e-10)
    assert values[0] > 1 and values[1] > 1  # CICR amplifies the trigger
    run = jax.jit(gains)
    for j in range(2):
        h = 1e-5 * theta[j]
        up, down = theta.copy(), theta.copy()
        up[j] += h
        down[j] -= h
        fd = (np.asarray(run(jnp.asarray(up))) - np.asarray(run(jnp.asarray(down)))) / (2 * h)
        np.testing.assert_allclose(jac[:, j], fd, rtol=1e-5, atol=1e-8 * np.abs(values).max())
    assert np.all(np.abs(jac[:, 0]) > 0)  # K_RyR moves both gains: the derivative is not trivially zero


def test_a_save_grid_too_coarse_for_a_feature_is_warned():
    """A 0.7 s period saved every 0.2 s spans 3.5 intervals (8 needed), a 50 ms time to peak every 20 ms 2.5 (4
    needed); every 10 ms both are resolved. `local_sensitivity` runs this check on its feature values."""
    import warnings

    with pytest.warns(UserWarning, match=r"feature 'period' spans only 3\.5 save intervals of 0\.2 s; at least 8"):
        cj.check_resolution(["period", "amplitude"], [0.7, 1.0], 0.2)
    with pytest.warns(UserWarning, match=r"feature 'frequency' spans only 3\.5 .* save every 0\.0875 s or less"):
        cj.check_resolution(["frequency"], [1 / 0.7], 0.2)
    with pytest.warns(UserWarning, match=r"feature 'time_to_peak' spans only 2\.5 save intervals"):
        cj.check_resolution(["time_to_peak"], [0.05], 0.02)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cj.check_resolution(["period", "frequency", "time_to_peak", "mean_ca"], [0.7, 1 / 0.7, 0.05, 0.001], 0.01)
        cj.check_resolution(["period"], [np.nan], 0.2)  # undefined: said by its own error


def test_feature_errors():
    ts = jnp.linspace(0.0, 1.0, 11)
    ys = jnp.zeros((11, 1))
    with pytest.raises(cj.InputError, match="unknown feature 'periodd'; valid features: amplitude"):
        cj.trajectory_features(Sine(), ts, ys, ["periodd"])
    with pytest.raises(cj.InputError, match="evenly spaced"):
        cj.trajectory_features(Sine(), jnp.asarray(np.r_[0.0, 0.1, 0.3, 0.4, 0.5]), ys[:5], ["period"])
    with pytest.raises(cj.InputError, match=r"ys must have shape \(len\(ts\), states\) = \(11, 1\)"):
        cj.trajectory_features(Sine(), ts, ys[:5], ["period"])
