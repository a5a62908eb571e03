"""Synthetic single-wavelength Ca dyes: Fluo-3, Fluo-4 and Cal-520 (1:1 binding)."""

from typing import ClassVar

from jaxtyping import Array

from .._parameters import param
from .indicator import AbstractIndicator


class Fluo3(AbstractIndicator):
    """Fluo-3 (Minta, Kao & Tsien 1989, J Biol Chem 264:8171), 1:1 binding.

    Kd = 0.39 µM and Fmax/Fmin = 40 are Minta 1989 as quoted in MODELS.md §9, marked there as unverified against
    the paper (Kd in cells is markedly higher, Cell Calcium 2012 52:170). k_off = 137 s⁻¹ is the free-dye value
    of Baylor & Hollingworth (CellML baylor_hollingworth_chandler_2002_b, with an inferred unit scale); k_on follows
    as k_off/Kd. Total dye 50 µM is the spark-model loading of Smith et al. 1998 (unverified).

    **Example:** `Fluo3().fraction_bound(0.39)` is 0.5.
    """

    name: ClassVar[str] = "fluo3"
    citation: ClassVar[str] = "Minta A, Kao JPY, Tsien RY (1989) J Biol Chem 264:8171-8178"

    Kd: Array = param(0.39, "µM", "dissociation constant (unverified)")
    hill: Array = param(1.0, "1", "Hill coefficient")
    dynamic_range: Array = param(40.0, "1", "Fmax/Fmin (unverified)")
    k_off: Array = param(137.0, "1/s", "unbinding rate (Baylor & Hollingworth 2002, free dye)")
    total: Array = param(50.0, "µM", "total dye concentration (Smith et al. 1998 loading, unverified)")


class Fluo4(AbstractIndicator):
    """Fluo-4 (Gee et al. 2000, Cell Calcium 27:97), 1:1 binding.

    Kd = 0.345 µM and Fmax/Fmin = 100 (">100") are Gee 2000 as quoted in MODELS.md §9, marked there as
    unverified. No fluo-4 rate constant is recorded in MODELS.md: k_off = 137 s⁻¹ is fluo-3's free-dye value
    (Baylor & Hollingworth 2002), an assumption for this difluoro analogue of fluo-3. Total dye 50 µM is a typical
    AM loading (unverified; fluo-4 at the loading of Yasuda et al. 2004 gives κ_B ≈ 220).

    **Example:** `Fluorescence(Fluo4(), kind="df_f0")(ca)`
    """

    name: ClassVar[str] = "fluo4"
    citation: ClassVar[str] = "Gee KR et al. (2000) Cell Calcium 27:97-106"

    Kd: Array = param(0.345, "µM", "dissociation constant (unverified)")
    hill: Array = param(1.0, "1", "Hill coefficient")
    dynamic_range: Array = param(100.0, "1", "Fmax/Fmin (unverified)")
    k_off: Array = param(137.0, "1/s", "unbinding rate (fluo-3 value, assumed)")
    total: Array = param(50.0, "µM", "total dye concentration (typical loading, unverified)")


class Cal520(AbstractIndicator):
    """Cal-520 (AAT Bioquest), 1:1 binding; rated the best puff reporter by Lock, Parker & Smith 2015 (Cell Calcium).

    Kd = 0.32 µM is the vendor value quoted in MODELS.md §9, unverified. MODELS.md gives no dynamic range or rate
    constant: Fmax/Fmin = 100 and k_off = 137 s⁻¹ (fluo-3's, Baylor & Hollingworth 2002) are assumptions.

    **Example:** `Cal520().calcium(2.0)`
    """

    name: ClassVar[str] = "cal520"
    citation: ClassVar[str] = "Lock JT, Parker I, Smith IF (2015) Cell Calcium 58:638-648"

    Kd: Array = param(0.32, "µM", "dissociation constant (vendor, unverified)")
    hill: Array = param(1.0, "1", "Hill coefficient")
    dynamic_range: Array = param(100.0, "1", "Fmax/Fmin (assumed)")
    k_off: Array = param(137.0, "1/s", "unbinding rate (fluo-3 value, assumed)")
    total: Array = param(50.0, "µM", "total dye concentration (typical loading, unverified)")
