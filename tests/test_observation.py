"""Observation models: indicator equilibrium and inversion, dye buffering, bleaching, exposure and noise."""

import math
from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import cicrjax
from cicrjax import (
    BiExponentialBleaching,
    BufferBinding,
    Fluorescence,
    FrameExposure,
    Fura2,
    GaussianNoise,
    HillIndicator,
    LogNormalNoise,
    MonoExponentialBleaching,
    PoissonGaussianNoise,
    WithIndicator,
)

CA = jnp.array([0.02, 0.1, 0.3, 1.0, 3.0])


@pytest.mark.parametrize("name", sorted(cicrjax.INDICATORS))
def test_equilibrium_fluorescence_matches_the_hill_formula_and_inverts(name):
    ind = cicrjax.INDICATORS[name]()
    Kd, n, R = float(ind.Kd), float(ind.n), float(ind.dr)
    ca = np.asarray(CA)
    expected_raw = 50.0 + 3.0 * (1 + (R - 1) * ca**n / (Kd**n + ca**n))  # F = offset + scale (Fmin + ΔF θ)
    F0 = 60.0
    for kind, expected in (
        ("raw", expected_raw),
        ("f_f0", expected_raw / F0),
        ("df_f0", expected_raw / F0 - 1),
    ):
        obs = Fluorescence(ind, kind=kind, scale=3.0, offset=50.0, F0=F0)
        signal = obs(CA)
        np.testing.assert_allclose(signal, expected, rtol=1e-12)
        np.testing.assert_allclose(obs.calcium(signal), ca, rtol=1e-9)  # Ca -> F -> Ca


def test_fura2_grynkiewicz_round_trip_and_formula():
    fura = Fura2(Kd=0.224, R_min=0.4, R_max=7.0, Sf2_Sb2=4.0)
    ratio = fura(CA)
    np.testing.assert_allclose(fura.calcium(ratio), CA, rtol=1e-10)
    # Grynkiewicz: [Ca] = Kd (R - Rmin)/(Rmax - R) Sf2/Sb2, written out independently
    r = np.array([0.5, 1.0, 3.0])
    np.testing.assert_allclose(fura.calcium(r), 0.224 * (r - 0.4) / (7.0 - r) * 4.0, rtol=1e-12)
    with pytest.raises(ValueError, match="R_min < R_max"):
        Fura2(R_min=5.0, R_max=2.0)


def test_pseudo_ratio_is_exact_when_fmax_dwarfs_fmin():
    dye = HillIndicator(Kd=1.1, n=1.0, dr=1e12, k_off=100.0, total=10.0)
    obs = Fluorescence(dye, kind="f_f0")  # F0 = F at the first sample, the resting Ca
    ca = jnp.array([0.1, 0.2, 0.5, 1.0, 4.0])
    np.testing.assert_allclose(cicrjax.pseudo_ratio_calcium(obs(ca), 1.1, 0.1), ca, rtol=1e-9)


def test_capacity_is_the_derivative_of_bound_calcium():
    for ind in (cicrjax.Fluo4(), cicrjax.GCaMP6f()):
        c, h = 0.3, 1e-6
        bound = lambda x, ind=ind: ind.n * ind.total * ind.fraction_bound(x)
        fd = (bound(c + h) - bound(c - h)) / (2 * h)
        np.testing.assert_allclose(ind.capacity(c), fd, rtol=1e-7)
    fluo4 = cicrjax.Fluo4()
    np.testing.assert_allclose(fluo4.capacity(0.1), 50.0 * 0.345 / (0.345 + 0.1) ** 2, rtol=1e-12)


def test_fluorescence_errors():
    with pytest.raises(ValueError, match="not one of"):
        Fluorescence(cicrjax.Fluo4(), kind="ratio")
    with pytest.raises(ValueError, match="needs the baseline"):
        Fluorescence(cicrjax.Fluo4(), kind="df_f0").calcium(jnp.array([0.5]))


class _Compartment(cicrjax.AbstractModel):
    """Single compartment: linear extrusion γ(c − c_rest) and an endogenous buffer S with explicit fast kinetics."""

    name: ClassVar[str] = "compartment"
    states: ClassVar[tuple[str, ...]] = ("c", "S_bound")
    citation: ClassVar[str] = "Neher E, Augustine GJ (1992) J Physiol 450:273"

    gamma: jax.Array = cicrjax.param(100.0, "1/s", "extrusion rate")
    c_rest: jax.Array = cicrjax.param(0.1, "µM", "resting Ca")
    S_total: jax.Array = cicrjax.param(40.0, "µM", "endogenous buffer")
    K_S: jax.Array = cicrjax.param(1.0, "µM", "endogenous buffer Kd")
    k_off_S: jax.Array = cicrjax.param(5000.0, "1/s", "endogenous buffer off-rate")
    c_init: jax.Array = cicrjax.param(0.1005, "µM", "initial Ca")

    def derivative(self, t, y):
        c, s = y
        binding = BufferBinding(self.S_total, self.k_off_S / self.K_S, self.k_off_S)(c, s)
        return jnp.stack([-self.gamma * (c - self.c_rest) - binding, binding])

    def initial_state(self):
        return jnp.stack([self.c_init, self.S_total * self.c_init / (self.K_S + self.c_init)])

    def default_solver(self):
        return cicrjax.stiff_solver()


class _RapidCompartment(cicrjax.AbstractModel):
    """The same compartment with the endogenous buffer in rapid equilibrium: dc/dt = −γ(c − c_rest)/(1 + κ_S(c))."""

    name: ClassVar[str] = "rapid-compartment"
    states: ClassVar[tuple[str, ...]] = ("c",)
    citation: ClassVar[str] = "Neher E, Augustine GJ (1992) J Physiol 450:273"

    gamma: jax.Array = cicrjax.param(100.0, "1/s", "extrusion rate")
    c_rest: jax.Array = cicrjax.param(0.1, "µM", "resting Ca")
    S_total: jax.Array = cicrjax.param(40.0, "µM", "endogenous buffer")
    K_S: jax.Array = cicrjax.param(1.0, "µM", "endogenous buffer Kd")
    c_init: jax.Array = cicrjax.param(0.1005, "µM", "initial Ca")

    def free_calcium_fraction(self, y):
        return cicrjax.RapidBuffer(self.S_total, self.K_S).factor(y[0])

    def derivative(self, t, y):
        return (-self.gamma * (y[0] - self.c_rest) * self.free_calcium_fraction(y))[None]

    def initial_state(self):
        return self.c_init[None]

    def default_solver(self):
        return cicrjax.stiff_solver()


@pytest.mark.parametrize("base", [_Compartment(), _RapidCompartment()], ids=["explicit", "rapid"])
def test_dye_buffering_slows_decay_as_neher_augustine_predict(base):
    ts = jnp.linspace(0.02, 0.5, 49)
    loads = jnp.array([0.0, 50.0, 200.0])

    def decay_tau(total):
        dye = HillIndicator(Kd=0.5, n=1.0, dr=10.0, k_off=5000.0, total=total)
        sol = cicrjax.simulate(WithIndicator(base, dye), ts, rtol=1e-8, atol=1e-12)
        excess = np.log(np.asarray(sol["c"]) - 0.1)
        return -1.0 / np.polyfit(np.asarray(ts), excess, 1)[0]

    taus = np.array([decay_tau(total) for total in loads])  # one compiled solve: the loading is a leaf
    kappa_S = 40.0 * 1.0 / (1.0 + 0.1) ** 2
    kappa_B = np.asarray(loads) * 0.5 / (0.5 + 0.1) ** 2
    np.testing.assert_allclose(taus, (1 + kappa_S + kappa_B) / 100.0, rtol=3e-3)  # τ = (1 + κS + κB)/γ
    # the Neher–Augustine plot: τ against κB extrapolates to −(1 + κS) at τ = 0
    slope, intercept = np.polyfit(kappa_B, taus, 1)
    np.testing.assert_allclose(-intercept / slope, -(1 + kappa_S), rtol=1e-2)


def test_with_indicator_conserves_calcium_and_follows_protocols():
    ind = cicrjax.GCaMP6f()
    model = WithIndicator(cicrjax.LiRinzel1994(), ind)
    assert model.states == ("C", "h", "dye_bound")
    y = jnp.array([0.3, 0.6, 2.0])
    d = model.derivative(0.0, y)
    inner = cicrjax.LiRinzel1994().derivative(0.0, y[:2])
    np.testing.assert_allclose(d[0] + ind.n * d[2], inner[0], rtol=1e-12)  # free + n·bound changes as the model's Ca
    np.testing.assert_allclose(d[1], inner[1], rtol=1e-12)
    np.testing.assert_allclose(model.initial_state()[2], 10.0 * ind.fraction_bound(0.1), rtol=1e-12)
    ts = jnp.linspace(0.0, 5.0, 11)
    direct_model = WithIndicator(cicrjax.LiRinzel1994(IP3=0.55), ind)
    direct = cicrjax.simulate(direct_model, ts)
    protocol = cicrjax.Protocol({"IP3": cicrjax.Constant(0.55)})  # drives the wrapped model's IP3
    driven = cicrjax.simulate(model, ts, protocol=protocol, y0=direct_model.initial_state())
    np.testing.assert_allclose(driven.ys, direct.ys, rtol=1e-8, atol=1e-12)


def test_bleaching_and_exposure():
    t = jnp.array([0.0, 10.0, 60.0])
    np.testing.assert_allclose(MonoExponentialBleaching(tau=10.0)(t), np.exp(-np.array([0, 1, 6.0])), rtol=1e-14)
    bi = BiExponentialBleaching(tau_fast=2.0, tau_slow=50.0, fraction_fast=0.25)
    np.testing.assert_allclose(bi(t), 0.25 * np.exp(-t / 2) + 0.75 * np.exp(-t / 50), rtol=1e-14)
    obs = Fluorescence(cicrjax.Fluo4(), kind="raw", scale=2.0, offset=10.0, bleaching=MonoExponentialBleaching(10.0))
    theta = 0.3
    np.testing.assert_allclose(obs.from_fraction(theta, t), 10.0 + 2.0 * (1 + 99 * theta) * np.exp(-t / 10), rtol=1e-13)
    # a frame averages over its exposure: the mean of sin(ωt) over [t, t+T] is (cos ωt − cos ω(t+T))/(ωT)
    exposure = FrameExposure(0.01, substeps=16)
    frames = jnp.array([0.0, 0.05, 0.1])
    w = 20.0
    got = exposure.integrate(jnp.sin(w * exposure.sample_times(frames)))
    np.testing.assert_allclose(got, (np.cos(w * frames) - np.cos(w * (frames + 0.01))) / (w * 0.01), rtol=1e-4)


NOISES = {
    "gaussian": (GaussianNoise(0.3), 2.0),
    "lognormal": (LogNormalNoise(0.2), 2.0),
    "camera": (PoissonGaussianNoise(gain=2.0, read_noise=3.0, offset=100.0), 500.0),
    "emccd": (PoissonGaussianNoise(gain=2.0, read_noise=3.0, offset=100.0, em_gain=True), 500.0),
}


@pytest.mark.parametrize("name", sorted(NOISES))
def test_noise_sampler_moments_match_the_likelihood(name):
    noise, mu = NOISES[name]
    samples = np.asarray(noise.sample(jnp.full((100_000,), mu), key=jax.random.key(7)))
    m, v = samples.mean(), samples.var()
    sd = math.sqrt(v)
    grid = np.linspace(max(m - 8 * sd, 1e-6), m + 8 * sd, 4001)
    density = np.exp(np.asarray(jax.vmap(lambda y: noise.log_likelihood(y, mu))(jnp.asarray(grid))))
    mass = np.trapezoid(density, grid)
    mean = np.trapezoid(grid * density, grid)
    var = np.trapezoid((grid - mean) ** 2 * density, grid)
    assert abs(mass - 1) < 1e-3
    assert abs(mean - m) < 5 * sd / math.sqrt(samples.size)  # sample mean within 5 standard errors
    assert abs(var / v - 1) < 0.02


def test_noise_likelihoods_are_differentiable_and_keys_are_explicit():
    data = jnp.array([1.1, 0.9, 1.3])
    for noise, pred in ((GaussianNoise(0.2), 1.0), (LogNormalNoise(0.2), 1.0)):
        f = jax.jit(lambda p, noise=noise: noise.log_likelihood(data, p * jnp.ones(3)))
        h = 1e-6
        np.testing.assert_allclose(jax.grad(f)(pred), (f(pred + h) - f(pred - h)) / (2 * h), rtol=1e-6)
    camera = PoissonGaussianNoise(gain=2.0, read_noise=1.5, offset=100.0)
    g = jax.grad(lambda s: eqx.tree_at(lambda n: n.read_noise, camera, s).log_likelihood(jnp.array([300.0]), 310.0))
    assert np.isfinite(g(1.5))
    a = camera.sample(jnp.full(5, 300.0), key=jax.random.key(1))
    b = camera.sample(jnp.full(5, 300.0), key=jax.random.key(1))
    np.testing.assert_array_equal(a, b)


def test_observation_parameters_have_gradients_and_batch():
    ca = jnp.array([0.1, 0.4, 1.2])
    t = jnp.array([0.0, 1.0, 2.0])

    def loss(params):
        scale, offset, F0, tau = params
        obs = Fluorescence(
            cicrjax.Fluo4(), kind="df_f0", scale=scale, offset=offset, F0=F0, bleaching=MonoExponentialBleaching(tau)
        )
        return jnp.sum(obs(ca, t) ** 2)

    p = jnp.array([2.0, 10.0, 15.0, 30.0])
    grad = jax.jit(jax.grad(loss))(p)
    h = 1e-6
    fd = jnp.stack([(loss(p.at[i].add(h)) - loss(p.at[i].add(-h))) / (2 * h) for i in range(4)])
    np.testing.assert_allclose(grad, fd, rtol=1e-6)
    kds = jnp.array([0.2, 0.345, 1.0])
    batched = jax.vmap(lambda kd: Fluorescence(cicrjax.Fluo4(Kd=kd), kind="raw")(ca))(kds)
    looped = jnp.stack([Fluorescence(cicrjax.Fluo4(Kd=kd), kind="raw")(ca) for kd in kds])
    np.testing.assert_allclose(batched, looped, rtol=1e-14)
