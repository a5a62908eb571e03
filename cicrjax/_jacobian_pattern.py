"""Structural sparsity of a vector field's Jacobian, read from its jaxpr."""

from collections.abc import Callable

import jax
import numpy as np
from jax.extend import core as jex_core
from jaxtyping import Array

# Primitives whose every output element depends on the same-position elements of its (broadcast) operands.
_ELEMENTWISE = frozenset(
    """abs acos acosh add and asin asinh atan atan2 atanh cbrt ceil clamp convert_element_type copy copy_p cos cosh
    div eq erf erf_inv erfc exp exp2 expm1 floor ge gt integer_pow is_finite le lgamma digamma log log1p logistic lt
    max min mul ne neg nextafter not or pow reduce_precision rem round rsqrt select_n sign sin sinh sqrt square
    stop_gradient sub tan tanh xor""".split()
)
_REDUCTIONS = frozenset(["reduce_sum", "reduce_max", "reduce_min", "reduce_prod", "reduce_and", "reduce_or"])


def jacobian_pattern(f: Callable[[Array], Array], y: Array) -> np.ndarray:
    """Which entries of ∂f/∂y can be nonzero, as an (n, n) boolean array, for `f` from a 1-D state to a 1-D vector.

    Found at trace time by following which state elements each value of `f`'s jaxpr depends on. Primitives it does
    not know (loops, gathers, products of matrices) are taken to mix all their inputs, so the pattern may hold more
    entries than the Jacobian, never fewer. `f` may close over traced values (parameters under `jit`/`vmap`).

    **Arguments:** `f` a function of the state; `y` a state of the right shape and dtype (its values are not used).

    **Example:** `jacobian_pattern(lambda y: jnp.stack([y[0] * y[1], -y[1]]), jnp.ones(2))` is `[[1, 1], [0, 1]]`.
    """
    n = y.shape[0]
    closed = jax.make_jaxpr(f)(y)
    (out,) = _propagate(closed.jaxpr, [np.eye(n, dtype=bool)], n)
    return np.asarray(out)


def _propagate(jaxpr, in_deps: list[np.ndarray], n: int) -> list[np.ndarray]:
    """Dependencies (`value.shape + (n,)` booleans) of `jaxpr`'s outputs, given those of its inputs."""
    env = {}

    def read(v):
        if isinstance(v, jex_core.Literal):
            return np.zeros(np.shape(v.val) + (n,), dtype=bool)
        return env[v] if v in env else np.zeros(tuple(v.aval.shape) + (n,), dtype=bool)

    for v, d in zip(jaxpr.invars, in_deps, strict=True):
        env[v] = d
    for eqn in jaxpr.eqns:
        outs = _rule(eqn, [read(v) for v in eqn.invars], n)
        for v, d in zip(eqn.outvars, outs, strict=True):
            env[v] = np.broadcast_to(d, tuple(v.aval.shape) + (n,))
    return [read(v) for v in jaxpr.outvars]


def _inner_jaxpr(eqn):
    """The jaxpr a call-like primitive (jit, custom_jvp_call, ...) runs on its operands, or None."""
    for key in ("jaxpr", "call_jaxpr", "fun_jaxpr"):
        inner = eqn.params.get(key)
        inner = getattr(inner, "jaxpr", inner)
        if hasattr(inner, "eqns") and len(inner.invars) == len(eqn.invars):
            return inner
    return None


def _rule(eqn, ins: list[np.ndarray], n: int) -> list[np.ndarray]:
    name, params = eqn.primitive.name, eqn.params
    shapes = [tuple(v.aval.shape) for v in eqn.outvars]
    if name in _ELEMENTWISE:
        return [np.logical_or.reduce([np.broadcast_to(d, shapes[0] + (n,)) for d in ins])]
    if name == "slice":
        strides = params["strides"] or (1,) * len(params["start_indices"])
        index = tuple(
            slice(s, e, st) for s, e, st in zip(params["start_indices"], params["limit_indices"], strides, strict=True)
        )
        return [ins[0][index]]
    if name == "squeeze":
        return [np.squeeze(ins[0], axis=tuple(params["dimensions"]))]
    if name == "reshape" and params.get("dimensions") is None:
        return [ins[0].reshape(shapes[0] + (n,))]
    if name == "expand_dims":
        return [np.expand_dims(ins[0], tuple(params["dimensions"]))]
    if name == "broadcast_in_dim":
        kept = list(params["broadcast_dimensions"])
        shape = [1] * len(shapes[0])
        for axis, size in zip(kept, ins[0].shape[:-1], strict=True):
            shape[axis] = size
        return [np.broadcast_to(ins[0].reshape(tuple(shape) + (n,)), shapes[0] + (n,))]
    if name == "transpose":
        return [np.transpose(ins[0], (*params["permutation"], len(shapes[0])))]
    if name == "concatenate":
        return [np.concatenate(ins, axis=params["dimension"])]
    if name == "stack":
        return [np.stack([np.broadcast_to(d, ins[0].shape) for d in ins], axis=params["axis"])]
    if name in _REDUCTIONS:
        return [np.any(ins[0], axis=tuple(params["axes"]))]
    if name == "iota":
        return [np.zeros(shapes[0] + (n,), dtype=bool)]
    inner = _inner_jaxpr(eqn)
    if inner is not None:
        return _propagate(inner, ins, n)
    # Unknown primitive: every output element may depend on every input element.
    mixed = np.zeros(n, dtype=bool)
    for d in ins:
        mixed |= d.reshape(-1, n).any(axis=0)
    return [np.broadcast_to(mixed, s + (n,)) for s in shapes]
