"""Read-outs of simulated traces: peaks and the oscillation period (NumPy, outside jit)."""

import numpy as np
from jaxtyping import ArrayLike


def find_peaks(ts: ArrayLike, y: ArrayLike, *, min_rise: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Local maxima of a trace, refined by a parabola through each peak sample and its neighbours.

    A maximum counts if it rises above the trace's range minimum by at least `min_rise` of the range.

    **Arguments:** `ts` times (s), `y` trace, `min_rise` fraction of the range (0–1).

    **Returns:** peak times (s) and heights.

    **Example:** `times, heights = find_peaks(sol.ts, sol["Z"])`
    """
    ts, y = np.asarray(ts, float), np.asarray(y, float)
    lo, hi = y.min(), y.max()
    i = np.flatnonzero((y[1:-1] > y[:-2]) & (y[1:-1] >= y[2:]) & (y[1:-1] > lo + min_rise * (hi - lo))) + 1
    a, b, c = y[i - 1], y[i], y[i + 1]
    denom = a - 2 * b + c
    shift = np.where(denom != 0, 0.5 * (a - c) / np.where(denom != 0, denom, 1.0), 0.0)
    dt = np.diff(ts)
    times = ts[i] + shift * np.where(shift < 0, dt[i - 1], dt[np.minimum(i, len(dt) - 1)])
    heights = b - 0.25 * (a - c) * shift
    return times, heights


def oscillation_period(ts: ArrayLike, y: ArrayLike, *, discard: float = 0.5, min_amplitude: float = 1e-3) -> float:
    """Mean period (s) of a sustained oscillation, from the peaks after the first `discard` fraction of time.

    Returns NaN for a trace that settles (relative peak-to-peak amplitude below `min_amplitude`) or shows
    fewer than three peaks. For bursting traces it is the mean interval between all large peaks.

    **Example:** `oscillation_period(sol.ts, sol["Z"])` is about 2.08 s for `GDB1990(beta=0.301)`.
    """
    ts, y = np.asarray(ts, float), np.asarray(y, float)
    keep = ts >= ts[0] + discard * (ts[-1] - ts[0])
    ts, y = ts[keep], y[keep]
    if y.size < 5 or (y.max() - y.min()) < min_amplitude * max(abs(y.max()), 1e-12):
        return float("nan")
    times, _ = find_peaks(ts, y, min_rise=0.5)
    if times.size < 3:
        return float("nan")
    return float(np.mean(np.diff(times)))
