"""Parameter fields with metadata (unit, description, constraint), and checked replacement of values."""

import dataclasses
import math
from collections.abc import Mapping
from typing import Any, Literal

import equinox as eqx
import jax.numpy as jnp

from ._errors import InputError

Constraint = Literal["positive", "nonnegative", "unit_interval", "real"]
_CONSTRAINTS = ("positive", "nonnegative", "unit_interval", "real")
_CONSTRAINT_TEXT = {
    "positive": "must be > 0",
    "nonnegative": "must be >= 0",
    "unit_interval": "must lie in [0, 1]",
    "real": "may be any finite number",
}


def _as_float_array(x):
    if x is None:  # an optional component that is switched off
        return None
    x = jnp.asarray(x)
    return x if jnp.issubdtype(x.dtype, jnp.floating) else x.astype(float)


def param(default: float, unit: str, description: str, constraint: Constraint = "positive") -> Any:
    """Declare a model parameter: an array field with its unit, description and constraint.

    **Arguments:**
    - `default`: the published value, already in cicrjax units (s, µM, mV).
    - `unit`: unit string, e.g. `"µM/s"`; `"1"` for dimensionless.
    - `description`: one line saying what the parameter is.
    - `constraint`: `"positive"`, `"nonnegative"`, `"unit_interval"` or `"real"`.

    **Example:** `VM2: Array = param(65.0, "µM/s", "maximal SERCA rate")`
    """
    if constraint not in _CONSTRAINTS:
        raise ValueError(f"constraint {constraint!r} is not one of {_CONSTRAINTS}")
    return eqx.field(
        default=default,
        converter=_as_float_array,
        metadata={"unit": unit, "description": description, "constraint": constraint},
    )


@dataclasses.dataclass(frozen=True)
class ParameterInfo:
    """Metadata of one model parameter: name, unit, description, constraint and published default."""

    name: str
    unit: str
    description: str
    constraint: Constraint
    default: float

    def check(self, value: float) -> None:
        """Raise `InputError` naming this parameter if `value` breaks its constraint."""
        ok = (
            math.isfinite(value)
            and {
                "positive": value > 0,
                "nonnegative": value >= 0,
                "unit_interval": 0 <= value <= 1,
                "real": True,
            }[self.constraint]
        )
        if not ok:
            raise InputError(
                f"parameter {self.name}={value!r} is invalid: {self.name} {_CONSTRAINT_TEXT[self.constraint]} "
                f"(unit {self.unit}; published default {self.default:g})"
            )


def parameter_info(model) -> tuple[ParameterInfo, ...]:
    """Metadata of every parameter of a model class or instance, in declaration order.

    **Example:** `[p.name for p in parameter_info(cicrjax.GDB1990)]`
    """
    cls = model if isinstance(model, type) else type(model)
    return tuple(
        ParameterInfo(f.name, f.metadata["unit"], f.metadata["description"], f.metadata["constraint"], f.default)
        for f in dataclasses.fields(cls)
        if "unit" in f.metadata
    )


def with_parameters(model, values: Mapping[str, float]):
    """Return a copy of `model` with some parameters replaced, after checking names and constraints.

    **Arguments:**
    - `model`: a cicrjax model.
    - `values`: mapping from parameter name (as in the paper, e.g. `"VM2"`) to a number in cicrjax units.

    **Example:** `with_parameters(GDB1990(), {"beta": 0.5})`
    """
    info = {p.name: p for p in parameter_info(model)}
    for name, value in values.items():
        if name not in info:
            raise InputError(
                f"unknown parameter {name!r} for model {type(model).__name__}; valid parameters: {', '.join(info)}"
            )
        info[name].check(float(value))
    return dataclasses.replace(model, **{k: float(v) for k, v in values.items()})


def array_field(**kwargs) -> Any:
    """An array field of a flux component: numbers given to it become float arrays (leaves)."""
    return eqx.field(converter=_as_float_array, **kwargs)


def batch_parameters(model, values: Mapping[str, Any]):
    """A batch of models for `jax.vmap`: the named parameters take the given 1-D arrays, all others are repeated.

    **Arguments:**
    - `model`: a cicrjax model.
    - `values`: mapping from parameter name to a 1-D array; all arrays have the same length N.

    **Returns:** the model with every array leaf given a leading batch axis of length N.

    **Example:** `jax.vmap(lambda m: simulate(m, ts))(batch_parameters(GDB1990(), {"beta": jnp.linspace(0.3, 0.7, 8)}))`
    """
    names = {p.name for p in parameter_info(model)}
    arrays = {}
    for name, value in values.items():
        if name not in names:
            raise InputError(f"unknown parameter {name!r} for model {type(model).__name__}; valid: {', '.join(names)}")
        arrays[name] = jnp.asarray(value, dtype=float)
        if arrays[name].ndim != 1:
            raise InputError(f"batch values for {name!r} must be 1-D, got shape {arrays[name].shape}")
    sizes = {a.shape[0] for a in arrays.values()}
    if len(sizes) != 1:
        raise InputError(f"batch values must all have the same length, got lengths {sorted(sizes)}")
    (n,) = sizes
    leaves = {name: getattr(model, name) for name in names}
    leaves.update(arrays)
    broadcast = {k: jnp.broadcast_to(v, (n, *jnp.shape(v))) if k not in arrays else v for k, v in leaves.items()}
    return dataclasses.replace(model, **broadcast)
