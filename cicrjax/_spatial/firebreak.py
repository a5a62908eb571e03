"""A mitochondrial firebreak: a band of uniporter uptake across the path of an Atri wave."""

from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array

from .._fluxes import UniporterUptake
from .._parameters import param
from .atri import AtriWave
from .grid import Grid
from .metrics import front_positions, reached
from .model import AbstractSpatialModel
from .simulate import simulate_spatial


class Firebreak(AbstractSpatialModel):
    """An [`cicrjax.AtriWave`][] whose cytosol loses Ca to mitochondria in a band, J_in = k_in cⁿ/(Kⁿ + cⁿ).

    The uptake is the [`cicrjax.UniporterUptake`][] of Marhl et al. 2000 (BioSystems 57:75-86; K = 0.8 µM) at a
    capacity `k_in` (µM/s) inside [`band_start`, `band_start` + `band_width`] µm, with Hill coefficient n = 2:
    Marhl's n = 8 takes up almost nothing at the 0.5 µM front, and cannot stop the wave. Mitochondrial Ca is not
    returned within the run. Enough capacity stops the wave: see [`cicrjax.firebreak_capacity`][].

    **Example:** `simulate_spatial(Firebreak(k_in=10.0), 40.0)`
    """

    name: ClassVar[str] = "firebreak"
    fields: ClassVar[tuple[str, ...]] = AtriWave.fields
    citation: ClassVar[str] = AtriWave.citation + "; Marhl M et al. (2000) BioSystems 57:75-86"

    wave: AtriWave = eqx.field(default_factory=AtriWave)
    k_in: Array = param(10.0, "µM/s", "uniporter uptake capacity in the band", "nonnegative")
    K: Array = param(0.8, "µM", "uniporter half-activation Ca")
    n: Array = param(2.0, "1", "uniporter Hill coefficient")
    band_start: Array = param(150.0, "µm", "start of the mitochondrial band", "nonnegative")
    band_width: Array = param(20.0, "µm", "width of the mitochondrial band")

    @property
    def grid(self) -> Grid:
        return self.wave.grid

    def diffusion(self) -> Array:
        return self.wave.diffusion()

    def band(self) -> Array:
        """1 in the cells of the band, else 0."""
        x = self.grid.x
        return jnp.where((x >= self.band_start) & (x < self.band_start + self.band_width), 1.0, 0.0)

    def reaction(self, t, y, events) -> Array:
        uptake = self.band() * UniporterUptake(self.k_in, self.K, self.n)(y[0])
        return self.wave.reaction(t, y, events).at[0].add(-uptake)

    def initial_state(self) -> Array:
        return self.wave.initial_state()

    def beyond(self) -> Array:
        """The position (µm) the front must reach for the wave to count as not blocked: 20 µm past the band."""
        return self.band_start + self.band_width + 20.0


def firebreak_blocks(model: Firebreak, t_end: float, *, dt: float = 0.01) -> Array:
    """Whether the band stops the wave within `t_end` (s): the front (0.5 µM) never passes `model.beyond()`."""
    sol = simulate_spatial(model, t_end, dt=dt, save_dt=min(0.5, t_end / 10))
    return ~reached(front_positions(sol.x, sol["c"]), model.beyond())


def firebreak_capacity(
    model: Firebreak, t_end: float, *, k_max: float = 100.0, rounds: int = 3, n: int = 8, dt: float = 0.01
) -> Array:
    """The least uptake capacity k_in (µM/s) that blocks the wave, to within k_max/(n−1)^rounds.

    Each round simulates `n` capacities in one vmapped call and narrows the bracket [largest passing, least
    blocking]; returns the upper end (NaN if even `k_max` does not block).

    **Example:** `firebreak_capacity(Firebreak(), 40.0)`
    """

    def blocks(k):
        return firebreak_blocks(eqx.tree_at(lambda m: m.k_in, model, k), t_end, dt=dt)

    lo, hi = jnp.zeros(()), jnp.asarray(float(k_max))
    for i in range(rounds):
        ks = jnp.linspace(lo, hi, n)
        blocked = jax.vmap(blocks)(ks)
        if i == 0 and not bool(blocked[-1]):
            return jnp.asarray(jnp.nan)
        first = jnp.argmax(blocked)
        lo, hi = ks[jnp.maximum(first - 1, 0)], ks[first]
    return hi
