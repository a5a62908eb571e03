"""The interface of excitation–contraction coupling models: voltage and extracellular Ca, trigger and release."""

import abc
from typing import ClassVar

import diffrax
from equinox import AbstractVar
from jaxtyping import Array

from ._custom_types import Scalar, State
from ._model import AbstractModel
from ._rosenbrock import Ros34PW2


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


def muscle_solver() -> diffrax.AbstractSolver:
    """The Rosenbrock–W solver [`cicrjax.Ros34PW2`][]: `cardiac`'s default (`hinch2004` and `skeletal` use Rodas4).

    Muscle models are stiff (cleft diffusion ~5·10⁴ s⁻¹, RyR1 gating at 10⁶ s⁻¹). Measured on one paced cardiac
    beat at rtol 1e-6 (`python -m benchmarks.beat_timing --gradients`, one process, load 7–9 on 2 cores):
    simulation 52 ms (Ros34PW2), 36 ms (Rodas4), 79 ms (Kvaerno5 + Newton); value and forward-mode gradient for
    five parameters 215, 274 and 130 ms; compilation of the simulation 9–23, 35–67 and 11–33 s. Kvaerno5's
    gradients with respect to protocol edge times (pacing, clamp steps) are off by 5.5% (tests/test_protocol.py),
    the Rosenbrock solvers' are exact; Ros34PW2 holds its Jacobian out of differentiation, so its forward-mode
    gradients cost no second derivatives, and it compiles fastest.

    **Example:** `simulate(Cardiac(), ts, protocol=paced(1.0, count=1), solver=muscle_solver())`
    """
    return Ros34PW2()
