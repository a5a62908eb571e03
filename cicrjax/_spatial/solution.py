"""The result of a spatial simulation: fields on the grid at the save times."""

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array

from .._errors import InputError
from .grid import Geometry, cell_volumes


class SpatialSolution(eqx.Module):
    """Fields saved at times `ts` (s) on cell centres `x` (µm): `ys` has shape (times, fields, cells).

    `sol["c"]` is the kymograph of field c (times × cells; the cells are shells on a spherical `geometry`);
    `events` is the models' final discrete memory (fire times of threshold sites, s), `success` is False where the
    state stopped being finite.

    **Example:** `simulate_spatial(AtriWave(), 10.0)["c"]`
    """

    ts: Array
    x: Array
    ys: Array
    events: object
    success: Array
    fields: tuple[str, ...] = eqx.field(static=True)
    method: str = eqx.field(static=True)
    geometry: Geometry = eqx.field(static=True, default="line")

    def __getitem__(self, field: str) -> Array:
        if field not in self.fields:
            raise InputError(f"the solution has no field {field!r}; its fields are {', '.join(self.fields)}")
        return self.ys[..., self.fields.index(field), :]

    def total(self, field: str) -> Array:
        """Amount of `field` in the domain at each save time, Σ u·volume: µM·µm on a line, µM·µm³ on a spherical
        grid (see [`cicrjax.Grid`][])."""
        volume = cell_volumes(self.x.shape[-1], self.x[..., 1] - self.x[..., 0], self.geometry)
        return jnp.sum(self[field] * volume[..., None, :], axis=-1)
