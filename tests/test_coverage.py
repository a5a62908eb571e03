"""Coverage of the 95% Laplace and profile-likelihood intervals (issue 15): on 50 synthetic replicates of a small
oscillator fit, each interval holds the true value in at least 90% of them.

The 50 replicates run as one compiled program: the project's own Levenberg-Marquardt fit of the problem, the
residual Jacobian of `summarise` (Gauss-Newton, σ known) and the warm-started profile walks of
`fitting.profile_function`, all vmapped over the replicates' data; the intervals come from the project's
`laplace_intervals` and `collect_profiles`.
"""

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import cicrjax as cj
from fitting import define_problem
from fitting._optimisers import LBFGS, LevenbergMarquardt
from fitting._profile import THRESHOLD_95, _Objective, _walk_all, collect_profiles, walk_grid
from fitting._result import _residual_jacobian, laplace_intervals

REPLICATES = 50
TS = np.linspace(0.0, 12.0, 25)  # s: one damped Li-Rinzel oscillation (period about 11 s), every 0.5 s
SIGMA = 0.01  # µM, known
TRUE = {"v3": 0.9}  # µM/s: the SERCA rate of Li & Rinzel (1994)
POINTS = 4  # profile points per side, 1 Laplace SE apart: the 1.92 crossing lies between the 1st and 2nd


@pytest.fixture(scope="module")
def intervals():
    model = cj.LiRinzel1994()
    clean = np.asarray(cj.simulate(model, jnp.asarray(TS), rtol=1e-10, atol=1e-12)["C"])
    data = clean + SIGMA * np.random.default_rng(2024).standard_normal((REPLICATES, 1, TS.size))
    problem = define_problem(
        model, TS, data[0], free=list(TRUE), start=TRUE, profile=(), observation={"sigma": SIGMA},
        solver=diffrax.Tsit5(),
    )  # fmt: skip
    theta_true = np.asarray(problem.to_theta(TRUE))
    walk_index, unit_offsets = walk_grid(np.ones(1), (0,), POINTS)

    @jax.jit
    @jax.vmap
    def replicate(d):
        p = eqx.tree_at(lambda q: q.data, problem, d)
        fit = LevenbergMarquardt(max_steps=50).run(p, jnp.asarray(theta_true))
        J = _residual_jacobian(p, fit.theta)
        se = jnp.sqrt(jnp.diag(jnp.linalg.inv(J.T @ J)))  # σ known: the residuals are σ-weighted, H = JᵀJ
        offsets = unit_offsets * se[walk_index][:, None]
        walks = _walk_all(_Objective(p), LBFGS(max_iter=100), fit.theta, jnp.asarray(walk_index), offsets, 1e10)
        return fit, J, se, walks

    fits, J, se, walks = replicate(jnp.asarray(data))
    assert np.all(np.asarray(fits.converged))
    laplace, profile = [], []
    for r in range(REPLICATES):
        theta = np.asarray(fits.theta[r])
        low, high, _ = laplace_intervals(problem.free, theta, np.asarray(J[r].T @ J[r]))
        laplace.append((low, high))
        walk = [np.asarray(w[r]) for w in walks]
        found = collect_profiles(
            walk, float(fits.value[r]), theta, np.asarray(se[r]), (0,), POINTS, THRESHOLD_95, 1e10, ("v3",)
        )
        assert not any(p.open_low or p.open_high for p in found.values())
        natural = lambda u: np.asarray(problem.natural(jnp.asarray(u)))
        profile.append((natural([found["v3"].ci_low]), natural([found["v3"].ci_high])))
    return np.asarray(laplace), np.asarray(profile)


@pytest.mark.parametrize("method", ["laplace", "profile"])
def test_intervals_cover_the_truth_in_90_percent_of_replicates(intervals, method):
    bounds = intervals[0 if method == "laplace" else 1]  # replicates × (low, high) × parameters
    truth = np.array(list(TRUE.values()))
    covered = (bounds[:, 0] <= truth) & (truth <= bounds[:, 1])
    assert np.all(covered.mean(axis=0) >= 0.9), covered.mean(axis=0)
    assert np.all(bounds[:, 0] < bounds[:, 1])
