"""Solver defaults and batch simulation: each stiff model's default solver's gradients against finite differences,
and `simulate_batch` against a loop over `simulate` (ROS34PW2 against an exact solution: tests/test_rosenbrock.py)."""

import dataclasses

import diffrax
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import cicrjax as cj


@pytest.fixture(scope="module")
def gdb_batch():
    model = cj.GDB1990()
    values = {"VM2": jnp.array([50.0, 65.0, 80.0]), "KA": jnp.array([0.8, 0.9, 1.1])}
    return model, values, cj.batch_parameters(model, values)


def test_simulate_batch_equals_a_loop_over_simulate(gdb_batch):
    model, values, batch = gdb_batch
    ts = jnp.linspace(0.0, 4.0, 11)
    sol = cj.simulate_batch(batch, ts, rtol=1e-8, atol=1e-10)
    assert sol.ys.shape == (3, 11, 2) and bool(sol.success.all())
    for i in range(3):
        one = cj.simulate(dataclasses.replace(model, **{k: v[i] for k, v in values.items()}), ts, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(np.asarray(sol.ys[i]), np.asarray(one.ys), rtol=1e-12, atol=1e-14)
        assert int(sol.num_steps[i]) == int(one.num_steps)


def test_simulate_batch_rejects_options_it_cannot_honour(gdb_batch):
    _, _, batch = gdb_batch
    with pytest.raises(cj.InputError, match="simulate_batch does not take throw="):
        cj.simulate_batch(batch, jnp.linspace(0.0, 1.0, 3), throw=True)
    with pytest.raises(cj.InputError, match="same leading batch axis"):
        cj.simulate_batch(cj.GDB1990(), jnp.linspace(0.0, 1.0, 3))


# Each stiff model with its default solver: one parameter, a short protocol, forward mode against central
# differences of the same solver (relative step 1e-5) at tight tolerances.
STIFF_CASES = {
    "cardiac": ("V_max_SERCA", lambda: cj.paced(1.0, count=1), 0.1, ("Ros34PW2",)),
    "hinch2004": ("J_R", lambda: cj.voltage_clamp(0.0, duration=0.05), 0.05, ("Rodas4",)),
    "skeletal": ("nu_SR", lambda: cj.voltage_clamp(0.0, duration=0.02), 0.02, ("Rodas4",)),
    "sneyd2002": ("k1", lambda: None, 2.0, ("Kvaerno5",)),
}


@pytest.mark.parametrize("name", sorted(STIFF_CASES))
def test_stiff_default_solver_gradients_match_finite_differences(name):
    parameter, protocol, t_end, solver_names = STIFF_CASES[name]
    model = cj.get_model(name)()
    assert type(model.default_solver()).__name__ in solver_names
    ts = jnp.linspace(0.0, t_end, 6)
    p0 = float(getattr(model, parameter))

    @jax.jit
    def value_and_tangent(p):
        def loss(p):
            m = dataclasses.replace(model, **{parameter: p})
            sol = cj.simulate(m, ts, protocol=protocol(), rtol=1e-10, atol=1e-12, adjoint=diffrax.ForwardMode())
            return jnp.sum(sol.ys[:, 0])

        return jax.jvp(loss, (p,), (jnp.ones_like(p),))

    value, tangent = value_and_tangent(jnp.asarray(p0))
    h = 1e-5 * p0
    central = (value_and_tangent(jnp.asarray(p0 + h))[0] - value_and_tangent(jnp.asarray(p0 - h))[0]) / (2 * h)
    assert abs(float(tangent)) > 0  # the parameter matters over this protocol
    assert float(tangent) == pytest.approx(float(central), rel=1e-4)
