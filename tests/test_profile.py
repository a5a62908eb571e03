"""Profile likelihoods against the exact intervals of a linear-Gaussian problem, and flat directions."""

import jax.numpy as jnp
import numpy as np
import pytest

import cicrjax as cj
import fitting

Z_95 = 1.959963984540054


@pytest.fixture(scope="module")
def linear_gaussian():
    """y = X β + ε, ε ~ N(0, σ²) with σ known: NLL(β) = ‖y − Xβ‖²/(2σ²), β̂ least squares, Cov β̂ = σ²(XᵀX)⁻¹;
    the profile of each β_i is exactly quadratic, so its likelihood-ratio interval is β̂_i ± 1.96·SE_i."""
    rng = np.random.default_rng(0)
    x = np.column_stack([np.ones(30), np.linspace(0, 1, 30), np.linspace(0, 1, 30) ** 2])
    sigma = 0.3
    y = x @ np.array([1.0, -2.0, 0.5]) + sigma * rng.standard_normal(30)
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    cov = sigma**2 * np.linalg.inv(x.T @ x)
    xj, yj = jnp.asarray(x), jnp.asarray(y)
    nll = lambda b: 0.5 * jnp.sum((yj - xj @ b) ** 2) / sigma**2
    return nll, beta, cov


def test_profile_intervals_equal_exact_linear_gaussian_intervals(linear_gaussian):
    nll, beta, cov = linear_gaussian
    se = np.sqrt(np.diag(cov))
    profiles = fitting.profile_function(nll, beta, 0.5 * se, points=6, names=["a", "b", "c"])
    for i, name in enumerate("abc"):
        p = profiles[name]
        assert p.ci_low == pytest.approx(beta[i] - Z_95 * se[i], rel=1e-6, abs=1e-7)
        assert p.ci_high == pytest.approx(beta[i] + Z_95 * se[i], rel=1e-6, abs=1e-7)
        assert not (p.open_low or p.open_high or p.flat)
        # the profile is the quadratic ΔNLL = (β_i − β̂_i)²/(2 SE_i²) at every grid point
        expected = (p.theta - beta[i]) ** 2 / (2 * se[i] ** 2)
        np.testing.assert_allclose(p.nll - p.nll.min(), expected, rtol=1e-6, atol=1e-8)
        assert np.all(p.converged)


def test_flat_direction_is_flagged():
    nll = lambda b: 0.5 * (b[0] - 1.0) ** 2 / 0.1**2  # b[1] does not enter: not identifiable
    profiles = fitting.profile_function(nll, jnp.array([1.0, 0.0]), [0.05, 0.5], points=4)
    assert profiles["x1"].flat and np.isnan(profiles["x1"].ci_low) and np.isnan(profiles["x1"].ci_high)
    assert not profiles["x0"].flat
    assert profiles["x0"].ci_high == pytest.approx(1.0 + Z_95 * 0.1, rel=1e-6)


def test_profile_errors():
    nll = lambda b: jnp.sum(b**2)
    with pytest.raises(cj.InputError, match="a profile needs at least 2 points per side, got 1"):
        fitting.profile_function(nll, jnp.zeros(2), [0.1, 0.1], points=1)
    with pytest.raises(cj.InputError, match="profile steps must be finite and > 0"):
        fitting.profile_function(nll, jnp.zeros(2), [0.1, 0.0])
