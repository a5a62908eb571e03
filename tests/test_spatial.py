"""Spatial CICR: diffusion against the Gaussian, conservation, the Atri 1993 wave against an independent scipy
method of lines, fire–diffuse–fire against its closed form, firebreak, dendrite, vmap, grad and errors."""

from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.integrate
import scipy.optimize
import scipy.sparse
from jaxtyping import Array

import cicrjax as cj
from cicrjax._spatial.fdf import NEVER


class PureDiffusion(cj.AbstractSpatialModel):
    """Test model: one field that only diffuses, starting as a point mass of 10 µM·µm in the middle cell."""

    name: ClassVar[str] = "diffusion"
    fields: ClassVar[tuple[str, ...]] = ("c",)
    citation: ClassVar[str] = "test"
    grid: cj.Grid
    D: Array = cj.param(20.0, "µm²/s", "diffusion coefficient", "nonnegative")

    def diffusion(self):
        return self.D[None]

    def reaction(self, t, y, events):
        return jnp.zeros_like(y)

    def initial_state(self):
        middle = jnp.arange(self.grid.n) == self.grid.n // 2
        return jnp.where(middle, 10.0 / self.grid.dx, 0.0)[None]


# ---------------------------------------------------------------------------------------------------------------
# Grid and diffusion


@pytest.mark.parametrize("boundary", ["noflux", "periodic"])
def test_tridiagonal_solve_matches_dense(boundary):
    grid = cj.Grid(9, 0.5, boundary)
    lap = np.asarray(grid.laplacian(jnp.eye(9))).T  # row i is L applied to the i-th unit vector
    coef = jnp.linspace(0.1, 0.4, 9)
    rhs = jnp.sin(jnp.arange(9.0))
    dense = np.linalg.solve(1.5 * np.eye(9) - lap @ np.diag(np.asarray(coef)), np.asarray(rhs))
    np.testing.assert_allclose(grid.solve_diffusion(1.5, coef, rhs), dense, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(lap.sum(axis=0), 0.0, atol=1e-12)  # both boundaries conserve Σu


@pytest.mark.parametrize("boundary", ["noflux", "periodic"])
def test_point_source_spreads_as_the_gaussian_and_conserves_mass(boundary):
    # Analytic: a point mass M in free space gives M/√(4πDt) exp(−x²/4Dt); 2 s at D = 20 µm²/s spreads it to
    # σ = √(2Dt) = 8.9 µm, far from the ends of a 160 µm domain.
    model = PureDiffusion(cj.Grid(320, 0.5, boundary))
    sol = cj.simulate_spatial(model, 2.0, dt=0.005, save_dt=0.5)
    x = np.asarray(sol.x) - float(sol.x[160]) - 0.0
    t = np.asarray(sol.ts[1:])[:, None]
    exact = 10.0 / np.sqrt(4 * np.pi * 20.0 * t) * np.exp(-(x**2) / (4 * 20.0 * t))
    c = np.asarray(sol["c"][1:])
    assert np.max(np.abs(c - exact)) < 0.01 * exact.max()
    np.testing.assert_allclose(sol.total("c"), 10.0, rtol=1e-12)


def test_reverse_mode_gradient_through_the_time_stepping_matches_finite_differences():
    def peak(d):
        model = PureDiffusion(cj.Grid(16, 1.0), D=d)
        return cj.simulate_spatial(model, 0.2, dt=0.01, save_dt=0.1)["c"][-1, 8]

    fd = (peak(2.0 + 1e-5) - peak(2.0 - 1e-5)) / 2e-5
    np.testing.assert_allclose(jax.grad(peak)(2.0), fd, rtol=1e-6)


def test_rapid_buffers_spread_calcium_with_the_effective_diffusion_coefficient():
    # Wagner & Keizer 1994 (Biophys J 67:447): with c ≪ K a rapid buffer gives D_eff = (D_c + D_b B/K)/(1 + B/K);
    # here (20 + 5·10)/11 = 6.36 µm²/s for total Ca, which the no-flux ends conserve exactly.
    buffer = cj.RapidMobileBuffer(cj.RapidBuffer(100.0, 10.0), 5.0)
    inner = PureDiffusion(cj.Grid(160, 0.5))
    model = cj.WithRapidBuffers(inner, (buffer,))
    assert model.fields == ("c_total",)
    sol = cj.simulate_spatial(model, 2.0, dt=0.005, save_dt=1.0, y0=inner.initial_state())  # total Ca: 10 µM·µm
    np.testing.assert_allclose(sol.total("c_total"), 10.0, rtol=1e-12)
    d_eff = (20.0 + 5.0 * 10.0) / 11.0
    x = np.asarray(sol.x) - float(sol.x[80])
    exact = 10.0 / np.sqrt(4 * np.pi * d_eff * 2.0) * np.exp(-(x**2) / (4 * d_eff * 2.0))
    total = np.asarray(sol["c_total"][-1])
    assert np.max(np.abs(total - exact)) < 0.02 * exact.max()
    free = np.asarray(model.calcium(sol.ys[-1]))
    np.testing.assert_allclose(free + 100.0 * free / (10.0 + free), total, rtol=1e-10)  # Newton inverts T(c)


# ---------------------------------------------------------------------------------------------------------------
# The Atri 1993 wave

ATRI_LENGTH, ATRI_T, ATRI_SAVE, ATRI_WINDOW = 200.0, 25.0, 0.25, (60.0, 160.0)


def atri(dx, **values):
    return cj.AtriWave(grid=cj.Grid.from_length(ATRI_LENGTH, dx), **values)


def atri_speed(model):
    return cj.wave_metrics(model, ATRI_T, save_dt=ATRI_SAVE, window=ATRI_WINDOW)[0]


# Atri et al. 1993 at p = 0 (μ = μ0), written out independently of cicrjax; values as in MODELS.md §4.
KFLUX, MU0, B, K1, GAMMA, KG, BETA, TAU_H, K2, D_C = 8.1, 0.567, 0.111, 0.7, 2.0, 0.1, 0.02, 2.0, 0.7, 20.0


def h_inf(c):
    return K2**2 / (K2**2 + c**2)


def atri_f(c, h):
    return KFLUX * MU0 * h * (B + (1 - B) * c / (K1 + c)) - GAMMA * c / (KG + c) + BETA


def scipy_rest():
    return scipy.optimize.brentq(lambda c: atri_f(c, h_inf(c)), 0.0, 1.0)  # 0.131616 µM


def scipy_atri_fronts(dx):
    """Independent method of lines for the Atri 1993 equations (numpy + scipy BDF with a sparse Jacobian pattern):
    the same no-flux cell-centred Laplacian, written from the equations, not from cicrjax."""
    n = int(round(ATRI_LENGTH / dx))
    x = (np.arange(n) + 0.5) * dx
    c_rest = scipy_rest()

    def rhs(t, y):
        c, h = y[:n], y[n:]
        padded = np.concatenate([c[:1], c, c[-1:]])
        lap = (padded[:-2] - 2 * c + padded[2:]) / dx**2
        return np.concatenate([D_C * lap + atri_f(c, h), (h_inf(c) - h) / TAU_H])

    band = scipy.sparse.diags([1.0, 1.0, 1.0], [-1, 0, 1], shape=(n, n))
    pattern = scipy.sparse.bmat([[band, scipy.sparse.eye(n)], [scipy.sparse.eye(n), scipy.sparse.eye(n)]])
    y0 = np.concatenate([np.where(x < 20.0, 2.0, c_rest), np.full(n, h_inf(c_rest))])
    ts = np.arange(0.0, ATRI_T + 1e-9, ATRI_SAVE)
    sol = scipy.integrate.solve_ivp(rhs, (0, ATRI_T), y0, "BDF", t_eval=ts, rtol=1e-8, atol=1e-10, jac_sparsity=pattern)
    return sol.y[:n, -1], ts, np.asarray(cj.front_positions(jnp.asarray(x), jnp.asarray(sol.y[:n].T)))


@pytest.fixture(scope="module")
def atri_speeds(once_per_session):
    """Wave speeds at dx = 4, 2, 1 µm, computed once per session even when the tests that use them run on two
    xdist workers (tests/conftest.py)."""
    return once_per_session(
        "test_spatial.atri_speeds", lambda: {dx: float(atri_speed(atri(dx))) for dx in (4.0, 2.0, 1.0)}
    )


def test_atri_default_setup_is_the_issue_s():
    model = cj.AtriWave()
    assert model.grid.length == 800.0 and model.grid.boundary == "noflux"
    assert float(model.D_c) == 20.0 and float(model.cell.p) == 0.0  # Atri et al. 1993: excitable, no IP3
    y0 = np.asarray(model.initial_state())
    x = np.asarray(model.grid.x)
    np.testing.assert_allclose(y0[0, x < 20.0], 2.0)
    c_rest = scipy_rest()  # the rest state solves f(c, h∞(c)) = 0
    np.testing.assert_allclose(y0[0, x > 20.0], c_rest, rtol=1e-10)
    np.testing.assert_allclose(y0[1], h_inf(c_rest), rtol=1e-10)


def test_atri_speed_converges_as_dx_halves(atri_speeds):
    v4, v2, v1 = atri_speeds[4.0], atri_speeds[2.0], atri_speeds[1.0]
    assert abs(v2 - v1) < 0.5 * abs(v4 - v2)  # second order in dx: the differences shrink about 4×
    assert abs(v2 - v1) < 0.01 * v1


def test_atri_wave_matches_an_independent_scipy_method_of_lines(atri_speeds):
    c_end, ts, fronts = scipy_atri_fronts(2.0)
    sol = cj.simulate_spatial(atri(2.0), ATRI_T, save_dt=ATRI_SAVE)
    assert np.max(np.abs(np.asarray(sol["c"][-1]) - c_end)) < 0.02  # µM, the whole final profile
    ours = np.asarray(cj.front_positions(sol.x, sol["c"]))
    assert np.max(np.abs(ours - fronts)) < 0.1  # µm, at every save time
    reference = float(cj.wave_speed(jnp.asarray(ts), jnp.asarray(fronts), *ATRI_WINDOW))
    np.testing.assert_allclose(atri_speeds[2.0], reference, rtol=2e-3)


def test_explicit_method_agrees_with_imex(atri_speeds):
    sol = cj.simulate_spatial(atri(4.0), ATRI_T, save_dt=ATRI_SAVE, method="explicit")
    fronts = cj.front_positions(sol.x, sol["c"])
    np.testing.assert_allclose(cj.wave_speed(sol.ts, fronts, *ATRI_WINDOW), atri_speeds[4.0], rtol=2e-3)


def test_wave_speed_gradient_matches_finite_differences():
    def speed(params):
        model = eqx.tree_at(lambda m: (m.D_c, m.cell.kflux), atri(4.0), (params[0], params[1]))
        return atri_speed(model)

    p = jnp.array([20.0, 8.1])
    grad = jax.jacfwd(speed)(p)  # forward mode: two parameters
    for i, h in enumerate((1e-3, 1e-4)):  # small enough that no front crosses a cell boundary
        e = jnp.zeros(2).at[i].set(h)
        fd = (speed(p + e) - speed(p - e)) / (2 * h)
        np.testing.assert_allclose(grad[i], fd, rtol=5e-3)
    assert grad[0] > 0 and grad[1] > 0  # faster with more diffusion and more release


def test_vmap_over_parameters_matches_a_loop(atri_speeds):
    speeds, propagated = cj.propagation_map(
        atri(4.0), {"D_c": jnp.array([20.0, 30.0])}, ATRI_T, save_dt=ATRI_SAVE, window=ATRI_WINDOW
    )
    assert bool(jnp.all(propagated))
    np.testing.assert_allclose(speeds[0], atri_speeds[4.0], rtol=1e-10)
    np.testing.assert_allclose(speeds[1], atri_speed(atri(4.0, D_c=30.0)), rtol=1e-10)


# ---------------------------------------------------------------------------------------------------------------
# Fire–diffuse–fire


def fdf_g(eta, kappa2):
    """Dawson, Keizer & Pearson 1999 (PNAS 96:6060) threshold sum g(η) = Σ_n (4πnη)^(-1/2) exp(−n/(4η) − κ²nη)."""
    n = np.arange(1, 20001)
    return np.sum((4 * np.pi * n * eta) ** -0.5 * np.exp(-n / (4 * eta) - kappa2 * n * eta))


def test_fdf_speed_and_threshold_follow_the_published_condition():
    # Units d = 1 µm, D = 1 µm²/s, c_th = 1 µM, so β = 1/σ and κ² = k_s. Dawson et al. 1999: a saltatory wave
    # exists iff β < g_max(κ), and travels at v = D/(d η) with g(η) = β on the fast branch. Published checks of
    # the series (MODELS.md §4, computed): g(1) = 0.602, g(10) = 0.870 at κ = 0; g_max ≈ 0.457 near η ≈ 0.85 at
    # κ² = 0.1.
    assert abs(fdf_g(1.0, 0.0) - 0.602) < 1e-3 and abs(fdf_g(10.0, 0.0) - 0.870) < 1e-3
    peak = scipy.optimize.minimize_scalar(lambda e: -fdf_g(e, 0.1), bounds=(0.2, 3.0), method="bounded")
    g_max = -peak.fun
    assert abs(g_max - 0.457) < 2e-3
    eta = scipy.optimize.brentq(lambda e: fdf_g(e, 0.0) - 0.3, 0.01, 10.0)
    v_closed = 1.0 / eta  # 3.78 µm/s at β = 0.3, κ = 0
    model = cj.FireDiffuseFire(cj.Grid.from_length(30.0, 0.1), D=1.0, d=1.0, c_th=1.0, tau_R=0.005, first=0.5)
    betas = jnp.array([0.3, 0.9 * g_max, 1.1 * g_max])
    speeds, propagated = cj.propagation_map(
        model,
        {"sigma": 1.0 / betas, "k_s": jnp.array([0.0, 0.1, 0.1])},
        12.0,
        dt=1e-3,
        save_dt=0.02,
        window=(8.0, 25.0),
        threshold=1.0,
    )
    assert list(np.asarray(propagated)) == [True, True, False]
    np.testing.assert_allclose(speeds[0], v_closed, rtol=0.02)  # finite τ_R and dx slow it by about 1 %
    assert np.isnan(speeds[2])


def test_fdf_sites_release_exactly_sigma():
    # No removal and no-flux ends: total Ca = stimulus + σ × (sites fired), to rounding.
    model = cj.FireDiffuseFire(cj.Grid.from_length(20.0, 0.2), tau_R=0.005)
    sol = cj.simulate_spatial(model, 1.0, dt=1e-3, save_dt=0.05)
    fired = int(np.sum(np.asarray(sol.events) < NEVER))
    assert fired == 10  # every site of the 20 µm domain, by about 0.5 s
    stimulus = float(model.stimulus_c) * float(model.stimulus_length)
    np.testing.assert_allclose(sol.total("c")[-1], stimulus + fired * float(model.sigma), rtol=1e-10)


def test_site_density_puts_one_site_per_spacing():
    density = cj.site_density(cj.Grid(100, 0.05), 1.0, 0.5)
    np.testing.assert_allclose(np.nonzero(np.asarray(density))[0], np.arange(10, 100, 20))
    np.testing.assert_allclose(np.sum(density) * 0.05, 5.0)


# ---------------------------------------------------------------------------------------------------------------
# Firebreak and dendrite


def test_firebreak_blocks_the_wave_that_passes_without_it():
    wave = atri(4.0)
    model = cj.Firebreak(wave=wave, band_start=80.0, band_width=20.0)
    capacity = float(cj.firebreak_capacity(model, ATRI_T, k_max=8.0, rounds=3, n=3))
    step = 8.0 / 2**3

    def blocks(k):
        return cj.firebreak_blocks(eqx.tree_at(lambda m: m.k_in, model, k), ATRI_T)

    blocked = jax.vmap(blocks)(jnp.array([0.0, capacity - step, capacity]))
    assert list(np.asarray(blocked)) == [False, False, True]  # no band: the wave passes
    assert 0.0 < capacity <= 8.0


def test_dendrite_amplification():
    assert float(cj.dendrite_amplification(cj.Dendrite(), 0.3)) > 1.5  # RyR clusters
    assert float(cj.dendrite_amplification(cj.Dendrite(k_rel=0.0, ip3=0.3), 0.3)) > 1.5  # IP3R clusters
    blocked = cj.Dendrite(k_rel=0.0, k_ip3r=0.0, ip3=0.3)
    np.testing.assert_allclose(cj.dendrite_amplification(blocked, 0.3), 1.0, rtol=1e-12)


def test_total_calcium_is_conserved_without_pumps():
    # No-flux ends, no plasma-membrane extrusion, ER Ca diffusing, a mobile indicator and a stationary buffer:
    # c + Σ bound + ρ s changes only by the synaptic influx, which is exactly synapse_amount (the IMEX balance is
    # exact for a source that is off at the first step).
    dendrite = cj.Dendrite(grid=cj.Grid(40, 1.0), k_pm=0.0, D_er=5.0, synapse_x=10.0, synapse_start=0.01)
    model = cj.WithBuffers(
        dendrite,
        (cj.Buffer(cj.BufferBinding(20.0, 10.0, 10.0), 15.0), cj.Buffer(cj.BufferBinding(50.0, 5.0, 50.0), 0.0)),
    )
    assert model.fields == ("c", "s", "h", "bound0", "bound1")
    sol = cj.simulate_spatial(model, 0.2, dt=1e-3, save_dt=0.02)
    total = sol.total("c") + sol.total("bound0") + sol.total("bound1") + float(dendrite.rho) * sol.total("s")
    np.testing.assert_allclose(total[-1] - total[0], float(dendrite.synapse_amount), rtol=1e-9)
    assert float(jnp.max(sol["bound0"][-1])) > float(sol["bound0"][0, 0])  # the buffer took up Ca


# ---------------------------------------------------------------------------------------------------------------
# Errors


def test_errors_name_the_problem():
    with pytest.raises(cj.InputError, match="method 'rk4' is not one of"):
        cj.simulate_spatial(cj.AtriWave(), 1.0, method="rk4")
    with pytest.raises(cj.InputError, match="dt must be a finite number > 0 s"):
        cj.simulate_spatial(cj.AtriWave(), 1.0, dt=0.0)
    with pytest.raises(cj.InputError, match=r"y0 has shape \(3,\)"):
        cj.simulate_spatial(cj.AtriWave(), 1.0, y0=jnp.zeros(3))
    with pytest.raises(cj.InputError, match="larger than the release-site spacing"):
        cj.simulate_spatial(cj.FireDiffuseFire(grid=cj.Grid(10, 3.0)), 1.0)
    with pytest.raises(cj.InputError, match="GiB"):
        cj.simulate_spatial(cj.AtriWave(grid=cj.Grid(10**8, 1e-3)), 100.0, save_dt=0.01)
    with pytest.raises(cj.InputError, match="threshold release sites; use method='imex'"):
        cj.simulate_spatial(cj.FireDiffuseFire(), 1.0, method="explicit")
    with pytest.raises(cj.InputError, match="boundary 'open' is not one of"):
        cj.Grid(10, 1.0, "open")
    with pytest.raises(cj.InputError, match="at least 3 cells"):
        cj.Grid(2, 1.0)
    with pytest.raises(cj.InputError, match="unknown parameter .D. for model AtriWave"):
        cj.propagation_map(cj.AtriWave(), {"D": jnp.ones(2)}, 1.0)
    with pytest.raises(cj.InputError, match="has no field 'z'"):
        cj.AtriWave().field_index("z")
