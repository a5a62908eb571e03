"""Text specifications of bleaching and noise on the command line: `KIND:key=value,...`."""

from .._errors import InputError
from .._observation import (
    BiExponentialBleaching,
    GaussianNoise,
    LogNormalNoise,
    MonoExponentialBleaching,
    PoissonGaussianNoise,
)
from .._parameters import parameter_info
from .errors import UsageError, parse_float

BLEACHING = {"mono": MonoExponentialBleaching, "bi": BiExponentialBleaching}
NOISE = {"gaussian": GaussianNoise, "lognormal": LogNormalNoise, "camera": PoissonGaussianNoise}
BLEACH_SYNTAX = "mono:tau=S | bi:tau_fast=S,tau_slow=S,fraction_fast=F"
NOISE_SYNTAX = "gaussian:sigma=X | lognormal:sigma=X | camera:gain=G,read_noise=E,offset=A[,em_gain=1]"


def parse_spec(text: str, kinds: dict, option: str, syntax: str):
    """Build the module named by `KIND:key=value,...`; every mistake is a `UsageError` naming `option`."""
    kind, _, rest = text.partition(":")
    if kind not in kinds:
        raise UsageError(f"{option} {text!r}: unknown kind {kind!r}; use {syntax}")
    cls = kinds[kind]
    info = {p.name: p for p in parameter_info(cls)}
    values, flags = {}, {}
    for item in filter(None, rest.split(",")):
        key, sep, value = item.partition("=")
        if not sep:
            raise UsageError(f"{option} {text!r}: {item!r} is not key=value; use {syntax}")
        if key in values or key in flags:
            raise UsageError(f"{option} {text!r}: {key} given twice; give each key once")
        if key == "em_gain" and cls is PoissonGaussianNoise:
            flags[key] = parse_float(value, f"{option} em_gain") != 0
            continue
        if key not in info:
            raise UsageError(f"{option} {text!r}: unknown key {key!r}; {kind} takes {', '.join(info)}")
        number = parse_float(value, f"{option} {key}")
        try:
            info[key].check(number)
        except InputError as error:
            raise UsageError(f"{option} {text!r}: {error}") from None
        values[key] = number
    return cls(**values, **flags)
