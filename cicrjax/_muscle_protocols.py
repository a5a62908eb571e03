"""Reusable muscle protocols as values: voltage clamp, pacing, zero extracellular Ca, caffeine, RyR variants."""

import math

import jax.numpy as jnp
import numpy as np

from ._action_potential import ActionPotential
from ._errors import InputError
from ._muscle_model import AbstractMuscleModel
from ._parameters import with_parameters
from ._protocol import Constant, Protocol, concrete
from ._step_sequence import StepSequence

HOLDING_RANGE = (-150.0, 100.0)  # mV: the voltages a clamp may hold or step to
MAX_BEATS = 100_000  # paced beats: each upstroke is a time the solver steps onto, held in memory


def _text(a: np.ndarray) -> str:
    return ", ".join(f"{x:g}" for x in np.ravel(a))


def check_clamp(test, holding, duration) -> None:
    """Raise `InputError` unless the test voltage(s) and the holding potential lie in `HOLDING_RANGE` (mV) and the
    step `duration` is > 0 s; traced values (under jit/vmap) are left to the caller.

    **Example:** `check_clamp([-20.0, 0.0], -80.0, 0.2)`
    """
    lo, hi = HOLDING_RANGE
    if (v := concrete(test)) is not None:
        if not np.all(np.isfinite(v)):
            raise InputError(f"test voltages must be finite numbers in mV, got {_text(v)}")
        if v.size and not (lo <= v.min() and v.max() <= hi):
            bad = v[(v < lo) | (v > hi)].ravel()[0]
            raise InputError(f"test voltage {bad:g} mV is outside [{lo:g}, {hi:g}] mV; choose voltages within it")
    if (h := concrete(holding)) is not None and not (np.all(np.isfinite(h)) and lo <= h.min() and h.max() <= hi):
        raise InputError(f"the holding potential must lie in [{lo:g}, {hi:g}] mV, got {_text(h)}")
    if (d := concrete(duration)) is not None and not np.all(d > 0):
        raise InputError(f"the step duration must be > 0 s, got {_text(d)}")


def _extend(protocol: Protocol | None, stimuli: dict) -> Protocol:
    base = {} if protocol is None else dict(protocol.stimuli)
    return Protocol({**base, **stimuli})


def voltage_clamp(test, *, holding=-80.0, start: float = 0.0, duration: float = 0.2) -> Protocol:
    """A voltage-clamp step from `holding` to `test` (mV) at `start` for `duration` s, then back to `holding`.

    Arguments may be traced scalars (for `vmap` over voltages); concrete ones are range-checked here.

    **Example:** `simulate(Hinch2004(), ts, protocol=voltage_clamp(0.0))`
    """
    check_clamp(test, holding, duration)
    holding = jnp.asarray(holding, dtype=float)
    values = jnp.stack([holding, jnp.asarray(test, dtype=float), holding])
    times = jnp.stack([jnp.asarray(start, dtype=float), jnp.asarray(start, dtype=float) + duration])
    return Protocol({"V": StepSequence(times=times, values=values)})


def paced(rate: float, *, count: int, start: float = 0.0, apd: float | None = None, **waveform) -> Protocol:
    """Action potentials at `rate` Hz (`count` beats from `start` s), driving the membrane voltage `V`.

    The action-potential duration `apd` (s, to half repolarisation) defaults to 0.2 s at 1 Hz, shortening with
    the cycle length as 0.2 · min(1, (1/rate)^0.5 · 0.9) so that it always ends within the beat; other keywords
    (`v_rest`, `v_peak`, `v_plateau`, `t_up`, `tau_spike`, `n`) go to [`cicrjax.ActionPotential`][].

    **Example:** `paced(4.0, count=10)` paces at 250 ms cycle length.
    """
    if not float(rate) > 0:
        raise InputError(f"the pacing rate must be > 0 Hz (a positive pacing period), got {float(rate):g}")
    period = 1.0 / float(rate)
    if apd is None:
        apd = 0.2 * min(1.0, 0.9 * period**0.5)
    if not 0 < float(apd) < period:
        raise InputError(f"apd must lie in (0, {period:g}) s for pacing at {float(rate):g} Hz, got {float(apd):g}")
    return Protocol({"V": ActionPotential(period=period, count=count, start=start, apd=apd, **waveform)})


def pace(model, period: float, *, count: int, start: float = 0.0, protocol: Protocol | None = None) -> Protocol:
    """`protocol` plus pacing of `model`: `count` action potentials every `period` s from `start` s on its membrane
    voltage `V` (see [`cicrjax.paced`][]), shaped as the model's `action_potential` (cardiac-mouse's own).

    Raises `InputError` for a model without `V`, a period that is not > 0 s, a count below 1, or a `protocol` that
    drives `V` already.

    **Example:** `pace(Cardiac(), 0.5, count=4, protocol=zero_extracellular_ca())`
    """
    if "V" not in [p.name for p in model.parameters()]:
        raise InputError(
            f"pacing drives the membrane voltage V, which model {model.name} does not have; "
            "use a muscle model (cardiac, hinch2004, skeletal) or a protocol"
        )
    period = float(period)
    if not (math.isfinite(period) and period > 0):
        raise InputError(f"the pacing period must be > 0 s, got {period:g}")
    if isinstance(count, bool) or int(count) != count or not 1 <= count <= MAX_BEATS:
        raise InputError(f"the number of paced beats must be a whole number in [1, {MAX_BEATS}], got {count}")
    if protocol is not None and "V" in protocol.stimuli:
        raise InputError("pacing drives V, and the protocol drives V as well; drop the protocol's V stimulus")
    waveform = dict(model.action_potential) if isinstance(model, AbstractMuscleModel) else {}
    return _extend(protocol, paced(1.0 / period, count=int(count), start=start, **waveform).stimuli)


def zero_extracellular_ca(protocol: Protocol | None = None) -> Protocol:
    """`protocol` with extracellular Ca (`Ca_o`) held at 0 µM: a Ca-free bath.

    **Example:** `zero_extracellular_ca(paced(1.0, count=3))`
    """
    return _extend(protocol, {"Ca_o": Constant(0.0)})


def caffeine_pulse(time: float, duration: float, protocol: Protocol | None = None, *, level: float = 1.0) -> Protocol:
    """`protocol` plus a caffeine pulse: a fraction `level` (0–1) of RyRs forced open from `time` for `duration` s.

    The Ca released measures the SR load. Drives the `caffeine` parameter (cardiac and skeletal models).

    **Example:** `caffeine_pulse(0.1, 0.5)`
    """
    if not float(duration) > 0:
        raise InputError(f"the caffeine pulse duration must be > 0 s, got {float(duration):g}")
    if not 0 <= float(level) <= 1:
        raise InputError(f"the caffeine level must lie in [0, 1], got {float(level):g}")
    stim = StepSequence(times=[time, time + duration], values=[0.0, level, 0.0])
    return _extend(protocol, {"caffeine": stim})


def ryr_loss_of_function(model: AbstractMuscleModel, factor: float = 3.0) -> AbstractMuscleModel:
    """A RyR loss-of-function variant: the RyR Ca sensitivity constant raised `factor`-fold (e.g. RyR2 E4146K).

    Calcium-release-deficiency mutations such as E4146K severely reduce cytosolic Ca activation; here the model's
    `ryr_sensitivity` parameter (`K_act` for `cardiac`, `K_RyR` for `hinch2004`) is multiplied by `factor`.

    **Example:** `ryr_loss_of_function(Cardiac(), 3.0).K_act` is three times `Cardiac().K_act`.
    """
    if not isinstance(model, AbstractMuscleModel) or model.ryr_sensitivity is None:
        name = getattr(model, "name", type(model).__name__)
        raise InputError(f"model {name!r} has no Ca-activated RyR; use hinch2004 or cardiac")
    if not float(factor) > 0:
        raise InputError(f"factor must be > 0, got {float(factor):g}")
    key = model.ryr_sensitivity
    return with_parameters(model, {key: float(getattr(model, key)) * float(factor)})
