"""Many cells: a batch of 8 cells fitted in one vmapped call equals 8 separate fits."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import cicrjax
import fitting

TS = jnp.linspace(0.0, 2.0, 21)


def test_batch_of_8_cells_equals_8_single_fits():
    v3_true = np.linspace(0.7, 1.1, 8)
    models = cicrjax.batch_parameters(cicrjax.LiRinzel1994(), {"v3": jnp.asarray(v3_true)})
    ca = np.asarray(jax.vmap(lambda m: cicrjax.simulate(m, TS, rtol=1e-10, atol=1e-12)["C"])(models))
    data = ca + 0.002 * np.random.default_rng(2).normal(size=ca.shape)
    problem = fitting.define_problem(
        cicrjax.LiRinzel1994(), TS, data[0], free=["v3"], bounds={"v3": (0.5, 1.5)}, max_steps=1000
    )
    optimiser = fitting.LBFGS(max_iter=40)
    batch = fitting.multistart_cells(problem, data[:, None, :], 2, optimiser=optimiser, seed=1)
    starts = fitting.sample_starts(problem, 2, seed=1)
    for cell, ms in enumerate(batch):
        single = fitting.multistart(
            fitting.define_problem(
                cicrjax.LiRinzel1994(), TS, data[cell], free=["v3"], bounds={"v3": (0.5, 1.5)}, max_steps=1000
            ),
            starts=starts,
            optimiser=optimiser,
        )
        np.testing.assert_allclose(ms.values, single.values, rtol=1e-9)
        np.testing.assert_allclose(ms.thetas, single.thetas, rtol=1e-7, atol=1e-9)
        assert ms.n_at_best == single.n_at_best
        assert float(problem.natural(jnp.asarray(ms.best_theta))[0]) == pytest.approx(v3_true[cell], rel=0.03)
    with pytest.raises(ValueError, match="data must have shape"):
        fitting.multistart_cells(problem, data, 2)
