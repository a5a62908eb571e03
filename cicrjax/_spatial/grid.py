"""A uniform 1-D grid of cells (a line, or spherical shells about a point), its diffusion operator (no-flux or
periodic ends) and the tridiagonal solves of the implicit diffusion step."""

from typing import Literal

import equinox as eqx
import jax.numpy as jnp
from jax.lax.linalg import tridiagonal_solve
from jaxtyping import Array

from .._errors import InputError

Boundary = Literal["noflux", "periodic"]
BOUNDARIES = ("noflux", "periodic")
Geometry = Literal["line", "spherical"]
GEOMETRIES = ("line", "spherical")


def cell_volumes(n: int, dx, geometry: Geometry) -> Array:
    """The size of each of `n` cells of width `dx` (µm, may be traced): dx on a line, the shell volume (µm³) on a
    spherical grid; trailing axis of length n after any leading axes of `dx`."""
    dx = jnp.asarray(dx)[..., None]
    if geometry == "line":
        return jnp.broadcast_to(dx, (*dx.shape[:-1], n))
    edges = jnp.arange(n + 1, dtype=float) * dx
    return 4.0 / 3.0 * jnp.pi * (edges[..., 1:] ** 3 - edges[..., :-1] ** 3)


class Grid(eqx.Module):
    """A uniform 1-D grid of `n` cells of width `dx` (µm), cell-centred, from x = 0 to x = n·dx.

    On a `"line"` each cell is a slab (a field uniform across the line); on a `"spherical"` grid cell i is the shell
    i·dx ≤ r < (i + 1)·dx about a point, for a release site seen in 3-D (a field symmetric about it). The operator
    is the finite-volume Laplacian: the flux between neighbours times their shared face area over the cell volume
    (`volume`), so it conserves Σ u·volume exactly with no-flux ends (a line's ghost cell copies its neighbour; the
    sphere's centre has no face). Periodic ends (lines only) wrap. The geometry is static: it sets the shapes of
    every compiled simulation.

    **Arguments:** `n` number of cells, `dx` cell width (µm), `boundary` `"noflux"` or `"periodic"`, `geometry`
    `"line"` or `"spherical"`.

    **Example:** `Grid.from_length(800.0, 2.0).x` are the 400 cell centres 1, 3, …, 799 µm.
    """

    n: int = eqx.field(static=True)
    dx: float = eqx.field(static=True)
    boundary: Boundary = eqx.field(static=True, default="noflux")
    geometry: Geometry = eqx.field(static=True, default="line")

    def __check_init__(self):
        if self.boundary not in BOUNDARIES:
            raise InputError(f"boundary {self.boundary!r} is not one of {', '.join(BOUNDARIES)}")
        if self.geometry not in GEOMETRIES:
            raise InputError(f"geometry {self.geometry!r} is not one of {', '.join(GEOMETRIES)}")
        if self.geometry == "spherical" and self.boundary != "noflux":
            raise InputError("a spherical grid needs boundary='noflux' (its centre and its outer shell are closed)")
        if not (self.dx > 0):
            raise InputError(f"grid spacing dx must be > 0 µm, got {self.dx!r}")
        if self.n < 3:
            raise InputError(f"a grid needs at least 3 cells, got {self.n}; use a smaller dx or a longer domain")

    @classmethod
    def from_length(
        cls, length: float, dx: float, boundary: Boundary = "noflux", geometry: Geometry = "line"
    ) -> "Grid":
        """The grid of cells of width `dx` (µm) that covers `length` (µm; the radius on a spherical grid), rounded
        to whole cells."""
        if not (dx > 0) or not (length > 0):
            raise InputError(f"length and dx must be > 0 µm, got length={length!r}, dx={dx!r}")
        return cls(max(int(round(length / dx)), 3), float(dx), boundary, geometry)

    @property
    def length(self) -> float:
        """Domain length n·dx (µm)."""
        return self.n * self.dx

    @property
    def x(self) -> Array:
        """Cell centres (µm)."""
        return (jnp.arange(self.n, dtype=float) + 0.5) * self.dx

    @property
    def volume(self) -> Array:
        """Size of each cell: its width dx (µm, per unit cross-section) on a line, its shell's volume (µm³) on a
        spherical grid; Σ u·volume is the amount of a field u."""
        return cell_volumes(self.n, self.dx, self.geometry)

    def _couplings(self, ndim: int) -> tuple[Array, Array]:
        """(left, right) coupling of each cell to its neighbours (µm⁻²) for no-flux ends, shaped to broadcast over
        an array of `ndim` dimensions: face area / (cell volume · dx), 0 at a closed end."""
        if self.geometry == "line":
            both = jnp.full(self.n, 1.0 / self.dx**2)
            left, right = both.at[0].set(0.0), both.at[-1].set(0.0)
        else:
            faces = 4.0 * jnp.pi * (jnp.arange(self.n + 1, dtype=float) * self.dx) ** 2
            scale = self.volume * self.dx
            left, right = faces[:-1] / scale, (faces[1:] / scale).at[-1].set(0.0)
        shape = (1,) * (ndim - 1) + (self.n,)
        return left.reshape(shape), right.reshape(shape)

    def laplacian(self, u: Array) -> Array:
        """Discrete Laplacian of `u` (unit of u per µm²) along its last axis: ∂²u/∂x² on a line, (1/r²)∂(r²∂u/∂r)/∂r
        on a spherical grid."""
        if self.boundary == "periodic":
            left, right = jnp.roll(u, 1, axis=-1), jnp.roll(u, -1, axis=-1)
            return (left - 2.0 * u + right) / self.dx**2
        wl, wr = self._couplings(u.ndim)
        left = jnp.concatenate([u[..., :1], u[..., :-1]], axis=-1)
        right = jnp.concatenate([u[..., 1:], u[..., -1:]], axis=-1)
        return wr * (right - u) - wl * (u - left)

    def solve_diffusion(self, scale: Array, coefficient: Array, rhs: Array) -> Array:
        """Solve (scale·I − L·diag(coefficient)) u = rhs for u along the last axis, never forming a dense matrix.

        `coefficient` (same shape as `rhs`) is dt·D per cell (µm²); L is `laplacian`'s operator. No-flux ends give a
        tridiagonal system (one `tridiagonal_solve`); periodic ends add two corners, removed by Sherman–Morrison.
        """
        if self.boundary == "noflux":  # A[i, i-1] = -wl[i]·c[i-1], A[i, i] = scale + (wl[i] + wr[i])·c[i], …
            wl, wr = self._couplings(rhs.ndim)
            lower = jnp.concatenate([jnp.zeros_like(rhs[..., :1]), -coefficient[..., :-1]], axis=-1) * wl
            upper = jnp.concatenate([-coefficient[..., 1:], jnp.zeros_like(rhs[..., :1])], axis=-1) * wr
            diag = scale + (wl + wr) * coefficient
            return tridiagonal_solve(lower, diag, upper, rhs[..., None])[..., 0]
        a = coefficient / self.dx**2
        lower = jnp.concatenate([jnp.zeros_like(a[..., :1]), -a[..., :-1]], axis=-1)  # A[i, i-1] = -a[i-1]
        upper = jnp.concatenate([-a[..., 1:], jnp.zeros_like(a[..., :1])], axis=-1)  # A[i, i+1] = -a[i+1]
        diag = scale + 2.0 * a
        # periodic: A = T + w vᵀ with corners A[0, n-1] = -a[n-1], A[n-1, 0] = -a[0]
        top, bottom = -a[..., -1], -a[..., 0]
        gamma = -diag[..., 0]
        diag_t = diag.at[..., 0].add(-gamma).at[..., -1].add(-top * bottom / gamma)
        w = jnp.zeros_like(rhs).at[..., 0].set(gamma).at[..., -1].set(bottom)
        both = tridiagonal_solve(lower, diag_t, upper, jnp.stack([rhs, w], axis=-1))
        y, z = both[..., 0], both[..., 1]
        v_y = y[..., 0] + top / gamma * y[..., -1]
        v_z = z[..., 0] + top / gamma * z[..., -1]
        return y - (v_y / (1.0 + v_z))[..., None] * z
