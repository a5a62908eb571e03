"""The pacing of a recording estimated from its beats: cycle length and the phase of the stimuli."""

import dataclasses
import math

import numpy as np
from jaxtyping import ArrayLike

from .._errors import InputError
from .beats import detect_beats


@dataclasses.dataclass(frozen=True)
class PacingEstimate:
    """Pacing inferred from a trace: `period` (s, the least-squares interval between beat peaks), `first` (s, a
    stimulus time at or before the first sample: the median phase of the upstrokes' feet, moved back by whole
    periods) and the number of `beats` detected."""

    period: float
    first: float
    beats: int


def _foot(y: np.ndarray, start: int, peak: int) -> int:
    """The foot of an upstroke: the last sample before `peak` still within 10 % of the rise above `start`."""
    low = y[start] + 0.1 * (y[peak] - y[start])
    below = np.nonzero(y[start : peak + 1] <= low)[0]
    return start + int(below[-1]) if below.size else start


def estimate_pacing(time: ArrayLike, y: ArrayLike) -> PacingEstimate:
    """The cycle length and stimulus phase of a regularly beating trace, from its beats ([`cicrjax.detect_beats`][]
    by peaks; each beat starts at the minimum before its upstroke).

    Raises `InputError` when fewer than two beats are found or a peak strays more than a quarter period from the
    fitted regular rhythm (irregular beating, where no single cycle length holds).

    **Example:** `estimate_pacing(rec.time, rec.traces[0]).period` is 0.14 s for comb-cardiac-paced.
    """
    time, y = np.asarray(time, float), np.asarray(y, float)
    beats = detect_beats(time, y)
    if len(beats) < 2:
        raise InputError(
            f"found {len(beats)} beat(s) in the recording, too few to estimate the cycle length; "
            "give --pacing-period S (or pacing_period)"
        )
    k = np.arange(len(beats))
    peaks = time[beats.peak]
    onsets = time[[_foot(y, s, p) for s, p in zip(beats.start, beats.peak, strict=True)]]
    period, intercept = (float(v) for v in np.polyfit(k, peaks, 1))  # peaks are sharper than the onsets
    spread = float(np.max(np.abs(peaks - (intercept + period * k))))
    if not period > 0 or spread > 0.25 * period:
        raise InputError(
            f"the beats are too irregular for one cycle length (peak times stray {spread:g} s from a regular "
            f"{period:g} s rhythm); give --pacing-period S"
        )
    onset = float(np.median(onsets - period * k))  # the phase of the first stimulus, from every beat's foot
    first = onset - math.ceil((onset - float(time[0])) / period - 1e-9) * period
    return PacingEstimate(period, first, len(beats))
