"""Synthetic single-wavelength Ca dyes (1:1 binding): green Fluo-3, Fluo-4, Fluo-8, Cal-520; red Rhod-2, X-Rhod-1,
Cal-590."""

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
    n: Array = param(1.0, "1", "Hill coefficient")
    dr: Array = param(40.0, "1", "Fmax/Fmin (unverified)")
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
    n: Array = param(1.0, "1", "Hill coefficient")
    dr: Array = param(100.0, "1", "Fmax/Fmin (unverified)")
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
    n: Array = param(1.0, "1", "Hill coefficient")
    dr: Array = param(100.0, "1", "Fmax/Fmin (assumed)")
    k_off: Array = param(137.0, "1/s", "unbinding rate (fluo-3 value, assumed)")
    total: Array = param(50.0, "µM", "total dye concentration (typical loading, unverified)")


# Rate constants of the newer dyes are not published with them; BAPTA-type dyes share a diffusion-limited k_on, so
# k_off follows from Kd at fluo-3's k_on = 137 s⁻¹ / 0.39 µM ≈ 350 µM⁻¹s⁻¹ (an assumption, not a measurement).
_K_ON_BAPTA = 137.0 / 0.39


class Fluo8(AbstractIndicator):
    """Fluo-8 (AAT Bioquest), 1:1 binding: Kd 0.389 µM, about 200-fold brighter with Ca bound.

    Kd = 389 nM and Fmax/Fmin ≈ 200 are the manufacturer's figures (AAT Bioquest Fluo-8 product data; Fluo-8H 232 nM
    and Fluo-8L 1.86 µM are separate products), not read from a peer-reviewed paper. k_off from fluo-3's k_on
    (assumed). Compared with other green dyes in Lock, Parker & Smith 2015 (Cell Calcium 58:638).

    **Example:** `Fluo8().fraction_bound(0.389)` is 0.5.
    """

    name: ClassVar[str] = "fluo8"
    citation: ClassVar[str] = "AAT Bioquest Fluo-8 data sheet; Lock JT, Parker I, Smith IF (2015) Cell Calcium 58:638"

    Kd: Array = param(0.389, "µM", "dissociation constant (manufacturer)")
    n: Array = param(1.0, "1", "Hill coefficient")
    dr: Array = param(200.0, "1", "Fmax/Fmin (manufacturer, about 200-fold)")
    k_off: Array = param(0.389 * _K_ON_BAPTA, "1/s", "unbinding rate (fluo-3's k_on times Kd, assumed)")
    total: Array = param(50.0, "µM", "total dye concentration (typical loading, unverified)")


class Rhod2(AbstractIndicator):
    """Rhod-2 (Minta, Kao & Tsien 1989, J Biol Chem 264:8171), red 1:1 dye used in optical mapping: Kd 0.57 µM.

    Kd = 570 nM and a Ca-dependent increase of more than 100-fold (Fmax/Fmin = 100 taken) are the Molecular Probes
    Handbook figures for rhod-2 (its table of visible-light Ca indicators), not read from the 1989 paper here; in
    cells the Kd is higher and AM loading partly fills mitochondria. k_off from fluo-3's k_on (assumed).

    **Example:** `Rhod2().fraction_bound(0.57)` is 0.5.
    """

    name: ClassVar[str] = "rhod2"
    citation: ClassVar[str] = "Minta A, Kao JPY, Tsien RY (1989) J Biol Chem 264:8171-8178"

    Kd: Array = param(0.57, "µM", "dissociation constant (Molecular Probes Handbook)")
    n: Array = param(1.0, "1", "Hill coefficient")
    dr: Array = param(100.0, "1", "Fmax/Fmin (>100-fold, Molecular Probes Handbook)")
    k_off: Array = param(0.57 * _K_ON_BAPTA, "1/s", "unbinding rate (fluo-3's k_on times Kd, assumed)")
    total: Array = param(50.0, "µM", "total dye concentration (typical loading, unverified)")


class XRhod1(AbstractIndicator):
    """X-Rhod-1 (Molecular Probes), red-shifted rhodamine 1:1 dye: Kd 0.70 µM.

    Kd = 700 nM and a Ca-dependent increase of more than 100-fold (Fmax/Fmin = 100 taken) are the Molecular Probes
    Handbook figures (its table of visible-light Ca indicators), unverified here. One of the dyes compared by Lock,
    Parker & Smith 2015 (Cell Calcium 58:638). k_off from fluo-3's k_on (assumed).

    **Example:** `XRhod1().fraction_bound(0.7)` is 0.5.
    """

    name: ClassVar[str] = "xrhod1"
    citation: ClassVar[str] = "Molecular Probes Handbook (Thermo Fisher), X-rhod-1 entry"

    Kd: Array = param(0.70, "µM", "dissociation constant (Molecular Probes Handbook)")
    n: Array = param(1.0, "1", "Hill coefficient")
    dr: Array = param(100.0, "1", "Fmax/Fmin (>100-fold, Molecular Probes Handbook)")
    k_off: Array = param(0.70 * _K_ON_BAPTA, "1/s", "unbinding rate (fluo-3's k_on times Kd, assumed)")
    total: Array = param(50.0, "µM", "total dye concentration (typical loading, unverified)")


class Cal590(AbstractIndicator):
    """Cal-590 (AAT Bioquest), red 1:1 dye for deep two-photon imaging (Tischbirek et al. 2015, PNAS 112:11377).

    Kd = 561 nM is the manufacturer's value quoted by Tischbirek 2015; the manufacturer's application note gives
    a more than 100-fold fluorescence enhancement for Cal-520, Cal-590 and Cal-630 (Fmax/Fmin = 100 taken).
    k_off from fluo-3's k_on (assumed).

    **Example:** `Cal590().fraction_bound(0.561)` is 0.5.
    """

    name: ClassVar[str] = "cal590"
    citation: ClassVar[str] = "Tischbirek C, Birkner A, Jia H, Sakmann B, Konnerth A (2015) PNAS 112:11377-11382"

    Kd: Array = param(0.561, "µM", "dissociation constant (manufacturer, via Tischbirek 2015)")
    n: Array = param(1.0, "1", "Hill coefficient")
    dr: Array = param(100.0, "1", "Fmax/Fmin (>100-fold, manufacturer)")
    k_off: Array = param(0.561 * _K_ON_BAPTA, "1/s", "unbinding rate (fluo-3's k_on times Kd, assumed)")
    total: Array = param(50.0, "µM", "total dye concentration (typical loading, unverified)")
