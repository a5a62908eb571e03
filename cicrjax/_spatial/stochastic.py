"""A stochastic release cluster: N channels that open and close at random (explicit PRNG key), with Ca-dependent
opening and a depleting junctional SR, at one site of a 1-D cytosol."""

from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, PRNGKeyArray

from .._hill import hill
from .._parameters import param
from .grid import Grid
from .model import AbstractSpatialModel
from .spark import SparkSite


class ClusterState(eqx.Module):
    """The discrete memory of a [`cicrjax.StochasticCluster`][]: the PRNG `key`, `n_open` channels, junctional SR
    Ca `jsr` (µM), the accumulated `open_time` (channel·s) and the time `t` (s) of the last update."""

    key: PRNGKeyArray
    n_open: Array
    jsr: Array
    open_time: Array
    t: Array


class StochasticCluster(AbstractSpatialModel):
    r"""A cluster of N release channels at the site of a [`cicrjax.SparkSite`][], each opening and closing at random.

    In a step of length Δt each closed channel opens with probability 1 − exp(−k_o Δt), k_o = k_open·h(c_s)·s/s₀,
    h(c) = cⁿ/(Kⁿ + cⁿ) of the site's Ca c_s = Σ g·c·dx, and each open one closes with probability
    1 − exp(−k_close Δt) (binomial draws from the model's explicit `key`, so a seed gives the same train). Open
    channels release i·n_open·s/s₀·g(x) (i = `unitary`); the junctional SR loses that amount over its length ℓ
    and refills, ds/dt = −i·n_open·s/(s₀ℓ) + (s₀ − s)/τ_refill, so a spark ends by stochastic closing (induction
    decay as local Ca falls) and by luminal depletion. The site supplies the grid, diffusion, pump and profile g.
    Illustrative values (not fitted to a published spark frequency).

    **Example:** `simulate_spatial(StochasticCluster(key=jax.random.key(0)), 0.2, dt=2e-5).events.open_time`
    """

    name: ClassVar[str] = "stochastic-cluster"
    fields: ClassVar[tuple[str, ...]] = ("c",)
    citation: ClassVar[str] = (
        "stochastic RyR cluster (illustrative); review: Cheng H, Lederer WJ (2008) Physiol Rev 88:1491"
    )

    key: PRNGKeyArray
    site: SparkSite = eqx.field(default_factory=lambda: SparkSite(flux=0.0))
    n_channels: Array = param(20.0, "1", "channels in the cluster", "positive")
    unitary: Array = param(400.0, "µM·µm/s", "release of one open channel at full junctional SR", "nonnegative")
    k_open: Array = param(2000.0, "1/s", "maximal opening rate of a channel", "nonnegative")
    K_open: Array = param(2.0, "µM", "site Ca for half-maximal opening", "positive")
    n_hill: Array = param(2.0, "1", "Hill coefficient of Ca-dependent opening", "nonnegative")
    k_close: Array = param(200.0, "1/s", "closing rate of an open channel", "nonnegative")
    jsr0: Array = param(1000.0, "µM", "full junctional SR Ca", "positive")
    jsr_length: Array = param(0.1, "µm", "junctional SR volume per cross-section", "positive")
    tau_refill: Array = param(0.1, "s", "junctional SR refilling time", "positive")

    @property
    def grid(self) -> Grid:
        return self.site.grid

    def diffusion(self) -> Array:
        return self.site.diffusion()

    def release(self, events: ClusterState) -> Array:
        """Ca released by the open channels (µM·µm/s)."""
        return self.unitary * events.n_open * events.jsr / self.jsr0

    def reaction(self, t, y, events) -> Array:
        return (self.release(events) * self.site.profile() - self.site.removal(y[0]))[None]

    def initial_state(self) -> Array:
        return self.site.initial_state()

    def initial_events(self) -> ClusterState:
        zero = jnp.zeros_like(self.jsr0)
        return ClusterState(self.key, zero, self.jsr0 + zero, zero, zero)

    def update_events(self, t, y, events: ClusterState) -> ClusterState:
        dt = t - events.t
        c_site = jnp.sum(self.site.profile() * y[0]) * self.grid.dx
        rate_open = self.k_open * hill(c_site, self.K_open, self.n_hill) * events.jsr / self.jsr0
        key, k_open, k_close = jax.random.split(events.key, 3)
        n = events.n_open
        opened = jax.random.binomial(k_open, self.n_channels - n, -jnp.expm1(-rate_open * dt))
        closed = jax.random.binomial(k_close, n, -jnp.expm1(-self.k_close * dt))
        jsr = events.jsr + dt * (-self.release(events) / self.jsr_length + (self.jsr0 - events.jsr) / self.tau_refill)
        return ClusterState(key, n + opened - closed, jsr, events.open_time + n * dt, t)
