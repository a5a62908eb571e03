"""Signals: what a recording sees of a simulated trajectory, before the affine scale and offset."""

import abc
from collections.abc import Callable

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array

from cicrjax import AbstractIndicator, AbstractRatioIndicator, Fluorescence, Fura2, InputError, WithIndicator


class AbstractSignal(eqx.Module):
    """Maps one condition's model and trajectory `ys` (time × states) to a signal over time."""

    @abc.abstractmethod
    def __call__(self, model, ys: Array) -> Array:
        """The signal at every save time (1-D)."""


class StateSignal(AbstractSignal):
    """One state of the model, e.g. cytosolic Ca (index 0, µM).

    **Example:** `StateSignal(0)`
    """

    index: int = eqx.field(static=True, default=0)

    def __call__(self, model, ys):
        return ys[:, self.index]


class IndicatorSignal(AbstractSignal):
    """Relative fluorescence F/Fmin of a single-wavelength indicator bound to cytosolic Ca (equilibrium binding, or
    the dye state when the model is a `cicrjax.WithIndicator`). F, F/F0 and ΔF/F0 are affine in it.

    **Example:** `IndicatorSignal(cicrjax.Fluo4())`
    """

    indicator: AbstractIndicator

    def __call__(self, model, ys):
        if isinstance(model, WithIndicator):
            fraction = model.fraction_bound(ys)
        else:
            fraction = self.indicator.fraction_bound(ys[:, 0])
        return Fluorescence(self.indicator, kind="raw").raw(fraction)


class NormalisedSignal(AbstractSignal):
    """Fluorescence of a single-wavelength indicator normalised by its value at the first save time, as a
    recording's F/F0 (`kind="f_f0"`) or ΔF/F0 (`kind="df_f0"`) is when F0 is the first frame: no free scale, so
    the amplitude carries absolute Ca through the indicator's Kd and dynamic range (fit with offset 0, scale 1).

    **Example:** `NormalisedSignal(cicrjax.Fluo4(), "df_f0")`
    """

    indicator: AbstractIndicator
    kind: str = eqx.field(static=True, default="df_f0")

    def __check_init__(self):
        if self.kind not in ("f_f0", "df_f0"):
            raise InputError(f"NormalisedSignal kind must be 'f_f0' or 'df_f0', got {self.kind!r}")

    def __call__(self, model, ys):
        f = IndicatorSignal(self.indicator)(model, ys)
        ratio = f / f[0]
        return ratio - 1.0 if self.kind == "df_f0" else ratio


class RatioSignal(AbstractSignal):
    """The ratio of a ratiometric indicator (Fura-2 340/380, Indo-1 405/485) of cytosolic Ca (equilibrium binding).

    **Example:** `RatioSignal(cicrjax.Fura2())`
    """

    ratio: AbstractRatioIndicator

    def __call__(self, model, ys):
        return self.ratio(ys[:, 0])


class FunctionSignal(AbstractSignal):
    """Any function `f(model, ys)` (e.g. a compiled PEtab observable formula).

    **Example:** `FunctionSignal(lambda m, ys: m.open_probability(ys))`
    """

    function: Callable = eqx.field(static=True)

    def __call__(self, model, ys):
        return jnp.asarray(self.function(model, ys))


def signal_for_kind(
    kind: str,
    indicator: AbstractIndicator | AbstractRatioIndicator | None = None,
    ratio: AbstractRatioIndicator | None = None,
) -> AbstractSignal:
    """The signal that a recording of `kind` sees: Ca for `calcium`, indicator fluorescence for `raw`, `f_f0` and
    `df_f0` (a single-wavelength indicator is required), the ratio of `ratio` or of a ratiometric `indicator`
    (Fura-2 by default) for `ratio`.

    **Example:** `signal_for_kind("df_f0", cicrjax.Fluo4())`
    """
    if kind == "calcium":
        return StateSignal(0)
    if kind == "ratio":
        if ratio is None and indicator is not None and not isinstance(indicator, AbstractRatioIndicator):
            raise InputError(f"a ratio recording needs a ratiometric indicator (fura2, indo1), not {indicator.name}")
        return RatioSignal(ratio if ratio is not None else indicator if indicator is not None else Fura2())
    if kind in ("raw", "f_f0", "df_f0"):
        if indicator is None:
            raise InputError(f"a {kind} recording needs an indicator (e.g. --indicator fluo4) to relate Ca to light")
        if isinstance(indicator, AbstractRatioIndicator):
            raise InputError(
                f"{indicator.name} is ratiometric: a {kind} recording needs a single-wavelength indicator "
                "(e.g. --indicator fluo4), or load the ratio as --kind ratio"
            )
        return IndicatorSignal(indicator)
    raise InputError(f"unknown recording kind {kind!r}; use raw, f_f0, df_f0, ratio or calcium")
