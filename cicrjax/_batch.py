"""`simulate_batch`: many parameter sets at once, without vmap's lockstep on CPUs."""

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import ArrayLike

from ._errors import InputError
from ._model import AbstractModel
from ._protocol import Protocol
from ._sharding import local_devices, map_sharded
from ._simulate import simulate
from ._solution import Solution


def simulate_batch(
    models: AbstractModel,
    ts: ArrayLike,
    *,
    protocol: Protocol | None = None,
    batch_size: int | None = None,
    devices: int | None = None,
    **options,
) -> Solution:
    """Simulate a batch of models (every parameter with a leading batch axis) and return a batched Solution.

    A vmapped adaptive solve runs every element for as many steps as the stiffest one takes (on gdb1990 over a
    decade of parameters: 247 steps median, 3,295 maximum), so on a CPU this runs the elements one after another
    (`jax.lax.map`) in one compiled call, split evenly over the local devices (a `NamedSharding` of the batch axis);
    on a GPU it vmaps each device's share.
    On a CPU with several cores, make each core a device before JAX starts:
    `XLA_FLAGS=--xla_force_host_platform_device_count=N` (N = cores). Failures never raise: see
    `Solution.success`, per element. Equal to a loop over [`cicrjax.simulate`][].

    **Arguments:**
    - `models`: a model whose array leaves have a leading batch axis, as from [`cicrjax.batch_parameters`][].
    - `ts`: save times (s), shared by the batch.
    - `protocol`: a [`cicrjax.Protocol`][] shared by the batch; default none.
    - `batch_size`: elements vmapped together within `lax.map`; default 1 on CPUs, the whole share on
      accelerators.
    - `devices`: how many local devices share the batch; default all ([`cicrjax.local_devices`][]).
    - `options`: further keyword arguments of [`cicrjax.simulate`][] (`rtol`, `atol`, `solver`, `max_steps`,
      `dtype`, ...) except `throw` and `y0`.

    **Returns:** a [`cicrjax.Solution`][] with a leading batch axis on every array.

    **Example:** `simulate_batch(batch_parameters(GDB1990(), {"VM2": jnp.linspace(50, 80, 1000)}), ts).ys`
    """
    if not isinstance(models, AbstractModel):
        raise InputError(f"models must be a batched cicrjax model (cicrjax.batch_parameters), got {type(models)}")
    for key in ("throw", "y0", "adjoint"):
        if key in options:
            raise InputError(f"simulate_batch does not take {key}=; use jax.vmap(simulate) for that")
    leaves = [x for x in jax.tree.leaves(models) if eqx.is_array(x)]
    sizes = {x.shape[0] if x.ndim else None for x in leaves}
    if len(sizes) != 1 or None in sizes:
        raise InputError("every parameter of models needs the same leading batch axis; use cicrjax.batch_parameters")
    return _run(models, jnp.asarray(ts), protocol, local_devices(devices), batch_size, options)


@eqx.filter_jit
def _run(models, ts, protocol, devices, batch_size, options):
    one = lambda m: simulate(m, ts, protocol=protocol, throw=False, **options)  # noqa: E731
    return map_sharded(one, models, devices, batch_size=batch_size)
