"""Mobile and stationary Ca buffers with explicit binding kinetics, added to any spatial model; an indicator dye is
one more mobile buffer."""

from typing import ClassVar

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array

from .._fluxes import BufferBinding
from .._observation.indicator import AbstractIndicator
from .._parameters import array_field
from .grid import Grid
from .model import AbstractSpatialModel


class Buffer(eqx.Module):
    """A Ca buffer that diffuses with coefficient `D` (µm²/s; 0 for a stationary buffer).

    **Arguments:** `kinetics`, a [`cicrjax.BufferBinding`][] (B_total µM, k_on µM⁻¹s⁻¹, k_off s⁻¹) or an
    indicator such as [`cicrjax.Fluo4`][] (its k_on, k_off and total dye); `D` (µm²/s).

    **Example:** `Buffer(Fluo4(), 20.0)` is Fluo-4 as a mobile buffer.
    """

    kinetics: BufferBinding | AbstractIndicator
    D: Array = array_field()

    def rate(self, c: Array, bound: Array) -> Array:
        """Net binding (µM/s) at free Ca `c` and bound Ca `bound` (µM)."""
        if isinstance(self.kinetics, AbstractIndicator):
            return self.kinetics.binding_rate(c, bound)
        return self.kinetics(c, bound)

    def equilibrium(self, c: Array) -> Array:
        """Bound Ca (µM) in equilibrium with free Ca `c` (µM)."""
        if isinstance(self.kinetics, AbstractIndicator):
            return self.kinetics.total * self.kinetics.fraction_bound(c)
        k = self.kinetics
        return k.B_total * k.k_on * c / (k.k_on * c + k.k_off)


class WithBuffers(AbstractSpatialModel):
    """A spatial model with buffers: one more field per buffer (its bound Ca, µM), which diffuses with the buffer.

    dc/dt gains −Σ_b rate_b(c, b) and each bound field gains +rate_b; bound Ca starts in equilibrium with the
    model's initial c. Total Ca, c + Σ_b b, is conserved by binding. Binding is explicit in the IMEX scheme, so dt
    must stay below about 1/(k_on B_total + k_off); fast buffers belong in [`cicrjax.WithRapidBuffers`][].

    **Example:** `WithBuffers(AtriWave(), (Buffer(Fluo4(), 20.0),))`
    """

    name: ClassVar[str] = "buffered"
    citation: ClassVar[str] = "explicit buffer kinetics (Wagner & Keizer 1994 form)"
    model: AbstractSpatialModel
    buffers: tuple[Buffer, ...]

    @property
    def fields(self) -> tuple[str, ...]:
        return (*self.model.fields, *(f"bound{i}" for i in range(len(self.buffers))))

    @property
    def grid(self) -> Grid:
        return self.model.grid

    def diffusion(self) -> Array:
        return jnp.concatenate([self.model.diffusion(), jnp.stack([b.D for b in self.buffers])])

    def reaction(self, t, y, events) -> Array:
        k = len(self.model.fields)
        c, bound = y[0], y[k:]
        rates = jnp.stack([b.rate(c, bound[i]) for i, b in enumerate(self.buffers)])
        inner = self.model.reaction(t, y[:k], events)
        return jnp.concatenate([inner.at[0].add(-jnp.sum(rates, axis=0)), rates])

    def initial_state(self) -> Array:
        inner = self.model.initial_state()
        return jnp.concatenate([inner, jnp.stack([b.equilibrium(inner[0]) for b in self.buffers])])

    def initial_events(self):
        return self.model.initial_events()

    def update_events(self, t, y, events):
        return self.model.update_events(t, y[: len(self.model.fields)], events)
