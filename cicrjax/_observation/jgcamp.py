"""jGCaMP7 (Dana et al. 2019) and jGCaMP8 (Zhang et al. 2023) genetically encoded indicators: cooperative binding."""

import math
from typing import ClassVar

from jaxtyping import Array

from .._parameters import param
from .indicator import AbstractIndicator

_DANA = "Dana H et al. (2019) Nat Methods 16:649-657"
_ZHANG = "Zhang Y et al. (2023) Nature 615:884-891"
_NOTE = (
    "Kd, Hill coefficient and Fmax/Fmin (saturated over Ca-free fluorescence) are the paper's purified-protein "
    "values as we recall its table; they were not checked against the paper in this project (unverified). k_off is "
    "ln 2 over the paper's half-decay time in neurons, a lower bound on the unbinding rate because Ca clearance also "
    "slows the decay. Total 10 µM is an assumed expression level."
)


class JGCaMP7s(AbstractIndicator):
    __doc__ = f"""jGCaMP7s (Dana et al. 2019, sensitive and slow): Kd 0.068 µM, n 2.49, Fmax/Fmin 40.

    {_NOTE} Half-decay after 10 action potentials 1.69 s.

    **Example:** `JGCaMP7s().fraction_bound(0.068)` is 0.5.
    """

    name: ClassVar[str] = "jgcamp7s"
    citation: ClassVar[str] = _DANA

    Kd: Array = param(0.068, "µM", "apparent dissociation constant (unverified)")
    n: Array = param(2.49, "1", "Hill coefficient (unverified)")
    dr: Array = param(40.4, "1", "Fmax/Fmin (unverified)")
    k_off: Array = param(math.log(2.0) / 1.69, "1/s", "ln 2 / half-decay time in neurons (lower bound)")
    total: Array = param(10.0, "µM", "indicator concentration (assumed)")


class JGCaMP7f(AbstractIndicator):
    __doc__ = f"""jGCaMP7f (Dana et al. 2019, fast): Kd 0.174 µM, n 2.3, Fmax/Fmin 30.

    {_NOTE} Half-decay after 10 action potentials about 0.27 s.

    **Example:** `JGCaMP7f().fraction_bound(0.174)` is 0.5.
    """

    name: ClassVar[str] = "jgcamp7f"
    citation: ClassVar[str] = _DANA

    Kd: Array = param(0.174, "µM", "apparent dissociation constant (unverified)")
    n: Array = param(2.3, "1", "Hill coefficient (unverified)")
    dr: Array = param(30.2, "1", "Fmax/Fmin (unverified)")
    k_off: Array = param(math.log(2.0) / 0.27, "1/s", "ln 2 / half-decay time in neurons (lower bound)")
    total: Array = param(10.0, "µM", "indicator concentration (assumed)")


class JGCaMP8f(AbstractIndicator):
    __doc__ = f"""jGCaMP8f (Zhang et al. 2023, fastest): Kd 0.334 µM, n 2.09, Fmax/Fmin 79.

    {_NOTE} Half-decay after one action potential 67 ms; half-rise about 7 ms.

    **Example:** `JGCaMP8f().fraction_bound(0.334)` is 0.5.
    """

    name: ClassVar[str] = "jgcamp8f"
    citation: ClassVar[str] = _ZHANG

    Kd: Array = param(0.334, "µM", "apparent dissociation constant (unverified)")
    n: Array = param(2.09, "1", "Hill coefficient (unverified)")
    dr: Array = param(78.8, "1", "Fmax/Fmin (unverified)")
    k_off: Array = param(math.log(2.0) / 0.067, "1/s", "ln 2 / half-decay time in neurons (lower bound)")
    total: Array = param(10.0, "µM", "indicator concentration (assumed)")


class JGCaMP8m(AbstractIndicator):
    __doc__ = f"""jGCaMP8m (Zhang et al. 2023, medium): Kd 0.108 µM, n 1.92, Fmax/Fmin 49.

    {_NOTE} Half-decay after one action potential 118 ms.

    **Example:** `JGCaMP8m().fraction_bound(0.108)` is 0.5.
    """

    name: ClassVar[str] = "jgcamp8m"
    citation: ClassVar[str] = _ZHANG

    Kd: Array = param(0.108, "µM", "apparent dissociation constant (unverified)")
    n: Array = param(1.92, "1", "Hill coefficient (unverified)")
    dr: Array = param(49.3, "1", "Fmax/Fmin (unverified)")
    k_off: Array = param(math.log(2.0) / 0.118, "1/s", "ln 2 / half-decay time in neurons (lower bound)")
    total: Array = param(10.0, "µM", "indicator concentration (assumed)")


class JGCaMP8s(AbstractIndicator):
    __doc__ = f"""jGCaMP8s (Zhang et al. 2023, most sensitive): Kd 0.046 µM, n 2.2, Fmax/Fmin 49.

    {_NOTE} Half-decay after one action potential 307 ms.

    **Example:** `JGCaMP8s().fraction_bound(0.046)` is 0.5.
    """

    name: ClassVar[str] = "jgcamp8s"
    citation: ClassVar[str] = _ZHANG

    Kd: Array = param(0.046, "µM", "apparent dissociation constant (unverified)")
    n: Array = param(2.2, "1", "Hill coefficient (unverified)")
    dr: Array = param(49.4, "1", "Fmax/Fmin (unverified)")
    k_off: Array = param(math.log(2.0) / 0.307, "1/s", "ln 2 / half-decay time in neurons (lower bound)")
    total: Array = param(10.0, "µM", "indicator concentration (assumed)")
