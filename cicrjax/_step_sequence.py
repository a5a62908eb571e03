"""A piecewise-constant stimulus: the voltage-clamp step sequence (holding, test, holding, ...)."""

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array

from ._errors import InputError
from ._parameters import array_field
from ._protocol import AbstractStimulus


class StepSequence(AbstractStimulus):
    """Piecewise-constant levels: `values[0]` before `times[0]`, `values[k]` on [times[k−1], times[k]), ...

    **Arguments:** `times` increasing switch times (s), length n; `values` the n + 1 levels (unit of the driven
    parameter, e.g. mV for a voltage clamp).

    **Example:** `StepSequence(times=[0.01, 0.21], values=[-80.0, 0.0, -80.0])` is a 200 ms step to 0 mV.
    """

    times: Array = array_field()
    values: Array = array_field()

    def __check_init__(self):
        if self.times.ndim != 1 or self.values.ndim != 1 or self.values.shape[0] != self.times.shape[0] + 1:
            raise InputError(
                f"StepSequence needs 1-D times (n) and values (n + 1), got shapes {self.times.shape} and "
                f"{self.values.shape}"
            )
        try:
            times = np.asarray(self.times)
        except jax.errors.TracerArrayConversionError:  # built inside jit/vmap: checked by the caller
            return
        if times.shape[0] > 1 and not np.all(np.diff(times) > 0):
            raise InputError("StepSequence times must be strictly increasing (s)")

    def __call__(self, t):
        k = jnp.sum(t >= self.times)
        return self.values[k]

    def jump_times(self):
        return self.times

    def levels(self):
        return self.values
