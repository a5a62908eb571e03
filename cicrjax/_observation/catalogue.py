"""The indicator catalogue and its text form, `NAME` or `NAME:key=value,...` (e.g. `hill:Kd=0.5,n=1,dr=20`)."""

from .._errors import InputError
from .._parameters import parameter_info
from .dyes import Cal520, Cal590, Fluo3, Fluo4, Fluo8, Rhod2, XRhod1
from .fura2 import Fura2
from .gcamp import GCaMP6f, GCaMP6m, GCaMP6s
from .hill_indicator import HillIndicator
from .indicator import AbstractIndicator
from .indo1 import Indo1
from .jgcamp import JGCaMP7f, JGCaMP7s, JGCaMP8f, JGCaMP8m, JGCaMP8s
from .ratio_indicator import AbstractRatioIndicator

INDICATORS = {
    cls.name: cls
    for cls in (
        Fluo3, Fluo4, Fluo8, Cal520, Rhod2, XRhod1, Cal590, GCaMP6s, GCaMP6m, GCaMP6f, JGCaMP7s, JGCaMP7f,
        JGCaMP8s, JGCaMP8m, JGCaMP8f,
    )
}  # fmt: skip
RATIO_INDICATORS = {cls.name: cls for cls in (Fura2, Indo1)}
CUSTOM_SYNTAX = "hill:Kd=0.5,n=1,dr=20"
_REQUIRED = {"hill": ("Kd", "dr")}


def known_indicators() -> str:
    """The catalogue's names and the custom form, for messages."""
    return f"{', '.join([*INDICATORS, *RATIO_INDICATORS])} or {CUSTOM_SYNTAX}"


def parse_indicator(text: str) -> AbstractIndicator | AbstractRatioIndicator:
    """The indicator named by `text`: a catalogue name, optionally with some constants replaced
    (`fluo4:Kd=1.0`), or your own Hill indicator, `hill:Kd=0.5,n=1,dr=20` with the fields of
    [`cicrjax.HillIndicator`][] (`Kd` µM, `n`, `dr` = Fmax/Fmin; optional `k_off` s⁻¹, `total` µM).

    Raises `InputError` naming the known indicators, or the keys a kind takes.

    **Example:** `parse_indicator("hill:Kd=0.5,n=1,dr=20").fraction_bound(0.5)` is 0.5.
    """
    name, _, rest = str(text).strip().partition(":")
    kinds = {**INDICATORS, **RATIO_INDICATORS, HillIndicator.name: HillIndicator}
    if name not in kinds:
        raise InputError(f"unknown indicator {name!r}; choose one of {known_indicators()}")
    cls = kinds[name]
    info = {p.name: p for p in parameter_info(cls)}
    values = {}
    for item in filter(None, (part.strip() for part in rest.split(","))):
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep:
            raise InputError(f"indicator {text!r}: {item!r} is not key=value; e.g. {CUSTOM_SYNTAX}")
        if key not in info:
            raise InputError(f"indicator {text!r}: unknown key {key!r}; {name} takes {', '.join(info)}")
        if key in values:
            raise InputError(f"indicator {text!r}: {key} given twice; give each key once")
        try:
            number = float(value)
        except ValueError:
            raise InputError(f"indicator {text!r}: {key}={value!r} is not a number") from None
        try:
            info[key].check(number)
        except InputError as error:
            raise InputError(f"indicator {text!r}: {error}") from None
        values[key] = number
    missing = [key for key in _REQUIRED.get(name, ()) if key not in values]
    if missing:
        raise InputError(f"indicator {text!r} needs {', '.join(missing)}; e.g. {CUSTOM_SYNTAX}")
    if "dr" in values and not values["dr"] > 1.0:
        raise InputError(f"indicator {text!r}: dr={values['dr']:g} must exceed 1 (Fmax/Fmin; Ca brightens the dye)")
    return cls(**values)
