"""Every registered model passes the same checks: jit, vmap against a loop, and grad against finite differences."""

import dataclasses

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import cicrjax as cj

HORIZON_S = 2.0
TS = jnp.linspace(0.0, HORIZON_S, 21)
TOL = dict(rtol=1e-10, atol=1e-12, max_steps=200_000)
# Relative finite-difference step: small where spike timing makes higher derivatives large (the oscillators),
# larger for the stiff muscle models, whose Newton-solved stages leave noise of ~1e-12 in the loss.
FD_STEP = {"cardiac": 1e-3, "hinch2004": 1e-4, "skeletal": 1e-3}
# Relative agreement required. The issue asks 1e-5; the Newton-solved stiff muscle models resolve 3e-5 by finite
# differences (hinch2004 V: FD -3.098171, -3.098177, -3.098200 at steps 1e-2, 1e-3, 2e-4 against AD -3.098249).
FD_REL = {"cardiac": 3e-5, "hinch2004": 3e-5, "skeletal": 3e-5}


def _loss(ys, model):
    """Sum of squares of the trajectory, each state scaled by its initial value (+1); one number per trajectory."""
    scale = jnp.abs(model.initial_state()) + 1.0
    return jnp.sum((ys / scale.reshape((1,) * (ys.ndim - 1) + (-1,))) ** 2, axis=(-2, -1))


def _perturbed(model, factor):
    """The model with every parameter multiplied by `factor` (a second, nearby parameter set)."""
    return dataclasses.replace(model, **{p.name: getattr(model, p.name) * factor for p in model.parameters()})


def _fd_models(model):
    """Central-difference points of every parameter: value ± h/2 and ± h (Richardson), in that order."""
    points, steps = [], {}
    for info in model.parameters():
        value = float(getattr(model, info.name))
        if value == 0 and info.constraint != "real":
            continue  # at a constraint boundary (caffeine = 0): no two-sided difference exists
        h = FD_STEP.get(model.name, 1e-4) * abs(value) if value != 0 else 1e-4
        steps[info.name] = h
        for step in (h / 2, -h / 2, h, -h):
            points.append(dataclasses.replace(model, **{info.name: getattr(model, info.name) + step}))
    return points, steps


# Each model with the solver that fits differentiate (`gradient_solver()`, the default solver but for the Shannon
# cardiac sets, which simulate with Rodas4: tests/test_muscle_cardiac.py checks that against a tight reference).
_simulate_batch = jax.jit(jax.vmap(lambda m: cj.simulate(m, TS, solver=m.gradient_solver(), **TOL)))


# Species parameter sets run another model's equations with other values (cardiac-human and cardiac-mouse cardiac's,
# AbstractShannonCardiac, cardiac-mouse with Morotti's Markov L-type channel in place of Shannon's gates; cardiac-rat
# hinch2004's): jit, vmap and grad are checked once, on that model (each costs minutes); test_cardiac_species.py
# checks their values, and the Markov channel's rates against Morotti's code and finite differences.
SAME_EQUATIONS = ("cardiac-human", "cardiac-mouse", "cardiac-rat")


@pytest.fixture(scope="module", params=sorted(set(cj.MODELS) - set(SAME_EQUATIONS)))
def model(request):
    return cj.get_model(request.param)()


def test_metadata(model):
    assert model.states and len(set(model.states)) == len(model.states)
    assert model.citation and model.name in cj.MODELS
    assert model.initial_state().shape == (len(model.states),)
    for p in model.parameters():
        p.check(float(getattr(model, p.name)))  # the published defaults satisfy their own constraints
        assert getattr(model, p.name).dtype == jnp.float64


@pytest.fixture(scope="module")
def batch(model):
    """One vmapped solve (one compilation per model) of the model, a nearby parameter set and every
    finite-difference point of the gradient test."""
    points, steps = _fd_models(model)
    models = [model, _perturbed(model, 1.02), *points]
    sol = _simulate_batch(jax.tree.map(lambda *x: jnp.stack(x), *models))
    return models, sol, steps


# The stiff muscle models are fitted with forward-mode gradients (few free parameters) and their reverse mode
# costs half as much again to compile (cardiac: 44 s against 27 s of CPU): their gradients are checked in forward
# mode (diffrax.ForwardMode), every other model's in reverse mode (the default of `cicrjax.simulate`).
FORWARD = ("cardiac", "hinch2004", "skeletal")


@pytest.fixture(scope="module")
def value_and_grad(model):
    """The unbatched solve with its gradient, one compilation per model: m -> ((loss, ys), d loss/d parameters)."""
    params, static = eqx.partition(model, eqx.is_inexact_array)
    forward = model.name in FORWARD
    adjoint = dict(adjoint=diffrax.ForwardMode()) if forward else {}

    def loss(p):
        ys = cj.simulate(eqx.combine(p, static), TS, solver=model.gradient_solver(), **TOL, **adjoint).ys
        return _loss(ys, model), ys

    if forward:
        # the loss and trajectory as jacfwd's aux: one solve with tangents, not a second, primal solve to compile
        # (hinch2004: 26-30 against 36-37 CPU s for the first call, interleaved, load 9)
        def value_and_aux(p):
            value, ys = loss(p)
            return value, (value, ys)

        run = jax.jit(lambda p: tuple(reversed(jax.jacfwd(value_and_aux, has_aux=True)(p))))
    else:
        run = jax.jit(jax.value_and_grad(loss, has_aux=True))
    return lambda m: run(eqx.partition(m, eqx.is_inexact_array)[0])


def test_jit_vmap_matches_loop(batch, value_and_grad):
    models, batched, _ = batch
    looped = np.stack([np.asarray(value_and_grad(m)[0][1]) for m in models[:2]])
    assert bool(jnp.all(batched.success))
    assert np.all(np.isfinite(looped))
    np.testing.assert_allclose(np.asarray(batched.ys[:2]), looped, rtol=1e-8, atol=1e-12)


def test_grad_matches_central_differences(model, batch, value_and_grad):
    _, sol, steps = batch
    (total, _), grad = value_and_grad(model)
    losses = np.asarray(_loss(sol.ys, model))
    np.testing.assert_allclose(losses[0], float(total), rtol=1e-8)
    # Losses of the finite-difference points, four per parameter: + h/2, − h/2, + h, − h.
    for (name, h), (up2, down2, up, down) in zip(steps.items(), losses[2:].reshape(-1, 4), strict=True):
        value = float(getattr(model, name))
        # Richardson extrapolation: O(h^4) truncation error, since spike timing gives large third derivatives.
        fd = (4 * (up2 - down2) / h - (up - down) / (2 * h)) / 3
        ad = float(getattr(grad, name))
        # Compare elasticities (value × derivative) so that every parameter is judged on the same scale; the
        # absolute floor is the loss change that finite differences resolve at rtol 1e-10.
        scale = abs(value) if value != 0 else 1.0
        assert ad * scale == pytest.approx(fd * scale, rel=FD_REL.get(model.name, 1e-5), abs=1e-6 * abs(total)), name
