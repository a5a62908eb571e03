"""A prescribed action-potential waveform repeated at a pacing rate, for driving voltage-dependent models."""

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array

from ._errors import InputError
from ._parameters import array_field
from ._protocol import AbstractStimulus


class ActionPotential(AbstractStimulus):
    """`count` action potentials (mV) every `period` s from `start`: upstroke, spike, plateau, repolarisation.

    Within a beat at time s after its onset, V = V_rest + r(s) · [(V_plateau − V_rest) + (V_peak − V_plateau)
    e^{−s/τ_spike}] / (1 + (s/APD)^n), with r(s) = min(s/t_up, 1) a linear upstroke; APD is the time to half
    repolarisation of the plateau (s). `count` is static; the times and voltages are leaves.

    **Example:** `ActionPotential(period=1.0, count=5)` is 1 Hz pacing with a rabbit-like 200 ms plateau.
    """

    period: Array = array_field()
    count: int = eqx.field(static=True)
    start: Array = array_field(default=0.0)
    v_rest: Array = array_field(default=-85.0)
    v_peak: Array = array_field(default=40.0)
    v_plateau: Array = array_field(default=15.0)
    apd: Array = array_field(default=0.2)
    t_up: Array = array_field(default=0.001)
    tau_spike: Array = array_field(default=0.004)
    n: Array = array_field(default=8.0)

    def __check_init__(self):
        if self.count < 1:
            raise InputError(f"ActionPotential count must be at least 1, got {self.count}")
        try:
            period, apd = float(self.period), float(self.apd)
        except TypeError:  # traced under jit/vmap: checked where it was built
            return
        if not period > 0:
            raise InputError(f"ActionPotential period (the pacing period) must be > 0 s, got {period:g}")
        if not 0 < apd < period:
            raise InputError(f"ActionPotential apd must lie in (0, period = {period:g}) s, got {apd:g}")

    def __call__(self, t):
        s = t - self.start
        k = jnp.floor(s / self.period)
        phase = s - k * self.period
        on = (s >= 0) & (k < self.count)
        rise = jnp.minimum(phase / self.t_up, 1.0)
        shape = (self.v_plateau - self.v_rest) + (self.v_peak - self.v_plateau) * jnp.exp(-phase / self.tau_spike)
        repol = 1.0 / (1.0 + jnp.maximum(phase / self.apd, 1e-12) ** self.n)
        return jnp.where(on, self.v_rest + rise * shape * repol, self.v_rest)

    def jump_times(self):
        onsets = self.start + self.period * jnp.arange(self.count, dtype=self.period.dtype)
        return jnp.concatenate([onsets, onsets + self.t_up])

    def levels(self):
        return jnp.stack([self.v_rest, self.v_plateau, self.v_peak])
