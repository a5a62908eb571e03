"""A dendrite: a 1-D cytosol over a continuous ER with RyR and IP3R clusters, and a brief synaptic Ca influx."""

from typing import ClassVar

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array

from .._fluxes import CaActivatedRelease, HillPump, LinearExtrusion, LiRinzelIP3R
from .._parameters import param
from .grid import Grid
from .model import AbstractSpatialModel
from .simulate import simulate_spatial
from .sites import site_density


class Dendrite(AbstractSpatialModel):
    r"""A dendritic segment: cytosolic Ca c over ER Ca s, with smooth RyR and IP3R clusters every `d` µm.

    $$\partial_t c = D_c \partial_x^2 c + J_{RyR} + J_{IP3R} + J_{leak} - J_{SERCA} - k_{pm}(c - c_0) + J_{syn},\qquad
      \partial_t s = D_{ER} \partial_x^2 s - (J_{RyR} + J_{IP3R} + J_{leak} - J_{SERCA})/\rho$$

    At the clusters (n_s sites per µm): J_RyR = k_rel n_s [`cicrjax.CaActivatedRelease`][](c, s) (Hill activation
    and inactivation by cytosolic Ca, times s − c) and J_IP3R = k_ip3r n_s P_open (s − c) with the Li–Rinzel 1994
    [`cicrjax.LiRinzelIP3R`][] (its gate h is the third field; P_open = 0 at `ip3` = 0, the default). J_SERCA is a
    [`cicrjax.HillPump`][], k_pm c a [`cicrjax.LinearExtrusion`][]; the leak k(x)(s − c) is set so that
    (c_0, s_0, h_∞(c_0)) is the exact rest state. J_syn brings `synapse_amount` µM·µm of Ca into the cell at
    `synapse_x` for `synapse_duration` s from `synapse_start`. Illustrative values (no single published set).

    **Example:** `dendrite_amplification(Dendrite(), 2.0)` is > 1.
    """

    name: ClassVar[str] = "dendrite"
    fields: ClassVar[tuple[str, ...]] = ("c", "s", "h")
    citation: ClassVar[str] = "illustrative dendrite with RyR/IP3R CICR; IP3R of Li YX, Rinzel J (1994) J Theor Biol"

    grid: Grid = Grid(100, 1.0)
    D_c: Array = param(20.0, "µm²/s", "cytosolic Ca diffusion coefficient (buffered)", "nonnegative")
    D_er: Array = param(0.0, "µm²/s", "ER luminal Ca diffusion coefficient", "nonnegative")
    c0: Array = param(0.05, "µM", "rest cytosolic Ca")
    s0: Array = param(200.0, "µM", "rest ER Ca")
    rho: Array = param(0.1, "1", "ER volume over cytosol volume")
    d: Array = param(2.0, "µm", "release-cluster spacing")
    k_rel: Array = param(1.0, "µm/s", "RyR release rate constant per cluster", "nonnegative")
    K_act: Array = param(0.8, "µM", "cytosolic Ca for half activation of RyR release")
    n_act: Array = param(3.0, "1", "Hill coefficient of RyR activation")
    K_inact: Array = param(3.0, "µM", "cytosolic Ca for half inactivation of RyR release")
    n_inact: Array = param(2.0, "1", "Hill coefficient of RyR inactivation")
    k_ip3r: Array = param(2.0, "µm/s", "IP3R release rate constant per cluster", "nonnegative")
    ip3: Array = param(0.0, "µM", "IP3 concentration", "nonnegative")
    # Li & Rinzel 1994 constants (MODELS.md §2): a2 µM⁻¹s⁻¹, d1, d2, d3, d5 µM.
    a2: Array = param(0.2, "1/(µM·s)", "IP3R inactivation on-rate")
    d1: Array = param(0.13, "µM", "IP3R IP3 dissociation constant")
    d2: Array = param(1.049, "µM", "IP3R inactivation dissociation constant")
    d3: Array = param(0.9434, "µM", "IP3R IP3 dissociation constant (inactivated)")
    d5: Array = param(0.08234, "µM", "IP3R activation dissociation constant")
    v_serca: Array = param(20.0, "µM/s", "maximal SERCA rate")
    K_serca: Array = param(0.2, "µM", "SERCA half-activation Ca")
    k_pm: Array = param(20.0, "1/s", "plasma-membrane extrusion rate")
    synapse_x: Array = param(50.0, "µm", "synapse position", "nonnegative")
    synapse_amount: Array = param(10.0, "µM·µm", "Ca entering at the synapse", "nonnegative")
    synapse_start: Array = param(0.0, "s", "start of the synaptic influx", "nonnegative")
    synapse_duration: Array = param(0.005, "s", "duration of the synaptic influx")

    def diffusion(self) -> Array:
        return jnp.stack([self.D_c, self.D_er, jnp.zeros_like(self.D_c)])

    def ip3r(self) -> LiRinzelIP3R:
        """The IP3 receptor of the clusters."""
        return LiRinzelIP3R(self.a2, self.d1, self.d2, self.d3, self.d5)

    def h_rest(self) -> Array:
        """The IP3R gate at rest, Q2/(Q2 + c_0)."""
        q2 = self.ip3r().q2(self.ip3)
        return q2 / (q2 + self.c0)

    def _release(self, c, s, h):
        """RyR plus IP3R release (µM/s) at the clusters."""
        ryr = CaActivatedRelease(1.0, self.K_act, self.n_act, K_inact=self.K_inact, n_inact=self.n_inact, gradient=True)
        p_open = self.ip3r().open_probability(c, self.ip3, h)
        sites = site_density(self.grid, self.d, 0.5 * self.d)
        return sites * (self.k_rel * ryr(c, s) + self.k_ip3r * p_open * (s - c))

    def reaction(self, t, y, events) -> Array:
        c, s, h = y
        serca = HillPump(self.v_serca, self.K_serca, 2.0)
        leak_rate = (serca(self.c0) - self._release(self.c0, self.s0, self.h_rest())) / (self.s0 - self.c0)
        pm = LinearExtrusion(self.k_pm)
        cell = jnp.floor(self.synapse_x / self.grid.dx) == jnp.arange(self.grid.n, dtype=float)
        window = (t >= self.synapse_start - 1e-9) & (t < self.synapse_start + self.synapse_duration - 1e-9)
        synapse = jnp.where(cell & window, self.synapse_amount / (self.synapse_duration * self.grid.dx), 0.0)
        er = self._release(c, s, h) + leak_rate * (s - c) - serca(c)
        dh = self.ip3r().dh(c, self.ip3, h)
        return jnp.stack([er - (pm(c) - pm(self.c0)) + synapse, -er / self.rho, dh])

    def initial_state(self) -> Array:
        return jnp.stack([jnp.full((self.grid.n,), v) for v in (self.c0, self.s0, self.h_rest())])


def dendrite_amplification(model: Dendrite, t_end: float, *, dt: float = 1e-3) -> Array:
    """Integrated cytosolic Ca above rest, ∫∫(c − c_0) dx dt over [0, `t_end`] s, with ER release over the same
    with release blocked (k_rel = k_ip3r = 0): 1 means no amplification.

    **Example:** `dendrite_amplification(Dendrite(), 1.0)`
    """

    def integral(m):
        sol = simulate_spatial(m, t_end, dt=dt, save_dt=dt)
        return jnp.sum(sol["c"][1:] - m.c0) * (dt * m.grid.dx)

    blocked = eqx.tree_at(lambda m: (m.k_rel, m.k_ip3r), model, (0.0 * model.k_rel, 0.0 * model.k_ip3r))
    return integral(model) / integral(blocked)
