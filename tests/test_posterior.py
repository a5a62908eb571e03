"""NUTS against the analytic posterior of a conjugate Gaussian problem."""

import importlib.util

import jax.numpy as jnp
import numpy as np
import pytest

import cicrjax as cj
import fitting

pytestmark = pytest.mark.skipif(importlib.util.find_spec("blackjax") is None, reason="blackjax (extra) missing")


def test_nuts_reproduces_conjugate_gaussian_posterior(tmp_path):
    """y_i ~ N(μ, σ²), σ known, prior μ ~ N(m0, s0²): the posterior is N(m_n, s_n²) with 1/s_n² = 1/s0² + n/σ² and
    m_n = s_n² (m0/s0² + Σy/σ²) (Gelman et al., Bayesian Data Analysis, 3rd ed., §2.5). A second, independent
    coordinate with a N(−1, 0.5²) density checks the SD of a known Gaussian directly."""
    rng = np.random.default_rng(1)
    y, sigma, m0, s0 = rng.normal(3.0, 2.0, 20), 2.0, 0.0, 5.0
    precision = 1 / s0**2 + y.size / sigma**2
    s_n = precision**-0.5
    m_n = (m0 / s0**2 + y.sum() / sigma**2) / precision
    yj = jnp.asarray(y)

    def log_density(th):
        like = -0.5 * jnp.sum((yj - th[0]) ** 2) / sigma**2 - 0.5 * (th[0] - m0) ** 2 / s0**2
        return like - 0.5 * (th[1] + 1.0) ** 2 / 0.5**2

    post = fitting.sample_posterior(log_density, jnp.zeros((4, 2)), warmup=300, draws=500, seed=0, names=("mu", "z"))
    assert post.samples.shape == (4, 500, 2)
    np.testing.assert_allclose(post.mean, [m_n, -1.0], rtol=0.05, atol=0.05 * s_n)
    np.testing.assert_allclose(post.sd, [s_n, 0.5], rtol=0.05)
    assert np.all(post.rhat < 1.01) and np.all(post.ess_bulk > 400) and np.all(post.ess_tail > 300)
    assert post.divergences == 0
    post.save(tmp_path / "posterior.npz")
    saved = np.load(tmp_path / "posterior.npz")
    np.testing.assert_array_equal(saved["samples"], post.samples)
    assert list(saved["names"]) == ["mu", "z"]
    assert (tmp_path / "posterior.nc").exists() == (importlib.util.find_spec("arviz") is not None)
    assert post.diagnostics()["divergences"] == 0
    with pytest.raises(cj.InputError, match="NUTS needs ≥ 2 chains"):
        fitting.sample_posterior(log_density, jnp.zeros((1, 2)))
