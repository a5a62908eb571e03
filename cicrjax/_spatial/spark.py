"""A deterministic smooth release site (a Ca spark for fitting), the cardiac spark default (the site in a buffered 1-D
cytosol with Fluo-4) and the IP3R puff default (a slower, smaller release seen with Cal-520)."""

from typing import ClassVar

import jax
import jax.numpy as jnp
from jaxtyping import Array

from .._fluxes import BufferBinding, HillPump
from .._observation.dyes import Cal520, Fluo4
from .._parameters import param
from .._units import PICOAMPERE_CA
from .buffers import Buffer, WithBuffers
from .grid import Grid
from .model import AbstractSpatialModel


class SparkSite(AbstractSpatialModel):
    r"""One release site that opens smoothly for a while, in a 1-D cytosol with a SERCA pump (a smooth spark).

    $$\partial_t c = D_c\,\partial_x^2 c + \phi\,g(x)\,p(t) - J_{SERCA}(c) + J_{SERCA}(c_0)$$

    g is a Gaussian of s.d. `site_sd` µm about `site_x`, normalised on the grid (Σ g·dx = 1, so the site releases
    exactly φ·∫p dt µM·µm); p(t) = σ((t − t_on)/τ) − σ((t − t_on − T)/τ), a logistic-edged pulse of duration T =
    `duration` and edge time τ = `edge`, smooth in every parameter (fit it by gradient). J_SERCA is a
    [`cicrjax.HillPump`][]; the leak J_SERCA(c₀) makes c₀ the exact rest. The 1-D line geometry stands for a
    release plane across the line scan; illustrative values tuned to a cardiac spark's size (no single paper).

    **Example:** `simulate_spatial(cardiac_spark(), 0.06, dt=2e-5, save_dt=1e-3)`
    """

    name: ClassVar[str] = "spark"
    fields: ClassVar[tuple[str, ...]] = ("c",)
    citation: ClassVar[str] = (
        "smooth release site (illustrative); cardiac sparks: Cheng H, Lederer WJ, Cannell MB (1993) Science 262:740"
    )

    grid: Grid = Grid(100, 0.2)
    D_c: Array = param(220.0, "µm²/s", "free Ca diffusion coefficient (Allbritton et al. 1992: 223)", "nonnegative")
    c0: Array = param(0.1, "µM", "rest cytosolic Ca", "positive")
    flux: Array = param(8000.0, "µM·µm/s", "release rate of the open site (µM·µm³/s if spherical)", "nonnegative")
    duration: Array = param(0.01, "s", "release duration", "positive")
    edge: Array = param(0.001, "s", "time constant of the pulse's rise and fall", "positive")
    t_on: Array = param(0.005, "s", "release start")
    site_x: Array = param(10.0, "µm", "site position")
    site_sd: Array = param(0.4, "µm", "site half-width (s.d. of its Gaussian)", "positive")
    v_serca: Array = param(200.0, "µM/s", "maximal SERCA rate", "nonnegative")
    K_serca: Array = param(0.2, "µM", "SERCA half-activation Ca", "positive")

    def diffusion(self) -> Array:
        return self.D_c[None]

    def profile(self) -> Array:
        """g(x) in each cell (µm⁻¹ on a line, µm⁻³ on a spherical grid), Σ g·volume = 1."""
        g = jnp.exp(-0.5 * ((self.grid.x - self.site_x) / self.site_sd) ** 2)
        return g / jnp.sum(g * self.grid.volume)

    def pulse(self, t) -> Array:
        """p(t), 0 to 1: the site's open fraction at time `t` (s)."""
        return jax.nn.sigmoid((t - self.t_on) / self.edge) - jax.nn.sigmoid((t - self.t_on - self.duration) / self.edge)

    def removal(self, c: Array) -> Array:
        """Net SERCA uptake less the leak (µM/s) at cytosolic Ca `c` (µM); 0 at rest."""
        serca = HillPump(self.v_serca, self.K_serca, 2.0)
        return serca(c) - serca(self.c0)

    def reaction(self, t, y, events) -> Array:
        return (self.flux * self.pulse(t) * self.profile() - self.removal(y[0]))[None]

    def initial_state(self) -> Array:
        return jnp.full((1, self.grid.n), self.c0)


def cardiac_spark(
    site: AbstractSpatialModel | None = None,
    *,
    dye: Fluo4 | None = None,
    dye_D: float = 90.0,
    spherical: bool = False,
) -> WithBuffers:
    """The cardiac spark default: a release site (default [`cicrjax.SparkSite`][]; or a
    [`cicrjax.StochasticCluster`][]) with Fluo-4 (mobile, `dye_D` µm²/s) and a stationary buffer.

    With `spherical=True` the default site releases from a point into 3-D space (a spherical grid of 80 shells of
    0.1 µm): a 2 pA Ca current (10,364 µM·µm³/s) for 20 ms, about five RyRs open at once at the unitary current of
    0.35–0.5 pA measured under near-physiological conditions (Mejía-Alvarez et al. 1999, J Gen Physiol 113:177);
    [`cicrjax.LineScan`][] then images it with the lateral and axial PSF and as 2-D frames.

    Fields c, bound0 (Ca–Fluo-4, µM), bound1 (Ca on the stationary buffer, µM). The stationary buffer, 123 µM with
    k_on = 100 µM⁻¹s⁻¹ and k_off = 100 s⁻¹, and the dye's D = 90 µm²/s (their fluo-3) follow the set-up of Smith,
    Keizer, Stern, Lederer & Cheng 1998 (Biophys J 75:15-32), values as recalled, unverified. Binding is explicit:
    keep dt ≤ 2e-5 s.

    **Example:** `simulate_spatial(cardiac_spark(), 0.06, dt=2e-5, save_dt=1e-3)["bound0"]`
    """
    if site is None and spherical:
        grid = Grid(80, 0.1, geometry="spherical")
        site = SparkSite(grid=grid, site_x=0.0, flux=2.0 * PICOAMPERE_CA, duration=0.02)
    site = SparkSite() if site is None else site
    dye = Fluo4() if dye is None else dye
    return _buffered(site, dye, dye_D)


def _buffered(site: AbstractSpatialModel, dye, dye_D: float) -> WithBuffers:
    """`site` with the mobile `dye` (D = `dye_D` µm²/s) and the stationary buffer of Smith et al. 1998."""
    stationary = BufferBinding(jnp.asarray(123.0), jnp.asarray(100.0), jnp.asarray(100.0))
    return WithBuffers(site, (Buffer(dye, jnp.asarray(dye_D)), Buffer(stationary, jnp.asarray(0.0))))


def ip3r_puff(site: AbstractSpatialModel | None = None, *, dye: Cal520 | None = None, dye_D: float = 90.0):
    """The IP3R puff default: a cluster of IP3 receptors releasing less Ca for longer than a RyR spark, seen with
    Cal-520 (the puff reporter of Lock, Parker & Smith 2015, Cell Calcium 58:638-648) over the same buffers as
    [`cicrjax.cardiac_spark`][].

    The default site is a [`cicrjax.SparkSite`][] on 30 µm (150 cells of 0.2 µm), at 15 µm, open from 50 ms for
    200 ms with 20 ms edges at 1500 µM·µm/s (a fifth of the spark's rate, four times its amount), so that the puff
    lasts a few hundred ms, as puffs do (Shuai et al. 2010, Phys Rev E 81:041913, abstract; the values are
    illustrative, not fitted). A [`cicrjax.StochasticCluster`][] may replace it. Binding is explicit: dt ≤ 2e-5 s.

    **Example:** `simulate_spatial(ip3r_puff(), 0.6, dt=2e-5, save_dt=5e-3)["bound0"]`
    """
    if site is None:
        site = SparkSite(grid=Grid(150, 0.2), site_x=15.0, flux=1500.0, duration=0.2, edge=0.02, t_on=0.05)
    return _buffered(site, Cal520() if dye is None else dye, dye_D)
