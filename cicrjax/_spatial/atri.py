"""The continuous Ca-activated wave of Atri et al. 1993: the well-mixed Atri1993 cell in every grid cell, coupled by
Ca diffusion."""

from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array

from .._models.atri1993 import Atri1993
from .._parameters import param
from .grid import Grid
from .model import AbstractSpatialModel
from .rest import rest_state


class AtriWave(AbstractSpatialModel):
    r"""A travelling Ca wave in the Atri et al. 1993 model (Biophys J 65:1727-1739), the fertilization-wave model.

    $$\partial_t c = D_c\,\partial_x^2 c + f(c, h),\qquad \tau_h\,\partial_t h = \frac{k_2^2}{k_2^2 + c^2} - h$$

    with f the well-mixed [`cicrjax.Atri1993`][] release, pump and influx (its parameters in `cell`). The default
    set-up: p = 0 (excitable, no IP3), 800 µm with no-flux ends, D_c = 20 µm²/s, the rest state everywhere except
    the first 20 µm raised to 2 µM; the front is tracked at c = 0.5 µM.

    **Example:** `simulate_spatial(AtriWave(grid=Grid.from_length(800.0, 2.0)), 40.0)["c"]`
    """

    name: ClassVar[str] = "atri1993"
    fields: ClassVar[tuple[str, ...]] = ("c", "h")
    citation: ClassVar[str] = "Atri A, Amundson J, Clapham D, Sneyd J (1993) Biophys J 65:1727-1739"

    grid: Grid = Grid(400, 2.0)
    cell: Atri1993 = eqx.field(default_factory=lambda: Atri1993(p=0.0))
    D_c: Array = param(20.0, "µm²/s", "cytosolic Ca diffusion coefficient", "nonnegative")
    stimulus_length: Array = param(20.0, "µm", "length of the stimulated end", "nonnegative")
    stimulus_c: Array = param(2.0, "µM", "Ca in the stimulated end at t = 0")

    def diffusion(self) -> Array:
        return jnp.stack([self.D_c, jnp.zeros_like(self.D_c)])

    def reaction(self, t, y, events) -> Array:
        return jax.vmap(self.cell.derivative, in_axes=(None, 1), out_axes=1)(t, y)

    def initial_state(self) -> Array:
        rest = rest_state(self.cell)
        y = jnp.broadcast_to(rest[:, None], (2, self.grid.n))
        return y.at[0].set(jnp.where(self.grid.x < self.stimulus_length, self.stimulus_c, rest[0]))
