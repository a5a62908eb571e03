"""Genetically encoded GCaMP6 indicators (Chen et al. 2013): cooperative Hill binding and slow kinetics."""

from typing import ClassVar

from jaxtyping import Array

from .._parameters import param
from .indicator import AbstractIndicator

_CHEN = "Chen TW et al. (2013) Nature 499:295-300"
_NOTE = (
    "Kd and Hill coefficient are Chen et al. 2013 as quoted in MODELS.md §9 (marked unverified there). MODELS.md gives "
    "no dynamic range: Fmax/Fmin is an assumption. Decay rates are only about 1–5 s⁻¹ at 20 °C (Sci Rep 2016, per "
    "MODELS.md); the per-variant k_off is our assignment within that range, unverified. Total 10 µM is an assumed "
    "expression level."
)


class GCaMP6s(AbstractIndicator):
    __doc__ = f"""GCaMP6s (slow, most sensitive), Hill binding: Kd 0.144 µM, n 2.90.

    {_NOTE}

    **Example:** `GCaMP6s().fraction_bound(0.144)` is 0.5.
    """

    name: ClassVar[str] = "gcamp6s"
    citation: ClassVar[str] = _CHEN

    Kd: Array = param(0.144, "µM", "apparent dissociation constant (unverified)")
    n: Array = param(2.90, "1", "Hill coefficient (unverified)")
    dr: Array = param(50.0, "1", "Fmax/Fmin (assumed)")
    k_off: Array = param(1.0, "1/s", "unbinding rate (assumed, 1–5 s⁻¹ range)")
    total: Array = param(10.0, "µM", "indicator concentration (assumed)")


class GCaMP6m(AbstractIndicator):
    __doc__ = f"""GCaMP6m (medium), Hill binding: Kd 0.167 µM, n 2.96.

    {_NOTE}

    **Example:** `GCaMP6m().fraction_bound(0.167)` is 0.5.
    """

    name: ClassVar[str] = "gcamp6m"
    citation: ClassVar[str] = _CHEN

    Kd: Array = param(0.167, "µM", "apparent dissociation constant (unverified)")
    n: Array = param(2.96, "1", "Hill coefficient (unverified)")
    dr: Array = param(40.0, "1", "Fmax/Fmin (assumed)")
    k_off: Array = param(2.0, "1/s", "unbinding rate (assumed, 1–5 s⁻¹ range)")
    total: Array = param(10.0, "µM", "indicator concentration (assumed)")


class GCaMP6f(AbstractIndicator):
    __doc__ = f"""GCaMP6f (fast), Hill binding: Kd 0.375 µM, n 2.27.

    {_NOTE}

    **Example:** `GCaMP6f().fraction_bound(0.375)` is 0.5.
    """

    name: ClassVar[str] = "gcamp6f"
    citation: ClassVar[str] = _CHEN

    Kd: Array = param(0.375, "µM", "apparent dissociation constant (unverified)")
    n: Array = param(2.27, "1", "Hill coefficient (unverified)")
    dr: Array = param(50.0, "1", "Fmax/Fmin (assumed)")
    k_off: Array = param(5.0, "1/s", "unbinding rate (assumed, 1–5 s⁻¹ range)")
    total: Array = param(10.0, "µM", "indicator concentration (assumed)")
