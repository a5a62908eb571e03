"""Solver defaults and batch simulation: each stiff model's default solver's gradients against finite differences,
and `simulate_batch` against a loop over `simulate` (ROS34PW2 against an exact solution: tests/test_rosenbrock.py)."""

import dataclasses
import os

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


# Each stiff model with the solver it is differentiated with (`gradient_solver()`: its default solver, but for the
# Shannon cardiac sets, which simulate with Rodas4): one parameter, a short protocol, forward mode against central
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
    assert type(model.gradient_solver()).__name__ in solver_names
    ts = jnp.linspace(0.0, t_end, 6)
    p0 = float(getattr(model, parameter))

    @jax.jit
    def value_and_tangent(p):
        def loss(p):
            m = dataclasses.replace(model, **{parameter: p})
            sol = cj.simulate(m, ts, protocol=protocol(), solver=model.gradient_solver(), rtol=1e-10, atol=1e-12,
                              adjoint=diffrax.ForwardMode())  # fmt: skip
            return jnp.sum(sol.ys[:, 0])

        return jax.jvp(loss, (p,), (jnp.ones_like(p),))

    value, tangent = value_and_tangent(jnp.asarray(p0))
    h = 1e-5 * p0
    central = (value_and_tangent(jnp.asarray(p0 + h))[0] - value_and_tangent(jnp.asarray(p0 - h))[0]) / (2 * h)
    assert abs(float(tangent)) > 0  # the parameter matters over this protocol
    assert float(tangent) == pytest.approx(float(central), rel=1e-4)


# UnrolledTsit5 is diffrax's Tsit5 tableau without diffrax's stage loop: the same steps and solution, and forward-mode
# gradients equal to central differences. A beta step at t = 2 s (a protocol edge) checks the first-stage restart.
GDB_STEP = cj.parse_protocol(["beta=step:time=2,after=0.301"], cj.GDB1990(beta=0.1))


@jax.jit
def _gdb_value_and_tangent(vm2):
    def run(vm2, solver):
        model = dataclasses.replace(cj.GDB1990(beta=0.1), VM2=vm2)
        sol = cj.simulate(model, jnp.linspace(0.0, 6.0, 31), protocol=GDB_STEP, solver=solver, rtol=1e-8,
                          atol=1e-10, adjoint=diffrax.ForwardMode())  # fmt: skip
        return jnp.sum(sol.ys[:, 0]), (sol.ys, sol.num_steps)

    out = {}
    for name, solver in (("unrolled", cj.UnrolledTsit5()), ("diffrax", diffrax.Tsit5())):
        value, tangent, aux = jax.jvp(lambda v, s=solver: run(v, s), (vm2,), (jnp.ones_like(vm2),), has_aux=True)
        out[name] = (value, tangent, *aux)
    return out


def test_unrolled_tsit5_takes_tsit5s_steps_and_its_forward_gradient_matches_finite_differences():
    vm2 = 65.0  # µM/s, Goldbeter, Dupont & Berridge 1990's default
    out = _gdb_value_and_tangent(jnp.asarray(vm2))
    value, tangent, ys, steps = out["unrolled"]
    assert int(steps) == int(out["diffrax"][3]) > 30  # the same accepted and rejected steps as diffrax.Tsit5
    np.testing.assert_allclose(np.asarray(ys), np.asarray(out["diffrax"][2]), rtol=1e-10, atol=1e-13)
    assert float(tangent) == pytest.approx(float(out["diffrax"][1]), rel=1e-8)
    h = 1e-5 * vm2
    central = (_gdb_value_and_tangent(jnp.asarray(vm2 + h))["unrolled"][0]
               - _gdb_value_and_tangent(jnp.asarray(vm2 - h))["unrolled"][0]) / (2 * h)  # fmt: skip
    assert abs(float(tangent)) > 1e-3  # VM2 matters over this protocol
    assert float(tangent) == pytest.approx(float(central), rel=1e-5)


def test_unrolled_tsit5_under_vmap_over_protocols_matches_tsit5():
    # two lanes with their beta step at different times: the lanes' first-stage restarts differ (a batched jump flag)
    times = jnp.array([1.0, 2.5])

    @jax.jit
    def run(times):
        def one(t_step, solver):
            protocol = cj.Protocol({"beta": cj.Step(time=t_step, before=0.1, after=0.301)})
            return cj.simulate(cj.GDB1990(beta=0.1), jnp.linspace(0.0, 4.0, 9), protocol=protocol, solver=solver,
                               rtol=1e-8, atol=1e-10)  # fmt: skip

        return [jax.vmap(lambda t, s=s: one(t, s))(times) for s in (cj.UnrolledTsit5(), diffrax.Tsit5())]

    unrolled, reference = run(times)
    np.testing.assert_allclose(np.asarray(unrolled.ys), np.asarray(reference.ys), rtol=1e-10, atol=1e-13)
    np.testing.assert_array_equal(np.asarray(unrolled.num_steps), np.asarray(reference.num_steps))
    assert not np.allclose(np.asarray(unrolled.ys[0]), np.asarray(unrolled.ys[1]))  # the lanes differ


def test_importing_cicrjax_raises_xlas_small_loop_threshold_unless_xla_flags_set_extra_options(monkeypatch):
    from cicrjax._xla_options import SMALL_LOOP_BYTES, raise_small_loop_threshold

    option = f"--xla_backend_extra_options=xla_cpu_small_while_loop_byte_threshold={SMALL_LOOP_BYTES}"
    monkeypatch.delenv("XLA_FLAGS", raising=False)
    raise_small_loop_threshold()
    assert os.environ["XLA_FLAGS"] == option
    monkeypatch.setenv("XLA_FLAGS", "--xla_force_host_platform_device_count=2")
    raise_small_loop_threshold()
    assert os.environ["XLA_FLAGS"] == f"--xla_force_host_platform_device_count=2 {option}"
    mine = "--xla_backend_extra_options=xla_cpu_small_while_loop_byte_threshold=1024"  # XLA's own default
    monkeypatch.setenv("XLA_FLAGS", mine)
    raise_small_loop_threshold()
    assert os.environ["XLA_FLAGS"] == mine


def test_a_solve_and_its_forward_tangent_compile_as_single_kernels():
    # XLA's SmallWhileLoopHoistingPass marks each while loop it compiles as one kernel with `xla_cpu_small_call`;
    # at its default 1 kB threshold neither solve of this program is (benchmarks/README.md, session 10).
    from cicrjax._xla_options import SMALL_LOOP_BYTES

    if f"xla_cpu_small_while_loop_byte_threshold={SMALL_LOOP_BYTES}" not in os.environ["XLA_FLAGS"]:
        pytest.skip("XLA_FLAGS sets its own xla_backend_extra_options")
    text = _gdb_value_and_tangent.lower(jnp.asarray(65.0)).compile().as_text()
    assert text.count('xla_cpu_small_call="true"') >= 2
