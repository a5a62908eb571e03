"""Single-wavelength fluorescence read-out: F, F/F0 or ΔF/F0 from an indicator, with scale, offset and bleaching."""

from typing import Literal

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, ArrayLike

from .._errors import InputError
from .._parameters import array_field, param
from .bleaching import AbstractBleaching
from .indicator import AbstractIndicator

SingleWavelengthKind = Literal["raw", "f_f0", "df_f0"]
_KINDS = ("raw", "f_f0", "df_f0")


class Fluorescence(eqx.Module):
    r"""Observation model of a single-wavelength recording (MODELS.md §9).

    $$F = \text{offset} + \text{scale}\cdot b(t)\cdot F_{min}^{-1}F(\theta),\qquad
      \text{f\_f0} = F/F_0,\qquad \text{df\_f0} = (F - F_0)/F_0$$

    with θ the bound fraction (equilibrium from Ca, or the dye state of [`cicrjax.WithIndicator`][]) and b(t) the
    bleaching factor.

    **Arguments:**
    - `indicator`: a single-wavelength indicator, e.g. `Fluo4()`.
    - `kind`: `"raw"` (F, a.u.), `"f_f0"` or `"df_f0"` (static).
    - `scale`: a.u. per Fmin (the brightness of unbound dye); `offset`: background (a.u.).
    - `F0`: baseline F (a.u.); `None` uses F at the first sample of each trace.
    - `bleaching`: optional `MonoExponentialBleaching` / `BiExponentialBleaching`.

    **Example:** `Fluorescence(Fluo4(), kind="df_f0")(ca)` with `ca` a Ca trace (µM).
    """

    indicator: AbstractIndicator
    kind: SingleWavelengthKind = eqx.field(default="df_f0", static=True)
    scale: Array = param(1.0, "a.u.", "fluorescence of unbound dye (Fmin) in recording units")
    offset: Array = param(0.0, "a.u.", "background fluorescence", "real")
    F0: Array | None = array_field(default=None)
    bleaching: AbstractBleaching | None = None

    def __check_init__(self):
        if self.kind not in _KINDS:
            raise InputError(f"Fluorescence kind {self.kind!r} is not one of {_KINDS}; use Fura2 for ratios")

    def raw(self, fraction: ArrayLike, t: ArrayLike | None = None) -> Array:
        """F (a.u.) for bound fraction `fraction` (0–1), bleached at times `t` (s) if bleaching is set."""
        f = self.indicator.relative_fluorescence(fraction)
        if self.bleaching is not None:
            f = f * self.bleaching(jnp.zeros(()) if t is None else t)
        return self.offset + self.scale * f

    def from_fraction(self, fraction: ArrayLike, t: ArrayLike | None = None) -> Array:
        """The signal of this `kind` for bound fraction `fraction` (time on the last axis)."""
        return self.to_kind(self.raw(fraction, t))

    def to_kind(self, F: ArrayLike) -> Array:
        """Raw F (a.u., time on the last axis) as this observation's `kind`, with baseline `F0`."""
        F = jnp.asarray(F)
        if self.kind == "raw":
            return F
        F0 = F[..., :1] if self.F0 is None else self.F0
        return F / F0 if self.kind == "f_f0" else (F - F0) / F0

    def __call__(self, ca: ArrayLike, t: ArrayLike | None = None) -> Array:
        """The signal for free Ca `ca` (µM) at equilibrium binding."""
        return self.from_fraction(self.indicator.fraction_bound(ca), t)

    def calcium(self, signal: ArrayLike) -> Array:
        """Equilibrium inversion of an unbleached signal to free Ca (µM); needs `F0` for `f_f0` and `df_f0`.

        **Example:** `obs.calcium(obs(ca))` returns `ca`.
        """
        signal = jnp.asarray(signal)
        if self.kind == "raw":
            F = signal
        elif self.F0 is None:
            raise InputError(
                f"inverting a {self.kind} signal needs the baseline: give Fluorescence(..., F0=...) in a.u."
            )
        else:
            F = signal * self.F0 if self.kind == "f_f0" else (signal + 1.0) * self.F0
        return self.indicator.calcium((F - self.offset) / self.scale)
