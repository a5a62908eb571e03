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
    nll = lambda b: 0.5 * jnp.sum((yj - xj @ b[:3]) ** 2) / sigma**2  # b[3] does not enter: a flat direction
    steps = np.r_[0.5 * np.sqrt(np.diag(cov)), 0.5]
    profiles = fitting.profile_function(nll, np.r_[beta, 0.0], steps, points=6, names=["a", "b", "c", "flat"])
    return profiles, beta, cov


def test_profile_intervals_equal_exact_linear_gaussian_intervals(linear_gaussian):
    profiles, beta, cov = linear_gaussian
    se = np.sqrt(np.diag(cov))
    for i, name in enumerate("abc"):
        p = profiles[name]
        assert p.ci_low == pytest.approx(beta[i] - Z_95 * se[i], rel=1e-6, abs=1e-7)
        assert p.ci_high == pytest.approx(beta[i] + Z_95 * se[i], rel=1e-6, abs=1e-7)
        assert not (p.open_low or p.open_high or p.flat)
        # the profile is the quadratic ΔNLL = (β_i − β̂_i)²/(2 SE_i²) at every grid point
        expected = (p.theta - beta[i]) ** 2 / (2 * se[i] ** 2)
        np.testing.assert_allclose(p.nll - p.nll.min(), expected, rtol=1e-6, atol=1e-8)
        assert np.all(p.converged)


def test_flat_direction_is_flagged(linear_gaussian):
    profiles, _, _ = linear_gaussian
    flat = profiles["flat"]
    assert flat.flat and flat.open_low and flat.open_high and np.isnan(flat.ci_low) and np.isnan(flat.ci_high)
    np.testing.assert_allclose(flat.nll - flat.nll.min(), 0.0, atol=1e-8)


def test_profile_errors():
    nll = lambda b: jnp.sum(b**2)
    with pytest.raises(cj.InputError, match="a profile needs at least 2 points per side, got 1"):
        fitting.profile_function(nll, jnp.zeros(2), [0.1, 0.1], points=1)
    with pytest.raises(cj.InputError, match="profile steps must be finite and > 0"):
        fitting.profile_function(nll, jnp.zeros(2), [0.1, 0.0])
