"""The interface of excitation–contraction coupling models: voltage and extracellular Ca, trigger and release."""

import abc
from typing import ClassVar

import diffrax
from equinox import AbstractVar
from jaxtyping import Array

from ._custom_types import Scalar, State
from ._model import AbstractModel


class AbstractMuscleModel(AbstractModel):
    """A muscle Ca model driven by membrane voltage `V` (mV) and extracellular Ca `Ca_o` (µM), both parameters.

    Besides `derivative`, it reports the SR release flux, the sarcolemmal trigger flux and the SR content,
    all per cytosolic volume, so that gain (release per trigger) is defined for every such model.
    `ryr_sensitivity` names the parameter that sets RyR Ca sensitivity (`None` where release is not Ca-gated).
    """

    V: AbstractVar[Array]
    Ca_o: AbstractVar[Array]
    ryr_sensitivity: ClassVar[str | None]

    @abc.abstractmethod
    def release_flux(self, y: State) -> Scalar:
        """SR Ca release through RyRs into the cytosol (µM/s per cytosolic volume) at state `y`."""

    @abc.abstractmethod
    def trigger_flux(self, y: State) -> Scalar:
        """Ca entry through the L-type (DHPR) channels (µM/s per cytosolic volume) at state `y`."""

    @abc.abstractmethod
    def sr_calcium(self, y: State) -> Scalar:
        """Total SR Ca, free and bound (µM per cytosolic volume), at state `y`."""


def muscle_solver() -> diffrax.AbstractSolver:
    """Kvaerno5 with a very loose chord Newton solve in relative terms but a tight absolute one.

    Muscle models mix µM-scale concentrations with gating fractions near 1e-7, so the Newton tolerance needs a
    tiny `atol` (gates converge) and may take a loose `rtol` (the step-size controller enforces accuracy):
    VeryChord(rtol=1e-2, atol=1e-12) takes about 2.5× fewer steps than rtol=1e-3 on a paced cardiac beat, with
    the same transient to 1e-6 µM and finite-difference-consistent gradients.

    **Example:** `simulate(Cardiac(), ts, protocol=paced(1.0, count=1), solver=muscle_solver())`
    """
    return diffrax.Kvaerno5(root_finder=diffrax.VeryChord(rtol=1e-2, atol=1e-12))
