"""Rodas4 and ROS34PW2 against the exact solution of a stiff, time-dependent linear ODE: values, dense output,
convergence order and gradients."""

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


RODAS4, REVERSE = cj.Rodas4(), diffrax.RecursiveCheckpointAdjoint()


def _solve(k, rtol, solver=RODAS4, adjoint=REVERSE):
    sol = diffrax.diffeqsolve(
        diffrax.ODETerm(_field),
        solver,
        0.0,
        2.0,
        None,
        jnp.full(k.shape, 2.0),
        args=k,
        saveat=diffrax.SaveAt(ts=TS),
        stepsize_controller=diffrax.PIDController(rtol=rtol, atol=rtol * 1e-2),
        max_steps=10_000,
        adjoint=adjoint,
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


# ROS34PW2 (a Rosenbrock-W method) holds its Jacobian out of differentiation, so forward mode is its natural use.
_solve_w = jax.jit(lambda k, rtol: _solve(k, rtol, cj.Ros34PW2(), diffrax.ForwardMode()))


def test_ros34pw2_matches_the_exact_solution_and_converges_at_third_order():
    errors, steps = [], []
    for rtol in (1e-5, 1e-6, 1e-7, 1e-8):
        ys, n = _solve_w(K, rtol)
        errors.append(np.max(np.abs(np.asarray(ys) - _exact(K))))
        steps.append(int(n))
    assert errors[-1] < 2e-8
    assert steps[0] < 400  # L-stable: the step follows accuracy, not the 1e5 s⁻¹ mode
    # Order 3: error ∝ steps⁻³, so the fitted slope of log error against log steps is about −3.
    slope = np.polyfit(np.log(steps), np.log(errors), 1)[0]
    assert -3.6 < slope < -2.4


def test_ros34pw2_gradients_with_the_jacobian_held_out_match_the_exact_derivative():
    """The Jacobian is held out of differentiation (stop_gradient); as a W-method the derivative still converges."""
    forward = jax.jacfwd(lambda k: jnp.sum(_solve_w(k, 1e-8)[0][:, 1]))(K)
    t = np.asarray(TS)
    exact = np.sum(-t * np.exp(-20.0 * t))  # d/dk of Σ_t (cos t + e^{−kt})
    assert float(forward[1]) == pytest.approx(exact, rel=1e-4)
    # d/dk of Σ_t e^{−kt} at k = 1e5 is −Σ t e^{−kt} ≈ −1e-10 · e^{-1e5·t}: only t = 0 contributes, exactly 0.
    assert abs(float(forward[0])) < 1e-8
