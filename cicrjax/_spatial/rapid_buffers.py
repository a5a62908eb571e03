"""The rapid-buffer approximation (Wagner & Keizer 1994): buffers in equilibrium with Ca, carried in total Ca."""

from typing import ClassVar

import equinox as eqx
import jax
from jaxtyping import Array

from .._fluxes import RapidBuffer
from .._parameters import array_field
from .grid import Grid
from .model import AbstractSpatialModel

NEWTON_STEPS = 30


class RapidMobileBuffer(eqx.Module):
    """A [`cicrjax.RapidBuffer`][] (B_total µM, K_d µM) that diffuses with coefficient `D` (µm²/s; 0: stationary).

    **Example:** `RapidMobileBuffer(RapidBuffer(50.0, 0.345), 20.0)` is Fluo-4 at 50 µM in rapid equilibrium.
    """

    buffer: RapidBuffer
    D: Array = array_field()


class WithRapidBuffers(AbstractSpatialModel):
    r"""A spatial model whose first field, Ca, is buffered in rapid equilibrium (Wagner & Keizer 1994, Biophys J
    67:447-456).

    The state's first field is total Ca T = c + Σ_b B_b c/(K_b + c) (µM, named `c_total`), so transport conserves it
    exactly: ∂T/∂t = ∂²(D_c c + Σ_b D_b B_b c/(K_b + c))/∂x² + J(c, …), with free Ca c recovered from T by Newton's
    method and J the wrapped model's fluxes. In the linear range (c ≪ K_b) Ca spreads with
    D_eff = (D_c + Σ D_b B_b/K_b)/(1 + Σ B_b/K_b). `calcium(y)` gives free Ca; wave metrics use it.

    **Example:** `WithRapidBuffers(AtriWave(), (RapidMobileBuffer(RapidBuffer(100.0, 10.0), 0.0),))`
    """

    name: ClassVar[str] = "rapid-buffered"
    citation: ClassVar[str] = "Wagner J, Keizer J (1994) Biophys J 67:447-456"
    model: AbstractSpatialModel
    buffers: tuple[RapidMobileBuffer, ...]

    @property
    def fields(self) -> tuple[str, ...]:
        return ("c_total", *self.model.fields[1:])

    @property
    def grid(self) -> Grid:
        return self.model.grid

    def diffusion(self) -> Array:
        return self.model.diffusion()

    def total(self, c: Array) -> Array:
        """Total Ca (µM) at free Ca `c` (µM)."""
        return c + sum(b.buffer.bound(c) for b in self.buffers)

    def free(self, total: Array) -> Array:
        """Free Ca (µM) from total Ca (µM): Newton from below, monotone because T(c) is increasing and concave."""
        start = total / (1.0 + sum(b.buffer.B_total / b.buffer.K_d for b in self.buffers))

        def newton(_, c):
            slope = 1.0 + sum(b.buffer.capacity(c) for b in self.buffers)
            return c - (self.total(c) - total) / slope

        return jax.lax.fori_loop(0, NEWTON_STEPS, newton, start)

    def calcium(self, y: Array) -> Array:
        return self.free(y[0])

    def _inner(self, y: Array) -> Array:
        return y.at[0].set(self.free(y[0]))

    def transport(self, y: Array) -> tuple[Array, Array]:
        inner = self._inner(y)
        phi, slope = self.model.transport(inner)
        c = inner[0]
        d_c = self.model.diffusion()[0]
        kappa = sum(b.buffer.capacity(c) for b in self.buffers)
        phi0 = d_c * c + sum(b.D * b.buffer.bound(c) for b in self.buffers)
        slope0 = (d_c + sum(b.D * b.buffer.capacity(c) for b in self.buffers)) / (1.0 + kappa)
        return phi.at[0].set(phi0), slope.at[0].set(slope0)

    def reaction(self, t, y, events) -> Array:
        return self.model.reaction(t, self._inner(y), events)

    def initial_state(self) -> Array:
        y = self.model.initial_state()
        return y.at[0].set(self.total(y[0]))

    def initial_events(self):
        return self.model.initial_events()

    def update_events(self, t, y, events):
        return self.model.update_events(t, self._inner(y), events)
