"""Preprocessing of recordings (baseline, bleaching, beats, resampling) and per-beat transient metrics."""

from .baseline import (
    normalise as normalise,
    percentile_baseline as percentile_baseline,
    rolling_baseline as rolling_baseline,
)
from .beats import Beats as Beats, average_beats as average_beats, detect_beats as detect_beats
from .bleaching_correction import correct_bleaching as correct_bleaching
from .metrics import METRICS as METRICS, beat_metrics as beat_metrics, transient_metrics as transient_metrics
from .pacing import PacingEstimate as PacingEstimate, estimate_pacing as estimate_pacing
from .resample import resample as resample, trim as trim
