"""The interface of excitation–contraction coupling models: voltage and extracellular Ca, trigger and release."""

import abc
from typing import ClassVar

import diffrax
import optimistix as optx
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
    """Kvaerno5, Newton solves at the step-size controller's tolerances: `cardiac`'s and `hinch2004`'s default.

    Muscle models are stiff (cleft diffusion ~5·10⁴ s⁻¹, RyR1 gating at 10⁶ s⁻¹) and mix µM-scale concentrations
    with gating fractions near 1e-7. Measured on one paced cardiac beat at rtol 1e-6 (benchmarks/beat_timing.py),
    against scipy Radau at rtol 1e-10: this default takes ~200 steps with errors ~2e-5 of each state's peak; the
    Rosenbrock solver [`cicrjax.Rodas4`][] takes ~470 cheaper steps, 3–8× faster, with errors ~1e-6 (2–15× on
    Hinch/Skeletal clamps): use it for forward simulation (the gain function does; it is `skeletal`'s default).
    For gradients this default wins: value and gradient for five cardiac parameters cost ~70 ms in forward mode
    (`diffrax.ForwardMode`) against ~120 ms with Rodas4 in forward mode and ~220 ms in reverse mode, because the
    Newton solves differentiate implicitly while a Rosenbrock step differentiates through its Jacobian.
    diffrax's default `VeryChord` at the controller's tolerances reports false divergence near roundoff and takes
    ~2000 steps.

    **Example:** `simulate(Cardiac(), ts, protocol=paced(1.0, count=1), solver=muscle_solver())`
    """
    return diffrax.Kvaerno5(root_finder=diffrax.with_stepsize_controller_tols(optx.Newton)())
