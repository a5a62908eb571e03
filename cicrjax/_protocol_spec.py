"""Text specifications of protocols, as given on the command line: `NAME=KIND:key=value,...`."""

import math
from collections.abc import Sequence

from ._errors import InputError
from ._model import AbstractModel
from ._protocol import AbstractStimulus, Constant, Protocol, PulseTrain, Ramp, Step, driven_parameter

MAX_PULSES = 100_000  # each pulse edge is a time the solver steps onto, held in memory

_KINDS = {
    "constant": ("value",),
    "step": ("time", "after", "before"),
    "pulses": ("period", "width", "amplitude", "count", "start", "baseline"),
    "ramp": ("start", "end", "from", "to"),
}
_REQUIRED = {
    "constant": ("value",),
    "step": ("time", "after"),
    "pulses": ("period", "width", "amplitude", "count"),
    "ramp": ("start", "end", "from", "to"),
}
SYNTAX = (
    "NAME=constant:value=V | NAME=step:time=T,after=V[,before=V] | "
    "NAME=pulses:period=P,width=W,amplitude=A,count=N[,start=T][,baseline=V] | "
    "NAME=ramp:start=T0,end=T1,from=V0,to=V1"
)


def _stimulus(kind: str, values: dict[str, float], default: float, spec: str) -> AbstractStimulus:
    if kind == "constant":
        return Constant(values["value"])
    if kind == "step":
        return Step(time=values["time"], before=values.get("before", default), after=values["after"])
    if kind == "pulses":
        count = values["count"]
        if count != int(count) or not 1 <= count <= MAX_PULSES:
            raise InputError(f"protocol {spec!r}: count must be a whole number in [1, {MAX_PULSES}], got {count:g}")
        if values["period"] <= 0 or values["width"] <= 0 or values["width"] >= values["period"]:
            raise InputError(f"protocol {spec!r}: need period > 0 and 0 < width < period (s)")
        return PulseTrain(
            period=values["period"],
            width=values["width"],
            amplitude=values["amplitude"],
            count=int(count),
            start=values.get("start", 0.0),
            baseline=values.get("baseline", default),
        )
    if values["end"] <= values["start"]:
        raise InputError(f"protocol {spec!r}: ramp end must be later than start")
    return Ramp(t_start=values["start"], t_end=values["end"], value_start=values["from"], value_end=values["to"])


def parse_protocol(specs: Sequence[str], model: AbstractModel) -> Protocol | None:
    """Build a [`cicrjax.Protocol`][] from text specs, one per driven parameter; `None` when `specs` is empty.

    Times are in s, values in the driven parameter's unit. A step's `before` and a pulse train's `baseline`
    default to the parameter's current value in `model`.

    **Example:** `parse_protocol(["beta=step:time=20,after=0.5"], GDB1990())`
    """
    if not specs:
        return None
    stimuli = {}
    for spec in specs:
        name, sep, rest = spec.partition("=")
        kind, sep2, body = rest.partition(":")
        if not sep or not sep2 or kind not in _KINDS:
            raise InputError(f"protocol {spec!r} is not of the form {SYNTAX}")
        values = {}
        for item in filter(None, body.split(",")):
            key, sep3, text = item.partition("=")
            if not sep3 or key not in _KINDS[kind]:
                raise InputError(f"protocol {spec!r}: unknown field {key!r}; {kind} takes {', '.join(_KINDS[kind])}")
            if key in values:
                raise InputError(f"protocol {spec!r}: {key} given twice; give each field once")
            try:
                values[key] = float(text)
            except ValueError:
                raise InputError(f"protocol {spec!r}: {key} needs a number, got {text!r}") from None
            if not math.isfinite(values[key]):
                raise InputError(f"protocol {spec!r}: {key} needs a finite number, got {text!r}")
        missing = [k for k in _REQUIRED[kind] if k not in values]
        if missing:
            raise InputError(f"protocol {spec!r}: missing {', '.join(missing)}; syntax: {SYNTAX}")
        if name in stimuli:
            raise InputError(f"protocol drives {name!r} twice; give one stimulus per parameter")
        driven_parameter(model, name)
        default = float(getattr(model, name))
        stimulus = {name: _stimulus(kind, values, default, spec)}
        try:
            Protocol(stimulus).check(model)  # the values it drives must satisfy the parameter's constraint
        except InputError as error:
            raise InputError(f"protocol {spec!r}: {error}") from None
        stimuli.update(stimulus)
    return Protocol(stimuli)
