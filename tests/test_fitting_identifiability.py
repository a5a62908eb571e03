"""`fitting.identifiability`: Cramér–Rao bounds checked against finite-difference Fisher information."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import cicrjax
import fitting

TS = jnp.linspace(0.0, 4.0, 41)
FREE = ("VM2", "VM3", "KA")
SIGMA = 0.05
TOL = {"rtol": 1e-12, "atol": 1e-14, "max_steps": 100_000}  # the Fisher matrix is ill-conditioned (VM3–KA)


def _problem(profile, observation=None):
    return fitting.define_problem(
        cicrjax.GDB1990(), TS, jnp.zeros_like(TS), free=list(FREE), profile=profile, observation=observation, **TOL
    )


@pytest.fixture(scope="module")
def fd_jacobian():
    """Central differences of the Ca trace in log parameters (h = 1e-6), one vmapped solve of all perturbations."""
    model = cicrjax.GDB1990()
    log0 = np.log([float(getattr(model, n)) for n in FREE])
    h = 1e-6
    rows = np.concatenate([log0 + h * np.eye(3), log0 - h * np.eye(3)])

    def trace(logp):
        m = eqx.tree_at(lambda m: [getattr(m, n) for n in FREE], model, list(jnp.exp(logp)))
        return cicrjax.simulate(m, TS, **TOL)["Z"]

    ys = np.asarray(jax.jit(jax.vmap(trace))(jnp.asarray(rows)))
    return (ys[:3] - ys[3:]).T / (2 * h), np.asarray(jax.jit(trace)(jnp.asarray(log0)))


def test_bounds_with_fixed_observation_equal_the_finite_difference_fisher_information(fd_jacobian):
    J, _ = fd_jacobian
    expected = np.sqrt(np.diag(np.linalg.inv(J.T @ J / SIGMA**2)))  # log transform: SD of log = relative SD
    info = fitting.identifiability(_problem((), {"sigma": SIGMA}))
    np.testing.assert_allclose(info.relative_sd, expected, rtol=1e-4)
    np.testing.assert_allclose(info.sd, expected * info.values, rtol=1e-4)
    np.testing.assert_allclose(np.diag(info.correlation), 1.0, rtol=1e-12)
    assert info.summary().splitlines()[0].startswith("VM2: 65, relative SD ≥ ")


def test_profiled_offset_and_scale_give_the_marginal_bounds_of_the_full_model(fd_jacobian):
    J, g = fd_jacobian
    # offset and scale as two more parameters (∂/∂offset = 1, ∂/∂scale = g at offset 0, scale 1), then marginalise
    full = np.column_stack([J, np.ones_like(g), g])
    expected = np.sqrt(np.diag(np.linalg.inv(full.T @ full / SIGMA**2))[:3])
    info = fitting.identifiability(_problem(("offset", "scale", "sigma")), sigma=SIGMA)
    np.testing.assert_allclose(info.relative_sd, expected, rtol=1e-4)
    # profiling loses information: every bound is at least the fixed-observation one
    fixed = fitting.identifiability(_problem((), {"sigma": SIGMA}))
    assert np.all(info.relative_sd >= fixed.relative_sd)
    # bounds scale with σ; independent experiments add information (two at σ and 2σ: 1 + 1/4 of one at σ)
    profiled = _problem(("offset", "scale", "sigma"))
    np.testing.assert_allclose(fitting.identifiability(profiled, sigma=2 * SIGMA).relative_sd, 2 * expected, rtol=1e-4)
    both = fitting.identifiability([profiled, profiled], sigma=[SIGMA, 2 * SIGMA])
    np.testing.assert_allclose(both.relative_sd, expected / np.sqrt(1.25), rtol=1e-4)


def test_identifiability_errors():
    problem = _problem(("offset", "scale", "sigma"))
    with pytest.raises(ValueError, match="σ is profiled in this problem; pass sigma="):
        fitting.identifiability(problem)
    with pytest.raises(ValueError, match="sigma must be > 0"):
        fitting.identifiability(problem, sigma=0.0)
    with pytest.raises(ValueError, match=r"values must have 3 entries \(VM2, VM3, KA\)"):
        fitting.identifiability(problem, [1.0, 2.0], sigma=SIGMA)
    with pytest.raises(ValueError, match=r"give one sigma or one per problem \(2\), got 3"):
        fitting.identifiability([problem, problem], sigma=[SIGMA] * 3)
    other = fitting.define_problem(cicrjax.GDB1990(), TS, jnp.zeros_like(TS), free=["VM2"])
    with pytest.raises(ValueError, match="every problem must have the same free parameters"):
        fitting.identifiability([problem, other], sigma=SIGMA)
