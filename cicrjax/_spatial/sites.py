"""Discrete release sites at a regular spacing: which grid cell holds each site."""

import jax.numpy as jnp
from jaxtyping import Array

from .grid import Grid


def site_density(grid: Grid, spacing: Array, first: Array) -> Array:
    """Sites per µm in each cell (1/dx in a cell that holds a site, else 0) for sites at `first` + m·`spacing` (µm).

    Works with traced `spacing` and `first` (so `vmap` can sweep the spacing); every cell holds at most one site
    when dx ≤ spacing (a site sits in the cell floor(x_site/dx)).

    **Example:** `site_density(Grid(10, 1.0), 2.0, 0.5)` is 1 µm⁻¹ in cells 0, 2, 4, 6, 8.
    """
    cell = jnp.arange(grid.n, dtype=float)
    nearest = first + jnp.maximum(jnp.round((grid.x - first) / spacing), 0.0) * spacing
    return jnp.where(jnp.floor(nearest / grid.dx) == cell, 1.0 / grid.dx, 0.0)
