"""Many conditions: where each entry of the free vector goes (shared or per-condition), and the hierarchical term.

A batched problem's free vector θ follows the order of `free`, expanded in place: a shared parameter takes one
entry (`v1`), a per-condition one takes one entry per condition (`v3[0]`, `v3[1]`, …), and a hierarchical one
takes its per-condition entries followed by its population median (`v3.median`).
"""

import math
from collections.abc import Mapping, Sequence
from typing import NamedTuple

import jax.numpy as jnp
import numpy as np
from jaxtyping import Array

from cicrjax import InputError

from ._free import FreeParameter

MEDIAN_SUFFIX = ".median"
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


class Slot(NamedTuple):
    """What one entry of the free vector is: `parameter` (a model or observation parameter, or `y0.STATE`) in
    `condition` (an index, or `None` when shared by every condition), or, with `median`, the population median of
    a hierarchical parameter."""

    parameter: str
    condition: int | None = None
    median: bool = False

    @property
    def name(self) -> str:
        """The entry's name: `v1`, `v3[2]` or `v3.median`."""
        if self.median:
            return self.parameter + MEDIAN_SUFFIX
        return self.parameter if self.condition is None else f"{self.parameter}[{self.condition}]"


def expand(
    params: Sequence[FreeParameter], per_condition: Sequence[str], hierarchical: Mapping[str, float], n: int
) -> tuple[tuple[FreeParameter, ...], tuple[Slot, ...]]:
    """One [`fitting.FreeParameter`][] and one [`Slot`][] per entry of θ, for `n` conditions (layout above); the
    per-condition entries and the median keep the parameter's bounds, transform and unit."""
    free, layout = [], []
    for p in params:
        if p.name in per_condition or p.name in hierarchical:
            slots = [Slot(p.name, c) for c in range(n)]
            if p.name in hierarchical:
                slots.append(Slot(p.name, None, True))
        else:
            slots = [Slot(p.name)]
        layout.extend(slots)
        free.extend(FreeParameter(s.name, p.lower, p.upper, p.transform, p.unit) for s in slots)
    return tuple(free), tuple(layout)


def check_hierarchical(p: FreeParameter, tau) -> float:
    """`tau` as a float; raise `InputError` unless it is a positive number and `p` stays positive (log-normal)."""
    try:
        value = float(tau)
    except (TypeError, ValueError):
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise InputError(f"hierarchical {p.name} needs τ (the standard deviation of log {p.name}) > 0, got {tau!r}")
    if p.lower <= 0 or (p.transform.space == "linear" and not p.transform.bounded):
        raise InputError(
            f"hierarchical {p.name} is log-normal and needs positive values: give it a log transform, or positive "
            f"bounds with logit"
        )
    return value


def lookup(values: Mapping[str, object], slot: Slot, n: int) -> float:
    """The natural value of entry `slot` in a mapping keyed by entry name (`v3[1]`, `v3.median`) or by parameter
    name, with one value for every condition or one per condition (`n`)."""
    if slot.name in values:
        return float(values[slot.name])
    value = np.asarray(values[slot.parameter], dtype=float)
    if value.ndim == 0:
        return float(value)
    if slot.condition is not None and value.shape == (n,):
        return float(value[slot.condition])
    raise InputError(
        f"{slot.parameter} takes one value or one per condition ({n}), got shape {value.shape}"
        + (f"; give its median as {slot.name}" if slot.median else "")
    )


def population_neg_log_density(values: Array, layout: Sequence[Slot], hierarchical: Mapping[str, Array]) -> Array:
    """−Σ log p(x_i | m) over the conditions of every hierarchical parameter, with log x_i ~ N(log m, τ²): the
    log-normal density of `fitting.Prior("lognormal", m, τ)` at each per-condition value x_i, m its free median."""
    total = jnp.zeros((), values.dtype)
    for name, tau in hierarchical.items():
        cells = np.asarray([i for i, s in enumerate(layout) if s.parameter == name and s.condition is not None])
        (median,) = [i for i, s in enumerate(layout) if s.parameter == name and s.median]
        logx = jnp.log(values[cells])
        z = (logx - jnp.log(values[median])) / tau
        total = total + jnp.sum(0.5 * z**2 + logx) + cells.shape[0] * (jnp.log(tau) + _HALF_LOG_2PI)
    return total
