"""Baseline fluorescence F0 (percentile or rolling percentile) and conversion to F/F0 and ΔF/F0."""

import numpy as np
from jaxtyping import ArrayLike

from .._errors import InputError
from .._recording.errors import RecordingError
from .._recording.recording import Recording


def percentile_baseline(y: ArrayLike, q: float = 10.0) -> np.ndarray:
    """F0 as the `q`-th percentile of each trace (last axis); shape of `y` without its last axis.

    **Example:** `percentile_baseline(rec.traces, 10.0)`
    """
    if not 0 <= q <= 100:
        raise InputError(f"percentile q must lie in [0, 100], got {q}")
    return np.percentile(np.asarray(y, float), q, axis=-1)


def rolling_baseline(time: ArrayLike, y: ArrayLike, window: float, q: float = 10.0) -> np.ndarray:
    """F0(t) as the `q`-th percentile of each trace in a centred window of `window` s (for drifting baselines).

    **Example:** `rolling_baseline(rec.time, rec.traces, window=2.0)`
    """
    time, y = np.asarray(time, float), np.asarray(y, float)
    if not 0 <= q <= 100:
        raise InputError(f"percentile q must lie in [0, 100], got {q}")
    dt = float(np.median(np.diff(time)))
    half = int(round(window / dt / 2))
    if window <= 0 or half < 1:
        raise InputError(f"rolling window {window!r} s must span at least 3 samples (sampling interval {dt:g} s)")
    pad = [(0, 0)] * (y.ndim - 1) + [(half, half)]
    padded = np.pad(y, pad, mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1, axis=-1)
    return np.percentile(windows, q, axis=-1)


def normalise(recording: Recording, kind: str = "df_f0", *, q: float = 10.0, window: float | None = None) -> Recording:
    """A raw recording as F/F0 (`kind="f_f0"`) or ΔF/F0 (`"df_f0"`), F0 by percentile or a rolling window (s).

    Raises `RecordingError` if a baseline is zero or negative (subtract less background).

    **Example:** `normalise(load_recording("ca.csv"), "df_f0", q=10)`
    """
    if kind not in ("f_f0", "df_f0"):
        raise InputError(f"normalise makes 'f_f0' or 'df_f0', not {kind!r}")
    if recording.kind != "raw":
        raise RecordingError(f"normalise needs a raw recording, this one is {recording.kind}")
    traces = recording.traces
    if window is None:
        F0 = percentile_baseline(traces, q)[:, None]
    else:
        F0 = rolling_baseline(recording.time, traces, window, q)
    if np.any(F0 <= 0):
        j = int(np.flatnonzero(np.any(F0 <= 0, axis=-1))[0])
        raise RecordingError(
            f"trace {recording.names[j]!r} has a zero or negative baseline F0; F/F0 needs positive fluorescence "
            "(subtract less background, or pass kind='df_f0' data directly)"
        )
    ratio = traces / F0
    return recording.replace(traces=ratio if kind == "f_f0" else ratio - 1.0, kind=kind)
