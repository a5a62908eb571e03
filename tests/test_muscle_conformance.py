"""The muscle models under a voltage-clamp protocol: jit, vmap against a loop, grad against central differences."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import cicrjax as cj

TS = jnp.linspace(0.0, 0.02, 11)  # a short step: 20 ms at 0 mV covers trigger and release
TOL = dict(rtol=1e-10, atol=1e-12, max_steps=100_000)
PROTOCOL = cj.voltage_clamp(0.0, duration=0.05)
FIT_TARGETS = {
    "hinch2004": ("K_RyR", "g_SERCA"),
    "cardiac": ("K_act", "V_max_SERCA"),
    "skeletal": ("i2", "V_bar"),
}


def _loss(model):
    ys = cj.simulate(model, TS, protocol=PROTOCOL, **TOL).ys
    scale = jnp.abs(model.initial_state()) + 1.0
    return jnp.sum((ys / scale[None, :]) ** 2)


@pytest.fixture(scope="module", params=sorted(FIT_TARGETS))
def model(request):
    return cj.get_model(request.param)()


def test_muscle_interface(model):
    assert isinstance(model, cj.AbstractMuscleModel)
    assert model.states[0].startswith("Ca")
    y = model.initial_state()
    for flux in (model.release_flux(y), model.trigger_flux(y), model.sr_calcium(y)):
        assert flux.shape == () and bool(jnp.isfinite(flux))
    assert float(model.sr_calcium(y)) > 0


def test_jit_vmap_matches_loop_under_a_clamp(model):
    sim = jax.jit(lambda m: cj.simulate(m, TS, protocol=PROTOCOL, **TOL))
    name = FIT_TARGETS[model.name][0]
    models = [model, cj.with_parameters(model, {name: 1.2 * float(getattr(model, name))})]
    looped = np.stack([np.asarray(sim(m).ys) for m in models])
    batch = jax.tree.map(lambda *x: jnp.stack(x), *models)
    batched = jax.jit(jax.vmap(lambda m: cj.simulate(m, TS, protocol=PROTOCOL, **TOL)))(batch)
    assert bool(jnp.all(batched.success)) and np.all(np.isfinite(looped))
    # Batched and single LU solves differ in roundoff; in these stiff models (rates up to 1e6 s⁻¹) adaptive step
    # acceptance amplifies that to ~1e-8 relative, still far below any fitting tolerance.
    np.testing.assert_allclose(np.asarray(batched.ys), looped, rtol=2e-7, atol=1e-12)
    assert not np.allclose(looped[0], looped[1])  # the parameter matters


def test_grad_of_fit_targets_matches_central_differences(model):
    params, static = eqx.partition(model, eqx.is_inexact_array)
    loss = jax.jit(lambda p: _loss(eqx.combine(p, static)))
    grad = jax.jit(jax.grad(lambda p: _loss(eqx.combine(p, static))))(params)
    for name in FIT_TARGETS[model.name]:
        value = float(getattr(model, name))
        h = 1e-3 * abs(value)  # Richardson makes truncation O(h⁴) ~ 1e-12; larger h stays above integration noise

        def central(step, name=name, value=value):
            up = eqx.tree_at(lambda p: getattr(p, name), params, value + step)
            down = eqx.tree_at(lambda p: getattr(p, name), params, value - step)
            return (float(loss(up)) - float(loss(down))) / (2 * step)

        fd = (4 * central(h / 2) - central(h)) / 3
        ad = float(getattr(grad, name))
        assert ad == pytest.approx(fd, rel=1e-4, abs=1e-6 * abs(float(loss(params)))), name
        assert ad != 0.0, name


# Rapid cytosolic buffers from the papers (MODELS.md §5, §6; µM): 1/(1 + Σ B K/(K + c)²).
RAPID_BUFFERS = {
    "hinch2004": ((50.0, 2.382),),  # calmodulin, B_CMDN and k_CMDN
    "cardiac": ((24.0, 0.238 / 34.0 * 1e3), (17.1, 0.06 / 100.0 * 1e3)),  # calmodulin, SR membrane sites
    "skeletal": ((800.0, 30.0 / 0.15),),  # Ca–ATP
}


@pytest.mark.parametrize("ca", [0.1, 2.0])
def test_free_calcium_fraction_is_the_rapid_buffer_factor(model, ca):
    y = model.initial_state().at[0].set(ca)
    expected = 1.0 / (1.0 + sum(b * k / (k + ca) ** 2 for b, k in RAPID_BUFFERS[model.name]))
    assert float(model.free_calcium_fraction(y)) == pytest.approx(expected, rel=1e-12)
    # An indicator's binding then draws on cytosolic Ca at that buffered scale.
    dyed = cj.WithIndicator(model, cj.Fluo4())
    bound = 5.0
    d = dyed.derivative(0.0, jnp.concatenate([y, jnp.array([bound])]))
    flux = float(dyed.indicator.binding_rate(ca, bound))
    assert float(d[0]) == pytest.approx(float(model.derivative(0.0, y)[0]) - expected * flux, rel=1e-10, abs=1e-9)
