"""Rodas4 against the exact solution of a stiff, time-dependent linear ODE: values, dense output and gradients."""

import diffrax
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import cicrjax as cj

TS = jnp.linspace(0.0, 2.0, 37)  # save points fall inside steps: the dense output is checked too


def _field(t, y, k):
    """y_i' = −k_i (y_i − cos t) − sin t: solution cos t + (y_i(0) − 1) e^{−k_i t}, stiff for large k_i."""
    return -k * (y - jnp.cos(t)) - jnp.sin(t)


def _solve(k, rtol):
    sol = diffrax.diffeqsolve(
        diffrax.ODETerm(_field),
        cj.Rodas4(),
        0.0,
        2.0,
        None,
        jnp.full(k.shape, 2.0),
        args=k,
        saveat=diffrax.SaveAt(ts=TS),
        stepsize_controller=diffrax.PIDController(rtol=rtol, atol=rtol * 1e-2),
        max_steps=10_000,
    )
    return sol.ys, sol.stats["num_steps"]


def _exact(k):
    t = np.asarray(TS)[:, None]
    return np.cos(t) + np.exp(-np.asarray(k)[None, :] * t)


@pytest.fixture(scope="module")
def solve():
    return jax.jit(_solve, static_argnums=1)


K = jnp.array([1e5, 20.0])  # stiffness ratio 5e3 inside one system


def test_rodas4_matches_the_exact_solution_of_a_stiff_problem(solve):
    ys, steps = solve(K, 1e-8)
    np.testing.assert_allclose(np.asarray(ys), _exact(K), rtol=0, atol=1e-7)
    loose, loose_steps = solve(K, 1e-5)
    assert int(loose_steps) < int(steps) < 2000  # L-stable: the step follows accuracy, not the 1e5 s⁻¹ mode
    np.testing.assert_allclose(np.asarray(loose), _exact(K), rtol=0, atol=1e-4)


def test_rodas4_gradient_matches_the_exact_derivative(solve):
    grad = jax.grad(lambda k: jnp.sum(solve(k, 1e-8)[0][:, 1]))(K)
    t = np.asarray(TS)
    exact = np.sum(-t * np.exp(-20.0 * t))  # d/dk of Σ_t (cos t + e^{−kt})
    assert float(grad[1]) == pytest.approx(exact, rel=1e-5)
    assert abs(float(grad[0])) < 1e-8  # the stiff component decays within the first save interval
