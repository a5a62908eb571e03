"""A model's features as a function of some of its parameters, and parameter ranges checked against constraints."""

from collections.abc import Sequence

import diffrax
import equinox as eqx
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, ArrayLike

from .._errors import InputError
from .._features import check_features, evenly_spaced, trajectory_features
from .._model import AbstractModel
from .._parameters import parameter_info
from .._protocol import Protocol
from .._simulate import simulate


def check_parameters(model: AbstractModel, params: Sequence[str]) -> tuple[str, ...]:
    """The parameter names as a tuple; raises `InputError` naming an unknown or repeated one."""
    params = tuple(params)
    valid = [p.name for p in parameter_info(model)]
    if not params:
        raise InputError(f"give at least one parameter; valid parameters of {model.name}: {', '.join(valid)}")
    for name in params:
        if name not in valid:
            raise InputError(f"unknown parameter {name!r} for model {model.name}; valid parameters: {', '.join(valid)}")
    if len(set(params)) != len(params):
        raise InputError(f"parameters must not repeat, got {', '.join(params)}")
    return params


class FeatureFunction(eqx.Module):
    """x ↦ features of `model` with parameters `params` set to x (natural units), NaN where the solver fails; a
    Module, so that functions of equal structure share one compilation. Made by [`cicrjax.feature_function`][]."""

    model: AbstractModel
    ts: Array
    protocol: Protocol | None
    start: Array | None
    params: tuple[str, ...] = eqx.field(static=True)
    features: tuple[str, ...] = eqx.field(static=True)
    adjoint: diffrax.AbstractAdjoint | None = eqx.field(static=True)
    options: tuple[tuple[str, object], ...] = eqx.field(static=True)

    def evaluate(self, x: Array) -> tuple[Array, Array]:
        """The features at `x` and whether the solver succeeded."""
        model = eqx.tree_at(lambda m: tuple(getattr(m, p) for p in self.params), self.model, tuple(jnp.asarray(x)))
        sol = simulate(model, self.ts, protocol=self.protocol, adjoint=self.adjoint, throw=False, **dict(self.options))
        f = trajectory_features(model, self.ts, sol.ys, self.features, protocol=self.protocol, start=self.start)
        return f, sol.success

    def __call__(self, x: Array) -> Array:
        f, success = self.evaluate(x)
        return jnp.where(success, f, jnp.nan)


def feature_function(
    model: AbstractModel,
    ts: ArrayLike,
    params: Sequence[str],
    features: Sequence[str],
    *,
    protocol: Protocol | None = None,
    start: float | None = None,
    adjoint: diffrax.AbstractAdjoint | None = None,
    **options,
) -> FeatureFunction:
    """The function x ↦ features of `model` simulated over `ts` with parameters `params` set to x (natural units);
    NaN where the solver fails. Pure and differentiable: jit, vmap, grad.

    **Arguments:** `model`; `ts` evenly spaced save times (s); `params` parameter names; `features` keys of
    [`cicrjax.FEATURES`][]; `protocol`; `start` (s) analyse from here; `adjoint` (`diffrax.ForwardMode()` for
    `jax.jacfwd`); `options` further keyword arguments of [`cicrjax.simulate`][] except `throw`.

    **Example:** `f = feature_function(GDB1990(), jnp.linspace(0, 60, 6001), ["beta"], ["period"]); f(jnp.array([0.3]))`
    """
    params = check_parameters(model, params)
    features = check_features(features)
    ts = jnp.asarray(evenly_spaced(ts))
    start = None if start is None else jnp.asarray(float(start))
    return FeatureFunction(model, ts, protocol, start, params, features, adjoint, tuple(sorted(options.items())))


def nominal_values(model: AbstractModel, params: Sequence[str]) -> np.ndarray:
    """The current values of `params` in `model` (natural units)."""
    return np.array([float(getattr(model, p)) for p in check_parameters(model, params)])


def parameter_ranges(model: AbstractModel, params: Sequence[str], fraction: float) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds p·(1 ∓ `fraction`) around the model's values of `params`; raises `InputError` where a
    bound leaves a parameter's constraint (a positive parameter needs `fraction` < 1).

    **Example:** `lower, upper = parameter_ranges(GDB1990(), ["beta", "VM2"], 0.2)`
    """
    if not (np.isfinite(fraction) and fraction > 0):
        raise InputError(f"the range fraction must be > 0, got {fraction!r}")
    p = nominal_values(model, params)
    info = {i.name: i for i in parameter_info(model)}
    lower, upper = p * (1 - fraction), p * (1 + fraction)
    for name, lo, hi in zip(params, lower, upper, strict=True):
        for value in (lo, hi):
            try:
                info[name].check(float(value))
            except InputError as err:
                raise InputError(f"range ±{fraction:g} leaves a constraint: {err}") from None
        if lo == hi:
            raise InputError(f"parameter {name} is 0, so a relative range ±{fraction:g} is empty; choose another")
    return np.minimum(lower, upper), np.maximum(lower, upper)
