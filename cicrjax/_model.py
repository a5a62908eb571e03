"""The abstract interface that every cicrjax model implements."""

import abc
from typing import ClassVar

import diffrax
import equinox as eqx
import jax.numpy as jnp

from ._custom_types import Scalar, State
from ._errors import InputError
from ._parameters import ParameterInfo, parameter_info


class AbstractModel(eqx.Module):
    """A well-mixed CICR model: named states, parameters as array fields, and `vector_field(t, y, args)`.

    Subclasses are final, declare `name` (the CLI name), `states` (cytosolic Ca first where the model has it),
    `citation`, parameters with [`cicrjax.param`][], `default_free` (the parameters a fit frees when none are
    named: release, uptake and stimulus, or for muscle RyR Ca sensitivity, maximal release, SERCA V_max and K_m),
    and implement `derivative` and `initial_state`.
    The state `y` is a 1-D array ordered as `states`; time is in s, concentrations in µM, voltage in mV.
    """

    name: ClassVar[str]
    states: ClassVar[tuple[str, ...]]
    citation: ClassVar[str]
    default_free: ClassVar[tuple[str, ...]] = ()  # parameters `cicrjax fit` frees without --free
    time_unit: ClassVar[str] = "s"  # unit of t; built-in models are in s, an SBML model keeps its file's unit

    @abc.abstractmethod
    def derivative(self, t: Scalar, y: State) -> State:
        """Time derivative dy/dt (state units per s) with this model's parameter values."""

    @abc.abstractmethod
    def initial_state(self) -> State:
        """The published initial state, ordered as `states`."""

    def default_solver(self) -> diffrax.AbstractSolver:
        """The diffrax solver that suits this model's stiffness (explicit Tsit5 unless a model overrides it); what
        [`cicrjax.simulate`][] uses when no `solver` is given."""
        return diffrax.Tsit5()

    def gradient_solver(self) -> diffrax.AbstractSolver:
        """The solver for derivatives of a simulation: what a fit (`fitting.define_problem`) and local sensitivities
        use when no `solver` is given; `default_solver()` unless a model whose fastest solver differentiates slowly
        overrides it (the Shannon cardiac sets: Rodas4 to simulate, Ros34PW2 to differentiate)."""
        return self.default_solver()

    def fit_rtol(self) -> float:
        """The solver's relative tolerance in a fit (`fitting.define_problem`'s and `cicrjax fit`'s default; the
        absolute one is rtol/1000 in µM): 1e-6 unless a model whose fits are dominated by its solves overrides it."""
        return 1e-6

    def free_calcium_fraction(self, y: State) -> Scalar:
        """Fraction of a net Ca flux into the cytosol that stays free, d[Ca]/dJ (1 unless cytosolic Ca, `states[0]`,
        carries a rapid-buffering factor 1/(1 + Σκ), which such a model returns here); used by `WithIndicator`."""
        return jnp.ones((), y.dtype)

    def vector_field(self, t: Scalar, y: State, args) -> State:
        """diffrax-style vector field; `args` is `None` or a [`cicrjax.Protocol`][] that drives parameters in time."""
        model = self if args is None else args.apply(self, t)
        return model.derivative(t, y)

    @classmethod
    def parameters(cls) -> tuple[ParameterInfo, ...]:
        """Name, unit, description, constraint and default of every parameter."""
        return parameter_info(cls)

    def state_index(self, state: str) -> int:
        """Position of a named state in `y`; raises `InputError` naming the valid states."""
        if state not in self.states:
            raise InputError(f"model {self.name!r} has no state {state!r}; its states are {', '.join(self.states)}")
        return self.states.index(state)
