"""The rest state of a well-mixed model, where a spatial model starts."""

import jax
import jax.numpy as jnp

from .._model import AbstractModel


def rest_state(cell: AbstractModel, iterations: int = 40):
    """The steady state of `cell` near its initial state, by Newton's method (differentiable, jit-friendly).

    **Example:** `rest_state(Atri1993(p=0.0))` is c ≈ 0.1316 µM with h = k2²/(k2² + c²).
    """

    def f(y):
        return cell.derivative(jnp.zeros((), y.dtype), y)

    def newton(_, y):
        return y - jnp.linalg.solve(jax.jacfwd(f)(y), f(y))

    return jax.lax.fori_loop(0, iterations, newton, cell.initial_state())
