"""Stochastic release clusters: N channels each that open and close at random (explicit PRNG key), with Ca-dependent
opening and a depleting junctional SR, at one site or a row of sites of a 1-D cytosol."""

from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, PRNGKeyArray

from .._errors import InputError
from .._hill import hill
from .._parameters import param
from .grid import Grid
from .model import AbstractSpatialModel
from .spark import SparkSite


class ClusterState(eqx.Module):
    """The discrete memory of a [`cicrjax.StochasticCluster`][], one entry per site: the PRNG `key`, `n_open`
    channels, junctional SR Ca `jsr` (µM), the accumulated `open_time` (channel·s), the `fire_time` (s) at which half
    the site's channels were first open (inf if never), and the time `t` (s) of the last update."""

    key: PRNGKeyArray
    n_open: Array
    jsr: Array
    open_time: Array
    fire_time: Array
    t: Array


class StochasticCluster(AbstractSpatialModel):
    r"""Clusters of N release channels at `n_sites` sites `spacing` µm apart, from the site of a
    [`cicrjax.SparkSite`][], each channel opening and closing at random.

    In a step of length Δt each closed channel of site j opens with probability 1 − exp(−k_o Δt),
    k_o = k_open·h(c_j)·s_j/s_ref, h(c) = cⁿ/(Kⁿ + cⁿ) of the site's Ca c_j = Σ g_j·c·dx, and each open one closes with
    probability 1 − exp(−k_close Δt) (binomial draws from the model's explicit `key`, so a seed gives the same
    train). Open channels release i·n_j·s_j/s_ref·g_j(x) (i = `unitary`, g_j the site's Gaussian moved by j·`spacing`);
    each junctional SR loses that amount over its length ℓ and refills, ds_j/dt = −i·n_j·s_j/(s_ref·ℓ) + (s₀ − s_j)/τ
    (s₀ = `jsr0`, the SR load: a fuller SR releases more and sensitises its channels),
    so a spark ends by stochastic closing (induction decay as local Ca falls) and by luminal depletion. `trigger`
    channels of the first site are open at t = 0: with several sites, the spark there either stays local or
    recruits its neighbours into a saltatory wave ([`cicrjax.spark_to_wave`][]). Illustrative values (not fitted to
    a published spark frequency), chosen so that in the cardiac spark's buffers a triggered spark stays local at the
    default load and sensitivity and turns into a wave as either rises, with no spontaneous spark at rest.

    **Example:** `simulate_spatial(StochasticCluster(key=jax.random.key(0), trigger=20.0), 0.1, dt=2e-5).events`
    """

    name: ClassVar[str] = "stochastic-cluster"
    fields: ClassVar[tuple[str, ...]] = ("c",)
    citation: ClassVar[str] = (
        "stochastic RyR cluster (illustrative); review: Cheng H, Lederer WJ (2008) Physiol Rev 88:1491"
    )

    key: PRNGKeyArray
    site: SparkSite = eqx.field(default_factory=lambda: SparkSite(flux=0.0))
    n_sites: int = eqx.field(static=True, default=1)
    spacing: Array = param(2.0, "µm", "distance between neighbouring sites (Z-lines: 1.8–2 µm)", "positive")
    trigger: Array = param(0.0, "1", "channels of the first site open at t = 0", "nonnegative")
    n_channels: Array = param(20.0, "1", "channels in each cluster", "positive")
    unitary: Array = param(1000.0, "µM·µm/s", "release of one open channel at full junctional SR", "nonnegative")
    k_open: Array = param(2000.0, "1/s", "maximal opening rate of a channel", "nonnegative")
    K_open: Array = param(2.0, "µM", "site Ca for half-maximal opening", "positive")
    n_hill: Array = param(4.0, "1", "Hill coefficient of Ca-dependent opening", "nonnegative")
    k_close: Array = param(100.0, "1/s", "closing rate of an open channel", "nonnegative")
    jsr0: Array = param(1000.0, "µM", "full junctional SR Ca (the SR load)", "positive")
    jsr_ref: Array = param(1000.0, "µM", "junctional SR Ca at which `unitary` and `k_open` are given", "positive")
    jsr_length: Array = param(0.1, "µm", "junctional SR volume per cross-section", "positive")
    tau_refill: Array = param(0.1, "s", "junctional SR refilling time", "positive")

    def __check_init__(self):
        if isinstance(self.n_sites, bool) or not isinstance(self.n_sites, int) or self.n_sites < 1:
            raise InputError(f"n_sites must be a whole number >= 1, got {self.n_sites!r}")
        if self.n_sites > 1 and self.site.grid.geometry == "spherical":
            raise InputError("a row of sites needs a line grid; a spherical grid holds one site at its centre")

    @property
    def grid(self) -> Grid:
        return self.site.grid

    def diffusion(self) -> Array:
        return self.site.diffusion()

    def profiles(self) -> Array:
        """g_j(x) of each site (µm⁻¹; µm⁻³ on a spherical grid), shape (sites, cells), each Σ g_j·volume = 1."""
        x = self.site.site_x + self.spacing * jnp.arange(self.n_sites, dtype=float)
        g = jnp.exp(-0.5 * ((self.grid.x[None] - x[:, None]) / self.site.site_sd) ** 2)
        return g / jnp.sum(g * self.grid.volume[None], axis=1, keepdims=True)

    def release(self, events: ClusterState) -> Array:
        """Ca released by each site's open channels (µM·µm/s), shape (sites,)."""
        return self.unitary * events.n_open * events.jsr / self.jsr_ref

    def reaction(self, t, y, events) -> Array:
        return (self.release(events) @ self.profiles() - self.site.removal(y[0]))[None]

    def initial_state(self) -> Array:
        return self.site.initial_state()

    def initial_events(self) -> ClusterState:
        zero = jnp.zeros(self.n_sites) + jnp.zeros_like(self.jsr0)
        n_open = zero.at[0].set(jnp.minimum(jnp.round(self.trigger), self.n_channels))
        return ClusterState(self.key, n_open, self.jsr0 + zero, zero, jnp.full_like(zero, jnp.inf), zero[0])

    def update_events(self, t, y, events: ClusterState) -> ClusterState:
        dt = t - events.t
        c_site = (self.profiles() * self.grid.volume[None]) @ y[0]
        rate_open = self.k_open * hill(c_site, self.K_open, self.n_hill) * events.jsr / self.jsr_ref
        key, k_open, k_close = jax.random.split(events.key, 3)
        n = events.n_open
        opened = jax.random.binomial(k_open, self.n_channels - n, -jnp.expm1(-rate_open * dt))
        closed = jax.random.binomial(k_close, n, -jnp.expm1(-self.k_close * dt))
        jsr = events.jsr + dt * (-self.release(events) / self.jsr_length + (self.jsr0 - events.jsr) / self.tau_refill)
        n_new = n + opened - closed
        fired = (2.0 * n_new >= self.n_channels) & jnp.isinf(events.fire_time)
        fire_time = jnp.where(fired, t, events.fire_time)
        return ClusterState(key, n_new, jsr, events.open_time + n * dt, fire_time, t)
