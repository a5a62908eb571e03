"""Fire–diffuse–fire: threshold release sites that each release a fixed amount once Ca at the site reaches c_th."""

from typing import ClassVar

import jax.numpy as jnp
from jaxtyping import Array

from .._fluxes import LinearPump
from .._parameters import param
from .grid import Grid
from .model import AbstractSpatialModel
from .sites import site_density

NEVER = 1e30  # fire time (s) of a site that has not fired
ROUNDING = 1e-9  # s: a release of duration τ_R lasts exactly τ_R/dt steps when that is a whole number


class FireDiffuseFire(AbstractSpatialModel):
    r"""Fire–diffuse–fire release (Keizer, Smith, Ponce-Dawson & Pearson 1998, Biophys J 75:595-600; Ponce Dawson,
    Keizer & Pearson 1999, PNAS 96:6060-6063).

    $$\partial_t c = D\,\partial_x^2 c - k_s c + \frac{\sigma}{\tau_R}\sum_n \delta(x - x_n)\,
      H(t - t_n)\,H(t_n + \tau_R - t)$$

    Site n, at x_n = `first` + n·d, fires (sets t_n) the first time c at its cell reaches c_th; Ca starts at
    `stimulus_c` in the first `stimulus_length` µm and at 0 elsewhere. c is Ca above rest; SERCA removal is the
    linear pump k_s c. With τ_R → 0 a wave exists while β = c_th d/σ < g_max(κ), κ² = k_s d²/D, and then travels
    at v = D/(d η) where g(η) = Σ_n (4πnη)^(-1/2) exp(−n/(4η) − κ²nη) = β (Dawson et al. 1999).
    A site releases σ/τ_R for the steps that start in [t_n, t_n + τ_R): exactly σ when τ_R is a whole number of
    time steps.

    **Example:** `simulate_spatial(FireDiffuseFire(), 2.0, dt=1e-3).events` are the fire times (s).
    """

    name: ClassVar[str] = "fdf"
    fields: ClassVar[tuple[str, ...]] = ("c",)
    citation: ClassVar[str] = (
        "Keizer J, Smith GD, Ponce-Dawson S, Pearson JE (1998) Biophys J 75:595-600; "
        "Ponce Dawson S, Keizer J, Pearson JE (1999) PNAS 96:6060-6063"
    )

    grid: Grid = Grid(400, 0.1)
    D: Array = param(30.0, "µm²/s", "Ca diffusion coefficient", "nonnegative")
    d: Array = param(2.0, "µm", "release-site spacing")
    sigma: Array = param(10.0, "µM·µm", "Ca released by one site (amount per cross-section)")
    c_th: Array = param(2.0, "µM", "Ca at a site that fires it")
    tau_R: Array = param(0.005, "s", "release duration")
    k_s: Array = param(0.0, "1/s", "linear SERCA removal rate", "nonnegative")
    first: Array = param(1.0, "µm", "position of the first site", "nonnegative")
    stimulus_length: Array = param(5.0, "µm", "length of the stimulated end", "nonnegative")
    stimulus_c: Array = param(6.0, "µM", "Ca in the stimulated end at t = 0")

    def diffusion(self) -> Array:
        return self.D[None]

    def density(self) -> Array:
        """Sites per µm in each cell."""
        return site_density(self.grid, self.d, self.first)

    def reaction(self, t, y, events) -> Array:
        on = (t >= events - ROUNDING) & (t < events + self.tau_R - ROUNDING)
        release = jnp.where(on, self.sigma / self.tau_R * self.density(), 0.0)
        return (release - LinearPump(self.k_s)(y[0]))[None]

    def initial_state(self) -> Array:
        return jnp.where(self.grid.x < self.stimulus_length, self.stimulus_c, 0.0)[None]

    def initial_events(self) -> Array:
        return jnp.full((self.grid.n,), NEVER)

    def update_events(self, t, y, events) -> Array:
        fire = (self.density() > 0) & (events >= NEVER) & (y[0] >= self.c_th)
        return jnp.where(fire, t, events)

    def beta(self) -> Array:
        """The dimensionless threshold β = c_th d/σ."""
        return self.c_th * self.d / self.sigma
