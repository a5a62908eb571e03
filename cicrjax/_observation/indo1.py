"""Ratiometric Indo-1: the 405/485 nm emission ratio."""

from typing import ClassVar

from jaxtyping import Array

from .._parameters import param
from .ratio_indicator import AbstractRatioIndicator


class Indo1(AbstractRatioIndicator):
    """Indo-1 405/485 nm emission ratio under UV excitation (Grynkiewicz, Poenie & Tsien 1985, J Biol Chem 260:3440).

    Kd = 0.25 µM is the Grynkiewicz 1985 value for indo-1 (unverified here: the paper was not read in this project).
    The emission ratio rises with Ca because bound dye emits at 405 nm and free dye at 485 nm. R_min, R_max and
    Sf2/Sb2 (free over bound at 485 nm) depend on filters and detectors: the defaults are illustrative placeholders,
    not published values; calibrate them in situ.

    **Example:** `Indo1().calcium(Indo1()(0.1))` is 0.1.
    """

    name: ClassVar[str] = "indo1"
    citation: ClassVar[str] = "Grynkiewicz G, Poenie M, Tsien RY (1985) J Biol Chem 260:3440-3450"

    Kd: Array = param(0.25, "µM", "dissociation constant (unverified)")
    R_min: Array = param(0.5, "1", "405/485 ratio of Ca-free dye (placeholder; calibrate)")
    R_max: Array = param(5.0, "1", "405/485 ratio of Ca-saturated dye (placeholder; calibrate)")
    Sf2_Sb2: Array = param(3.0, "1", "485 nm fluorescence of free over bound dye (placeholder; calibrate)")
