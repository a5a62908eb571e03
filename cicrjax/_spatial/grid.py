"""A uniform 1-D grid of cells, its diffusion operator (no-flux or periodic ends) and the tridiagonal solves of the
implicit diffusion step."""

from typing import Literal

import equinox as eqx
import jax.numpy as jnp
from jax.lax.linalg import tridiagonal_solve
from jaxtyping import Array

from .._errors import InputError

Boundary = Literal["noflux", "periodic"]
BOUNDARIES = ("noflux", "periodic")


class Grid(eqx.Module):
    """A uniform 1-D grid of `n` cells of width `dx` (µm), cell-centred, from x = 0 to x = n·dx.

    No-flux ends reflect (a ghost cell copies its neighbour), so the diffusion operator conserves Σ u exactly;
    periodic ends wrap. The geometry is static: it sets the shapes of every compiled simulation.

    **Arguments:** `n` number of cells, `dx` cell width (µm), `boundary` `"noflux"` or `"periodic"`.

    **Example:** `Grid.from_length(800.0, 2.0).x` are the 400 cell centres 1, 3, …, 799 µm.
    """

    n: int = eqx.field(static=True)
    dx: float = eqx.field(static=True)
    boundary: Boundary = eqx.field(static=True, default="noflux")

    def __check_init__(self):
        if self.boundary not in BOUNDARIES:
            raise InputError(f"boundary {self.boundary!r} is not one of {', '.join(BOUNDARIES)}")
        if not (self.dx > 0):
            raise InputError(f"grid spacing dx must be > 0 µm, got {self.dx!r}")
        if self.n < 3:
            raise InputError(f"a grid needs at least 3 cells, got {self.n}; use a smaller dx or a longer domain")

    @classmethod
    def from_length(cls, length: float, dx: float, boundary: Boundary = "noflux") -> "Grid":
        """The grid of cells of width `dx` (µm) that covers `length` (µm), rounded to whole cells."""
        if not (dx > 0) or not (length > 0):
            raise InputError(f"length and dx must be > 0 µm, got length={length!r}, dx={dx!r}")
        return cls(max(int(round(length / dx)), 3), float(dx), boundary)

    @property
    def length(self) -> float:
        """Domain length n·dx (µm)."""
        return self.n * self.dx

    @property
    def x(self) -> Array:
        """Cell centres (µm)."""
        return (jnp.arange(self.n, dtype=float) + 0.5) * self.dx

    def laplacian(self, u: Array) -> Array:
        """Discrete ∂²u/∂x² (unit of u per µm²) along the last axis of `u`."""
        if self.boundary == "periodic":
            left, right = jnp.roll(u, 1, axis=-1), jnp.roll(u, -1, axis=-1)
        else:
            left = jnp.concatenate([u[..., :1], u[..., :-1]], axis=-1)
            right = jnp.concatenate([u[..., 1:], u[..., -1:]], axis=-1)
        return (left - 2.0 * u + right) / self.dx**2

    def solve_diffusion(self, scale: Array, coefficient: Array, rhs: Array) -> Array:
        """Solve (scale·I − L·diag(coefficient)) u = rhs for u along the last axis, never forming a dense matrix.

        `coefficient` (same shape as `rhs`) is dt·D per cell (µm²); L is `laplacian`'s operator. No-flux ends give a
        tridiagonal system (one `tridiagonal_solve`); periodic ends add two corners, removed by Sherman–Morrison.
        """
        a = coefficient / self.dx**2
        lower = jnp.concatenate([jnp.zeros_like(a[..., :1]), -a[..., :-1]], axis=-1)  # A[i, i-1] = -a[i-1]
        upper = jnp.concatenate([-a[..., 1:], jnp.zeros_like(a[..., :1])], axis=-1)  # A[i, i+1] = -a[i+1]
        diag = scale + 2.0 * a
        if self.boundary == "noflux":  # the reflected ghost cell cancels half of the end cells' outflow
            diag = diag.at[..., 0].add(-a[..., 0]).at[..., -1].add(-a[..., -1])
            return tridiagonal_solve(lower, diag, upper, rhs[..., None])[..., 0]
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
