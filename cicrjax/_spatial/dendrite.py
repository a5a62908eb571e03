"""A dendrite: a 1-D cytosol over a continuous ER with RyR clusters, and a brief synaptic Ca influx at one site."""

from typing import ClassVar

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array

from .._fluxes import CaActivatedRelease, HillPump, LinearExtrusion
from .._parameters import param
from .grid import Grid
from .model import AbstractSpatialModel
from .simulate import simulate_spatial
from .sites import site_density


class Dendrite(AbstractSpatialModel):
    r"""A dendritic segment: cytosolic Ca c over ER Ca s, with smooth RyR clusters every `d` µm.

    $$\partial_t c = D_c \partial_x^2 c + J_{rel} + J_{leak} - J_{SERCA} - k_{pm}(c - c_0) + J_{syn},\qquad
      \partial_t s = D_{ER} \partial_x^2 s - (J_{rel} + J_{leak} - J_{SERCA})/\rho$$

    J_rel = k_rel·(sites per µm)·[`cicrjax.CaActivatedRelease`][](c, s) (Hill activation and inactivation by
    cytosolic Ca, times s − c), J_SERCA a [`cicrjax.HillPump`][], k_pm c a [`cicrjax.LinearExtrusion`][]; the
    leak k(x)(s − c) is set so that (c_0, s_0) is the exact rest state. J_syn brings `synapse_amount` µM·µm of Ca
    into the cell at `synapse_x` for `synapse_duration` s from `synapse_start`. Illustrative values (no single source).

    **Example:** `dendrite_amplification(Dendrite(), 2.0)` is > 1.
    """

    name: ClassVar[str] = "dendrite"
    fields: ClassVar[tuple[str, ...]] = ("c", "s")
    citation: ClassVar[str] = "illustrative dendrite with RyR-type CICR (no single published parameter set)"

    grid: Grid = Grid(100, 1.0)
    D_c: Array = param(20.0, "µm²/s", "cytosolic Ca diffusion coefficient (buffered)", "nonnegative")
    D_er: Array = param(0.0, "µm²/s", "ER luminal Ca diffusion coefficient", "nonnegative")
    c0: Array = param(0.05, "µM", "rest cytosolic Ca")
    s0: Array = param(200.0, "µM", "rest ER Ca")
    rho: Array = param(0.1, "1", "ER volume over cytosol volume")
    d: Array = param(2.0, "µm", "RyR cluster spacing")
    k_rel: Array = param(1.0, "µm/s", "release rate constant per cluster", "nonnegative")
    K_act: Array = param(0.8, "µM", "cytosolic Ca for half activation of release")
    n_act: Array = param(3.0, "1", "Hill coefficient of activation")
    K_inact: Array = param(3.0, "µM", "cytosolic Ca for half inactivation of release")
    n_inact: Array = param(2.0, "1", "Hill coefficient of inactivation")
    v_serca: Array = param(20.0, "µM/s", "maximal SERCA rate")
    K_serca: Array = param(0.2, "µM", "SERCA half-activation Ca")
    k_pm: Array = param(20.0, "1/s", "plasma-membrane extrusion rate")
    synapse_x: Array = param(50.0, "µm", "synapse position", "nonnegative")
    synapse_amount: Array = param(10.0, "µM·µm", "Ca entering at the synapse", "nonnegative")
    synapse_start: Array = param(0.0, "s", "start of the synaptic influx", "nonnegative")
    synapse_duration: Array = param(0.005, "s", "duration of the synaptic influx")

    def diffusion(self) -> Array:
        return jnp.stack([self.D_c, self.D_er])

    def _fluxes(self, c, s):
        ryr = CaActivatedRelease(1.0, self.K_act, self.n_act, K_inact=self.K_inact, n_inact=self.n_inact, gradient=True)
        release = self.k_rel * site_density(self.grid, self.d, 0.5 * self.d) * ryr(c, s)
        serca = HillPump(self.v_serca, self.K_serca, 2.0)
        leak_rate = (
            serca(self.c0) - self.k_rel * site_density(self.grid, self.d, 0.5 * self.d) * ryr(self.c0, self.s0)
        ) / (self.s0 - self.c0)
        return release, leak_rate * (s - c), serca(c)

    def reaction(self, t, y, events) -> Array:
        c, s = y
        release, leak, serca = self._fluxes(c, s)
        pm = LinearExtrusion(self.k_pm)
        cell = jnp.floor(self.synapse_x / self.grid.dx) == jnp.arange(self.grid.n, dtype=float)
        synapse = jnp.where(
            cell & (t >= self.synapse_start - 1e-9) & (t < self.synapse_start + self.synapse_duration - 1e-9),
            self.synapse_amount / (self.synapse_duration * self.grid.dx),
            0.0,
        )
        er = release + leak - serca
        return jnp.stack([er - (pm(c) - pm(self.c0)) + synapse, -er / self.rho])

    def initial_state(self) -> Array:
        return jnp.stack([jnp.full((self.grid.n,), self.c0), jnp.full((self.grid.n,), self.s0)])


def dendrite_amplification(model: Dendrite, t_end: float, *, dt: float = 1e-3) -> Array:
    """Integrated cytosolic Ca above rest, ∫∫(c − c_0) dx dt over [0, `t_end`] s, with ER release over the same
    with release blocked (k_rel = 0): 1 means no amplification.

    **Example:** `dendrite_amplification(Dendrite(), 1.0)`
    """

    def integral(m):
        sol = simulate_spatial(m, t_end, dt=dt, save_dt=dt)
        return jnp.sum(sol["c"][1:] - m.c0) * (dt * m.grid.dx)

    blocked = eqx.tree_at(lambda m: m.k_rel, model, jnp.zeros_like(model.k_rel))
    return integral(model) / integral(blocked)
