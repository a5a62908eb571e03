"""Observation models: indicators, fluorescence read-outs, bleaching, exposure and measurement noise."""

from .bleaching import (
    AbstractBleaching as AbstractBleaching,
    BiExponentialBleaching as BiExponentialBleaching,
    MonoExponentialBleaching as MonoExponentialBleaching,
)
from .camera import PoissonGaussianNoise as PoissonGaussianNoise
from .dyes import Cal520 as Cal520, Fluo3 as Fluo3, Fluo4 as Fluo4
from .exposure import FrameExposure as FrameExposure
from .fluorescence import Fluorescence as Fluorescence
from .fura2 import Fura2 as Fura2
from .gaussian import GaussianNoise as GaussianNoise
from .gcamp import GCaMP6f as GCaMP6f, GCaMP6m as GCaMP6m, GCaMP6s as GCaMP6s
from .hill_indicator import HillIndicator as HillIndicator
from .indicator import AbstractIndicator as AbstractIndicator
from .lognormal import LogNormalNoise as LogNormalNoise
from .noise import AbstractNoise as AbstractNoise
from .pseudo_ratio import pseudo_ratio_calcium as pseudo_ratio_calcium
from .with_indicator import WithIndicator as WithIndicator

INDICATORS = {cls.name: cls for cls in (Fluo3, Fluo4, Cal520, GCaMP6s, GCaMP6m, GCaMP6f)}
