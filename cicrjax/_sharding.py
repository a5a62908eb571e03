"""A batch split over the local devices: its leading axis laid out with a `NamedSharding`, each device's share mapped
(`map_sharded`), or the whole batch vmapped and split by XLA (`vmap_sharded`).

On a CPU `map_sharded` runs each element of a share after the other (`jax.lax.map`): a vmapped adaptive solve would
run every element in lockstep until the stiffest is done. On an accelerator each share is vmapped. Every element is
computed as it would be on one device, so the result does not depend on the device count. `map_sharded` runs each
share in a `shard_map`, inside which Equinox's checkpointed loops (diffrax's reverse-mode adjoint) cannot be
differentiated; `vmap_sharded` leaves the split to XLA (a sharding constraint), so a reverse-mode gradient can be
taken through it. (Letting XLA split `map_sharded`'s mapped shares instead was 45x slower on 2 busy CPU devices:
the devices then step every solve in lockstep.)
"""

from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp
from jax.sharding import NamedSharding, PartitionSpec as P

from ._errors import InputError

AXIS = "cells"  # the mesh axis of the batch (cells × starts, parameter sets)


def local_devices(count: int | None = None) -> tuple[jax.Device, ...]:
    """The first `count` of this process's devices (default all of them), for [`cicrjax.simulate_batch`][] and the
    fitting functions' `devices=`.

    On a CPU, JAX sees one device unless each core is made one before JAX starts:
    `XLA_FLAGS=--xla_force_host_platform_device_count=N`.

    **Example:** `local_devices(2)` on a machine with two GPUs, or N forced CPU devices.
    """
    devices = jax.local_devices()
    if count is None:
        return tuple(devices)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise InputError(f"devices must be a whole number ≥ 1 (or None for all {len(devices)}), got {count!r}")
    if count > len(devices):
        platform = devices[0].platform
        fix = (
            f"; make each CPU core a device before JAX starts: XLA_FLAGS=--xla_force_host_platform_device_count={count}"
            if platform == "cpu"
            else ""
        )
        raise InputError(f"devices={count}, but JAX sees {len(devices)} {platform} device(s){fix}")
    return tuple(devices[:count])


def map_sharded(fn: Callable, xs, devices: Sequence[jax.Device] | None = None, *, batch_size: int | None = None):
    """`fn` over the rows of `xs` (a PyTree of arrays with one leading axis), split evenly over `devices` (default
    all local ones): the axis is padded by repeating its last row, laid out with a `NamedSharding` over a 1-D mesh,
    and each device maps its share (`jax.lax.map` on a CPU with `batch_size` rows vmapped together, default 1;
    `jax.vmap` of the whole share on an accelerator). Over several devices `fn` may take forward-mode gradients of
    a diffrax solve but not reverse-mode ones (see above). Call it inside `jit`.

    **Example:** `jax.jit(lambda th: map_sharded(objective, th))(thetas)`
    """
    devices = tuple(jax.local_devices() if devices is None else devices)
    cpu = devices[0].platform == "cpu"

    def share(x):
        size = jax.tree.leaves(x)[0].shape[0]
        block = min(size, (1 if cpu else size) if batch_size is None else batch_size)
        if block == size > 1:
            return jax.vmap(fn)(x)
        # batch_size=1 would still vmap (over blocks of one), which costs vmap's selects: map plainly then.
        return jax.lax.map(fn, x, batch_size=None if block == 1 else block)

    if len(devices) == 1:
        return share(xs)
    n, mesh, padded = _laid_out(xs, devices)
    shares = jax.shard_map(share, mesh=mesh, in_specs=P(AXIS), out_specs=P(AXIS), check_vma=False)
    return jax.tree.map(lambda x: x[:n], shares(padded))


def vmap_sharded(fn: Callable, xs, devices: Sequence[jax.Device] | None = None):
    """`jax.vmap(fn)(xs)` with the rows of `xs` (a PyTree of arrays with one leading axis) laid out with a
    `NamedSharding` over `devices` (default all local ones; padded as in [`cicrjax.map_sharded`][]): XLA splits the
    vmapped computation over the devices, and it differentiates in either mode from outside. Call it inside `jit`.

    **Example:** `jax.jit(jax.grad(lambda v: jnp.sum(vmap_sharded(jnp.sin, v))))(jnp.arange(6.0))`
    """
    devices = tuple(jax.local_devices() if devices is None else devices)
    if len(devices) == 1:
        return jax.vmap(fn)(xs)
    n, _, padded = _laid_out(xs, devices)
    return jax.tree.map(lambda x: x[:n], jax.vmap(fn)(padded))


def _laid_out(xs, devices):
    """The row count of `xs`, a 1-D mesh of `devices`, and `xs` padded to a multiple of their count (by repeating
    its last row) and laid out over them."""
    n = jax.tree.leaves(xs)[0].shape[0]
    extra = -(-n // len(devices)) * len(devices) - n
    padded = jax.tree.map(lambda x: jnp.concatenate([x, jnp.repeat(x[-1:], extra, axis=0)]), xs)
    mesh = jax.make_mesh((len(devices),), (AXIS,), axis_types=(jax.sharding.AxisType.Auto,), devices=devices)
    return n, mesh, jax.lax.with_sharding_constraint(padded, NamedSharding(mesh, P(AXIS)))
