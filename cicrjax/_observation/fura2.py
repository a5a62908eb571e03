"""Ratiometric Fura-2: the 340/380 nm excitation ratio."""

from typing import ClassVar

from jaxtyping import Array

from .._parameters import param
from .ratio_indicator import AbstractRatioIndicator


class Fura2(AbstractRatioIndicator):
    """Fura-2 340/380 nm excitation ratio (Grynkiewicz, Poenie & Tsien 1985, J Biol Chem 260:3440).

    Kd = 0.224 µM is Grynkiewicz 1985 as quoted in MODELS.md §9 (taken from a calculator page, the paper itself not
    read: unverified). R_min, R_max and Sf2/Sb2 depend on the set-up: the defaults are illustrative placeholders,
    not published values; calibrate them in situ.

    **Example:** `Fura2().calcium(Fura2()(0.1))` is 0.1.
    """

    name: ClassVar[str] = "fura2"
    citation: ClassVar[str] = "Grynkiewicz G, Poenie M, Tsien RY (1985) J Biol Chem 260:3440-3450"

    Kd: Array = param(0.224, "µM", "dissociation constant (unverified)")
    R_min: Array = param(0.3, "1", "340/380 ratio of Ca-free dye (placeholder; calibrate)")
    R_max: Array = param(6.0, "1", "340/380 ratio of Ca-saturated dye (placeholder; calibrate)")
    Sf2_Sb2: Array = param(5.0, "1", "380 nm fluorescence of free over bound dye (placeholder; calibrate)")
