"""A user-specified Hill-binding indicator, for dyes not in the catalogue."""

from typing import ClassVar

from jaxtyping import Array

from .._parameters import param
from .indicator import AbstractIndicator


class HillIndicator(AbstractIndicator):
    """A single-wavelength indicator with the constants you give it (no defaults from a paper); on the command line
    `--indicator hill:Kd=0.5,n=1,dr=20` (see [`cicrjax.parse_indicator`][]).

    **Arguments:** `Kd` (µM), `n` Hill coefficient, `dr` dynamic range Fmax/Fmin, `k_off` (s⁻¹), `total` dye (µM).

    **Example:** `HillIndicator(Kd=1.1, n=1.0, dr=10.0, k_off=300.0, total=20.0)`
    """

    name: ClassVar[str] = "hill"
    citation: ClassVar[str] = "user-specified"

    Kd: Array = param(1.0, "µM", "dissociation constant")
    n: Array = param(1.0, "1", "Hill coefficient")
    dr: Array = param(10.0, "1", "dynamic range Fmax/Fmin")
    k_off: Array = param(100.0, "1/s", "unbinding rate")
    total: Array = param(10.0, "µM", "total indicator concentration")
