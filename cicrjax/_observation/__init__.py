"""Observation models: indicators, fluorescence read-outs, bleaching, exposure and measurement noise."""

from .bleaching import (
    AbstractBleaching as AbstractBleaching,
    BiExponentialBleaching as BiExponentialBleaching,
    MonoExponentialBleaching as MonoExponentialBleaching,
)
from .camera import PoissonGaussianNoise as PoissonGaussianNoise
from .catalogue import (
    INDICATORS as INDICATORS,
    RATIO_INDICATORS as RATIO_INDICATORS,
    parse_indicator as parse_indicator,
)
from .dyes import (
    Cal520 as Cal520,
    Cal590 as Cal590,
    Fluo3 as Fluo3,
    Fluo4 as Fluo4,
    Fluo8 as Fluo8,
    Rhod2 as Rhod2,
    XRhod1 as XRhod1,
)
from .exposure import FrameExposure as FrameExposure
from .fluorescence import Fluorescence as Fluorescence
from .fura2 import Fura2 as Fura2
from .gaussian import GaussianNoise as GaussianNoise
from .gcamp import GCaMP6f as GCaMP6f, GCaMP6m as GCaMP6m, GCaMP6s as GCaMP6s
from .hill_indicator import HillIndicator as HillIndicator
from .indicator import AbstractIndicator as AbstractIndicator
from .indo1 import Indo1 as Indo1
from .jgcamp import (
    JGCaMP7f as JGCaMP7f,
    JGCaMP7s as JGCaMP7s,
    JGCaMP8f as JGCaMP8f,
    JGCaMP8m as JGCaMP8m,
    JGCaMP8s as JGCaMP8s,
)
from .lognormal import LogNormalNoise as LogNormalNoise
from .noise import AbstractNoise as AbstractNoise
from .pseudo_ratio import pseudo_ratio_calcium as pseudo_ratio_calcium
from .ratio_indicator import AbstractRatioIndicator as AbstractRatioIndicator
from .with_indicator import WithIndicator as WithIndicator
