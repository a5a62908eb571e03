"""The interface of excitation–contraction coupling models: voltage and extracellular Ca, trigger and release."""

import abc
from typing import ClassVar

from equinox import AbstractVar
from jaxtyping import Array

from ._custom_types import Scalar, State
from ._model import AbstractModel


class AbstractMuscleModel(AbstractModel):
    """A muscle Ca model driven by membrane voltage `V` (mV) and extracellular Ca `Ca_o` (µM), both parameters.

    Besides `derivative`, it reports the SR release flux, the sarcolemmal trigger flux and the SR content,
    all per cytosolic volume, so that gain (release per trigger) is defined for every such model.
    `ryr_sensitivity` names the parameter that sets RyR Ca sensitivity (`None` where release is not Ca-gated);
    `action_potential` the waveform keywords [`cicrjax.pace`][] gives [`cicrjax.paced`][] for this model.
    """

    V: AbstractVar[Array]
    Ca_o: AbstractVar[Array]
    ryr_sensitivity: ClassVar[str | None]
    # Keywords of `paced` for the species' own action potential when `pace` drives the model (none: its default).
    action_potential: ClassVar[tuple[tuple[str, float], ...]] = ()

    @abc.abstractmethod
    def release_flux(self, y: State) -> Scalar:
        """SR Ca release through RyRs into the cytosol (µM/s per cytosolic volume) at state `y`."""

    @abc.abstractmethod
    def trigger_flux(self, y: State) -> Scalar:
        """Ca entry through the L-type (DHPR) channels (µM/s per cytosolic volume) at state `y`."""

    @abc.abstractmethod
    def sr_calcium(self, y: State) -> Scalar:
        """Total SR Ca, free and bound (µM per cytosolic volume), at state `y`."""

