"""Evaluate a function at many points in memory-bounded chunks: one compiled call per chunk."""

from collections.abc import Callable

import equinox as eqx
import jax.numpy as jnp
import numpy as np

from .._sharding import map_sharded


def evaluate(fn: Callable, x: np.ndarray, *, chunk_size: int = 1024, batch_size: int | None = None) -> np.ndarray:
    """`fn` at every row of `x` (rows × d), as a NumPy array (rows × outputs); non-finite where `fn` failed.

    Rows go to the devices `chunk_size` at a time (the last chunk padded), so memory stays bounded; within a chunk
    [`cicrjax.map_sharded`][] splits them over the local devices and maps each share (`batch_size` rows vmapped
    together on a CPU, default 1, which avoids vmap's lockstep of adaptive solvers; the whole share vmapped on an
    accelerator).
    """
    x = np.asarray(x, dtype=float)
    chunk_size = min(chunk_size, x.shape[0])
    out = []
    for i in range(0, x.shape[0], chunk_size):
        block = x[i : i + chunk_size]
        pad = chunk_size - block.shape[0]
        if pad:
            block = np.concatenate([block, np.repeat(block[-1:], pad, axis=0)])
        y = np.asarray(_run(fn, jnp.asarray(block), batch_size))
        out.append(y[: chunk_size - pad].reshape(chunk_size - pad, -1))
    return np.concatenate(out)


@eqx.filter_jit
def _run(fn, xs, batch_size):
    return map_sharded(fn, xs, batch_size=batch_size)
