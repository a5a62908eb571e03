"""Stimulus protocols as values: time courses that drive named model parameters (IP3, β, influx, voltage)."""

import abc
from collections.abc import Mapping

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array

from ._custom_types import Scalar
from ._errors import InputError
from ._parameters import ParameterInfo, array_field


def concrete(x) -> np.ndarray | None:
    """`x` as a NumPy array, or `None` when it is traced under jit/vmap."""
    try:
        return np.asarray(x, dtype=float)
    except (TypeError, jax.errors.TracerArrayConversionError):
        return None


def driven_parameter(model, name: str) -> ParameterInfo:
    """The metadata of parameter `name` of `model`, which a protocol drives; `InputError` if there is none."""
    info = {p.name: p for p in model.parameters()}
    if name not in info:
        raise InputError(
            f"protocol drives {name!r}, which is not a parameter of model {model.name!r}; "
            f"choose one of: {', '.join(info)}"
        )
    return info[name]


class AbstractStimulus(eqx.Module):
    """A time course u(t) in the unit of the parameter it drives, with its discontinuity times."""

    @abc.abstractmethod
    def __call__(self, t: Scalar) -> Scalar:
        """Value at time `t` (s)."""

    @abc.abstractmethod
    def jump_times(self) -> Array:
        """Times (s) where u or its slope jumps; the step-size controller steps exactly onto them."""

    @abc.abstractmethod
    def levels(self) -> Array:
        """The values between which u(t) stays (its extremes), to check them against the parameter's constraint."""


class Constant(AbstractStimulus):
    """A constant value.

    **Example:** `Constant(0.4)`
    """

    value: Array = array_field()

    def __call__(self, t):
        return self.value + 0.0 * t

    def jump_times(self):
        return jnp.zeros((0,), self.value.dtype)

    def levels(self):
        return self.value[None]


class Step(AbstractStimulus):
    """A step from `before` to `after` at `time` (s).

    **Example:** `Step(time=10.0, before=0.25, after=0.5)`
    """

    time: Array = array_field()
    before: Array = array_field()
    after: Array = array_field()

    def __call__(self, t):
        return jnp.where(t < self.time, self.before, self.after)

    def jump_times(self):
        return self.time[None]

    def levels(self):
        return jnp.stack([self.before, self.after])


class PulseTrain(AbstractStimulus):
    """`count` rectangular pulses of `amplitude` above `baseline`, each `width` s long, every `period` s from `start`.

    Pacing at rate f Hz is `period = 1/f`. `count` is static (it sets array shapes); the times are leaves.

    **Example:** `PulseTrain(period=1.0, width=0.005, amplitude=1.0, count=10)`
    """

    period: Array = array_field()
    width: Array = array_field()
    amplitude: Array = array_field()
    count: int = eqx.field(static=True)
    start: Array = array_field(default=0.0)
    baseline: Array = array_field(default=0.0)

    def __check_init__(self):
        if self.count < 1:
            raise InputError(f"PulseTrain count must be at least 1, got {self.count}")

    def _onsets(self, k):
        return self.start + self.period * k

    def __call__(self, t):
        # Compare t with the same floating-point edges that `jump_times` gives the solver, for the pulse index
        # and its neighbours, so rounding in t/period never switches a pulse on a hair before its edge.
        k = jnp.floor((t - self.start) / self.period) + jnp.arange(-1.0, 2.0, dtype=self.period.dtype)
        onset = self._onsets(k)
        on = (k >= 0) & (k < self.count) & (t >= onset) & (t < onset + self.width)
        return jnp.where(jnp.any(on), self.baseline + self.amplitude, self.baseline)

    def jump_times(self):
        onsets = self._onsets(jnp.arange(self.count, dtype=self.period.dtype))
        return jnp.concatenate([onsets, onsets + self.width])

    def levels(self):
        return jnp.stack([self.baseline, self.baseline + self.amplitude])


class Ramp(AbstractStimulus):
    """Linear ramp from `value_start` at `t_start` to `value_end` at `t_end` (s), constant outside.

    **Example:** `Ramp(t_start=0.0, t_end=100.0, value_start=0.25, value_end=0.8)`
    """

    t_start: Array = array_field()
    t_end: Array = array_field()
    value_start: Array = array_field()
    value_end: Array = array_field()

    def __call__(self, t):
        frac = jnp.clip((t - self.t_start) / (self.t_end - self.t_start), 0.0, 1.0)
        return self.value_start + frac * (self.value_end - self.value_start)

    def jump_times(self):
        return jnp.stack([self.t_start, self.t_end])

    def levels(self):
        return jnp.stack([self.value_start, self.value_end])


class Protocol(eqx.Module):
    """Stimuli applied to named model parameters: each parameter follows its stimulus in time.

    **Arguments:** `stimuli`, a mapping from parameter name to an `AbstractStimulus`.

    **Example:** `Protocol({"beta": Step(time=20.0, before=0.25, after=0.4)})`
    """

    stimuli: dict[str, AbstractStimulus]

    def __init__(self, stimuli: Mapping[str, AbstractStimulus]):
        for name, stim in stimuli.items():
            if not isinstance(stim, AbstractStimulus):
                raise TypeError(f"stimulus for {name!r} must be a cicrjax stimulus (Constant, Step, ...), got {stim!r}")
        self.stimuli = dict(stimuli)

    def check(self, model) -> None:
        """Raise `InputError` if the protocol drives a parameter that `model` does not have, drives one outside its
        constraint (β above 1, a negative rate), or has a non-finite time; traced values (under jit) are skipped."""
        for name, stim in self.stimuli.items():
            info = driven_parameter(model, name)
            levels, times = concrete(stim.levels()), concrete(stim.jump_times())
            if times is not None and not np.all(np.isfinite(times)):
                raise InputError(f"the stimulus of {name!r} has a time that is not finite ({times.tolist()}); give s")
            for value in [] if levels is None else np.ravel(levels):
                info.check(float(value))

    def apply(self, model, t: Scalar):
        """`model` with each driven parameter replaced by its stimulus value at time `t`."""
        if not self.stimuli:
            return model
        names = tuple(self.stimuli)
        values = tuple(self.stimuli[n](t) for n in names)
        return eqx.tree_at(lambda m: tuple(getattr(m, n) for n in names), model, values)

    def jump_times(self) -> Array:
        """All discontinuity times (s) of all stimuli, sorted."""
        if not self.stimuli:
            return jnp.zeros((0,))
        return jnp.sort(jnp.concatenate([s.jump_times() for s in self.stimuli.values()]))
