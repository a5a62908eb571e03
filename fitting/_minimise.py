"""L-BFGS (optax, zoom line search) on any scalar function of a vector, for objectives other than a problem's NLL."""

import jax
import jax.numpy as jnp
import optax
from jaxtyping import Array


def minimise_lbfgs(
    fun, x0: Array, *, max_iter: int, gtol: float, ftol: float, memory: int, penalty: float
) -> tuple[Array, Array, Array, Array, Array]:
    """Minimise `fun` (differentiable with `jax.grad`) from `x0` with `optax.lbfgs`, under the same convergence
    rules as [`fitting.LBFGS`][]; a value at or above `penalty` (or not finite) counts as a solver failure.

    **Returns:** the final point, its value, iterations, converged, failures (jit- and vmap-friendly).

    **Example:** `x, value, it, conv, fails = minimise_lbfgs(f, x0, max_iter=100, gtol=1e-5, ftol=1e-12, memory=10,
    penalty=1e10)`
    """
    opt = optax.lbfgs(memory_size=memory)
    value0, grad0 = jax.value_and_grad(fun)(x0)
    ok0 = jnp.isfinite(value0) & (value0 < penalty)
    grad0 = jnp.where(jnp.isfinite(grad0) & ok0, grad0, 0.0)

    def cond(c):
        return (c[4] < max_iter) & ~c[5]

    def body(c):
        x, state, value, grad, it, _, fails, _conv = c
        with jax.numpy_dtype_promotion("standard"):  # optax's L-BFGS mixes int32 and int64 counters under x64
            updates, state = opt.update(grad, state, x, value=value, grad=grad, value_fn=fun)
        new = optax.apply_updates(x, updates)
        new_value = optax.tree.get(state, "value")
        new_grad = optax.tree.get(state, "grad")
        failed = ~jnp.isfinite(new_value) | (new_value >= penalty)
        new_grad = jnp.where(jnp.isfinite(new_grad) & ~failed, new_grad, 0.0)
        small_grad = jnp.max(jnp.abs(new_grad)) < gtol
        stalled = (value - new_value) <= ftol * jnp.maximum(1.0, jnp.abs(new_value))
        converged = (small_grad | stalled) & ~failed
        done = converged | (failed & (value >= penalty))
        return new, state, new_value, new_grad, it + 1, done, fails + failed.astype(jnp.int32), converged

    zero = jnp.zeros((), jnp.int32)
    init = (x0, opt.init(x0), value0, grad0, zero, ~ok0, (~ok0).astype(jnp.int32), jnp.array(False))
    x, _, value, _, it, _, fails, converged = jax.lax.while_loop(cond, body, init)
    return x, value, it, converged & (value < penalty), fails
