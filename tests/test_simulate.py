"""`simulate`: input validation, batched failure reporting, float32, and parameter helpers."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import cicrjax as cj

TS = jnp.linspace(0.0, 5.0, 51)


def test_static_errors_name_the_argument():
    model = cj.GDB1990()
    with pytest.raises(ValueError, match="non-empty 1-D array"):
        cj.simulate(model, jnp.zeros((2, 2)))
    with pytest.raises(ValueError, match="strictly increasing"):
        cj.simulate(model, jnp.array([0.0, 2.0, 1.0]))
    with pytest.raises(ValueError, match=r"y0 must have shape \(2,\)"):
        cj.simulate(model, TS, y0=jnp.zeros(3))
    with pytest.raises(TypeError, match="cicrjax model"):
        cj.simulate("gdb1990", TS)
    with pytest.raises(ValueError, match="not a parameter of model 'gdb1990'"):
        cj.simulate(model, TS, protocol=cj.Protocol({"IP3": cj.Constant(1.0)}))


def test_failure_is_reported_per_element_in_a_batch():
    batch = cj.batch_parameters(cj.GDB1990(), {"beta": jnp.array([0.3, 0.3])})
    horizons = jnp.array([1.0, 0.001])  # with 40 steps at most, only the very short horizon can finish
    sol = jax.vmap(lambda m, t_end: cj.simulate(m, jnp.linspace(0.0, 5.0, 11) * t_end, max_steps=40, throw=False))(
        batch, horizons
    )
    assert sol.success.tolist() == [False, True]
    assert "maximum number of solver steps" in cj.Solution.message(jax.tree.map(lambda x: x[0], sol))
    with pytest.raises(Exception, match="maximum number of solver steps"):
        cj.simulate(cj.GDB1990(), TS, max_steps=5)


def test_float32_option_tracks_float64():
    ref = cj.simulate(cj.GDB1990(), TS)
    low = cj.simulate(cj.GDB1990(), TS, dtype=jnp.float32, rtol=1e-5, atol=1e-7)
    assert low.ys.dtype == jnp.float32
    np.testing.assert_allclose(np.asarray(low.ys), np.asarray(ref.ys), rtol=1e-3, atol=1e-4)


def test_solution_named_states():
    sol = cj.simulate(cj.LiRinzel1994(), TS)
    np.testing.assert_array_equal(np.asarray(sol["h"]), np.asarray(sol.ys[:, 1]))
    assert sol.message() == "success"
    with pytest.raises(KeyError, match="no state 'Z'; the states are C, h"):
        sol["Z"]


def test_with_parameters_and_batch_parameters_check_inputs():
    model = cj.with_parameters(cj.GDB1990(), {"VM2": 70.0, "beta": 0.4})
    assert float(model.VM2) == 70.0 and float(model.beta) == 0.4
    with pytest.raises(ValueError, match="unknown parameter 'VM9' for model GDB1990; valid parameters: v0"):
        cj.with_parameters(cj.GDB1990(), {"VM9": 1.0})
    with pytest.raises(ValueError, match="VM2 must be > 0"):
        cj.with_parameters(cj.GDB1990(), {"VM2": -1.0})
    with pytest.raises(ValueError, match=r"beta must lie in \[0, 1\]"):
        cj.with_parameters(cj.GDB1990(), {"beta": 1.5})
    with pytest.raises(ValueError, match="same length"):
        cj.batch_parameters(cj.GDB1990(), {"beta": jnp.ones(2), "VM2": jnp.ones(3)})
    with pytest.raises(ValueError, match="must be 1-D"):
        cj.batch_parameters(cj.GDB1990(), {"beta": jnp.ones((2, 2))})
    batch = cj.batch_parameters(cj.GDB1990(), {"beta": jnp.array([0.3, 0.5, 0.7])})
    assert batch.beta.shape == (3,) and batch.VM2.shape == (3,) and float(batch.VM2[2]) == 65.0


def test_oscillation_period_of_a_sine():
    ts = np.linspace(0.0, 20.0, 2001)
    assert cj.oscillation_period(ts, np.sin(2 * np.pi * ts / 1.7)) == pytest.approx(1.7, rel=1e-4)
    assert np.isnan(cj.oscillation_period(ts, np.exp(-ts)))
    times, heights = cj.find_peaks(ts, np.sin(2 * np.pi * ts / 4.0))
    np.testing.assert_allclose(times, [1.0, 5.0, 9.0, 13.0, 17.0], atol=1e-4)
    np.testing.assert_allclose(heights, 1.0, atol=1e-5)
