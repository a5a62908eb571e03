"""Resampling onto a uniform grid and trimming to a time window."""

import numpy as np

from .._errors import InputError
from .._recording.errors import RecordingError
from .._recording.recording import Recording


def resample(recording: Recording, rate: float) -> Recording:
    """Linear interpolation of every trace onto a uniform grid at `rate` Hz from the first sample.

    **Example:** `resample(rec, 100.0).sampling_rate` is 100.
    """
    if not (np.isfinite(rate) and rate > 0):
        raise InputError(f"resampling rate must be a positive number of Hz, got {rate!r}")
    n = int(np.floor(recording.duration * rate + 1e-9)) + 1
    if n < 2:
        raise RecordingError(f"resampling at {rate:g} Hz leaves fewer than 2 samples; use a higher rate")
    time = recording.time[0] + np.arange(n) / rate
    traces = np.stack([np.interp(time, recording.time, y) for y in recording.traces])
    stim = recording.stimulus_times
    return recording.replace(time=time, traces=traces, stimulus_times=stim, image=None)


def trim(recording: Recording, start: float | None = None, stop: float | None = None) -> Recording:
    """The samples with `start <= t <= stop` (s); either bound may be None.

    **Example:** `trim(rec, 1.0, 5.0)`
    """
    lo = -np.inf if start is None else start
    hi = np.inf if stop is None else stop
    keep = (recording.time >= lo) & (recording.time <= hi)
    if keep.sum() < 2:
        raise RecordingError(
            f"trimming to [{start}, {stop}] s keeps {int(keep.sum())} sample(s); the recording spans "
            f"{recording.time[0]:g}–{recording.time[-1]:g} s"
        )
    image = None if recording.image is None else recording.image[:, keep]
    return recording.replace(time=recording.time[keep], traces=recording.traces[:, keep], image=image)
