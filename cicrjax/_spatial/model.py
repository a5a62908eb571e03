"""The abstract interface of a spatial (reaction–diffusion) CICR model on a 1-D grid."""

import abc
from typing import ClassVar

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array

from .._custom_types import Scalar
from .._errors import InputError
from .._parameters import ParameterInfo, parameter_info
from .grid import Grid


class AbstractSpatialModel(eqx.Module):
    """A reaction–diffusion model: named fields on a [`cicrjax.Grid`][], each diffusing and reacting.

    ∂u_k/∂t = ∂²φ_k(u)/∂x² + R_k(t, u), with the transport potential φ_k = D_k u_k unless a model overrides
    `transport` (the rapid-buffer approximation does). Subclasses are final, declare `name`, `fields` (cytosolic Ca
    first), `citation`, parameters with [`cicrjax.param`][] and a `grid` field, and implement `diffusion`,
    `reaction` and `initial_state`. Threshold release sites keep discrete memory (fire times) in `events`, which
    `update_events` changes after every time step; smooth models leave it `None`.
    The state `y` has shape (fields, cells); time in s, concentrations in µM, space in µm.
    """

    name: ClassVar[str]
    fields: ClassVar[tuple[str, ...]]
    citation: ClassVar[str]
    grid: eqx.AbstractVar[Grid]

    @abc.abstractmethod
    def diffusion(self) -> Array:
        """Diffusion coefficient of each field (µm²/s), shape (fields,); 0 for a field that does not move."""

    @abc.abstractmethod
    def reaction(self, t: Scalar, y: Array, events) -> Array:
        """Local rates dy/dt without transport (field units per s), shape (fields, cells)."""

    @abc.abstractmethod
    def initial_state(self) -> Array:
        """The default initial state, shape (fields, cells)."""

    def calcium(self, y: Array) -> Array:
        """Free cytosolic Ca (µM) in each cell: the first field unless the model stores something else there."""
        return y[0]

    def transport(self, y: Array) -> tuple[Array, Array]:
        """Transport potential φ(y) (µM·µm²/s) whose Laplacian moves each field, and its slope ∂φ_k/∂u_k."""
        d = jnp.broadcast_to(self.diffusion()[:, None], y.shape)
        return d * y, d

    def initial_events(self):
        """Discrete memory of threshold release sites at t = 0 (`None` for smooth models)."""
        return None

    def update_events(self, t: Scalar, y: Array, events):
        """The discrete memory after a step that ended at time `t` with state `y` (unchanged by default)."""
        return events

    def vector_field(self, t: Scalar, y: Array, args) -> Array:
        """diffrax-style method-of-lines right-hand side, for models without events (`args` unused)."""
        return self.grid.laplacian(self.transport(y)[0]) + self.reaction(t, y, None)

    @classmethod
    def parameters(cls) -> tuple[ParameterInfo, ...]:
        """Name, unit, description, constraint and default of every parameter."""
        return parameter_info(cls)

    def field_index(self, field: str) -> int:
        """Position of a named field in `y`; raises `InputError` naming the valid fields."""
        if field not in self.fields:
            raise InputError(f"model {self.name!r} has no field {field!r}; its fields are {', '.join(self.fields)}")
        return self.fields.index(field)
