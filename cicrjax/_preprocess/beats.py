"""Beat detection and segmentation (by pacing period, stimulus times or peaks), and beat averaging."""

import dataclasses

import numpy as np
from jaxtyping import ArrayLike

from .._errors import InputError
from .._recording.errors import RecordingError


@dataclasses.dataclass(frozen=True)
class Beats:
    """Beat windows of one trace, as sample indices: beat k spans `start[k]:stop[k]` and peaks at `peak[k]`."""

    start: np.ndarray
    peak: np.ndarray
    stop: np.ndarray

    def __len__(self) -> int:
        return int(self.start.size)


def _peaks(y: np.ndarray, high: float, low: float) -> np.ndarray:
    """One peak (argmax) per excursion above `high`, excursions ending when the trace falls below `low`."""
    peaks, inside, best = [], False, 0
    for i, v in enumerate(y):
        if not inside and v > high:
            inside, best = True, i
        elif inside:
            if v > y[best]:
                best = i
            if v < low:
                peaks.append(best)
                inside = False
    if inside:
        peaks.append(best)
    return np.array(peaks, dtype=int)


def detect_beats(
    time: ArrayLike,
    y: ArrayLike,
    *,
    pacing_period: float | None = None,
    stimulus_times: ArrayLike | None = None,
    threshold: float = 0.5,
) -> Beats:
    """Segment one trace into beats.

    - With `stimulus_times` (s): beat k runs from stimulus k to stimulus k + 1.
    - With `pacing_period` (s): windows of one period, phased at the minimum of the trace folded at that period;
      only whole windows count.
    - Otherwise by peaks: one peak per excursion above `threshold` of the range (hysteresis at 0.6 of it), beats
      run from the minimum before each peak to the next; a beat that starts high or never decays halfway is dropped.

    Raises `RecordingError` if the trace is shorter than one pacing period.

    **Example:** `len(detect_beats(rec.time, rec.traces[0], pacing_period=0.14))` is 7 for comb-cardiac-paced.
    """
    time, y = np.asarray(time, float), np.asarray(y, float)
    if time.ndim != 1 or time.shape != y.shape:
        raise InputError(f"time and y must be 1-D of one length, got shapes {time.shape} and {y.shape}")
    if not 0 < threshold < 1:
        raise InputError(f"threshold must lie in (0, 1) (a fraction of the trace's range), got {threshold!r}")
    n = y.size
    dt = float(np.median(np.diff(time)))
    lo, hi = float(y.min()), float(y.max())
    if stimulus_times is not None:
        stim = np.asarray(stimulus_times, float)
        starts = np.searchsorted(time, stim[(stim >= time[0]) & (stim < time[-1])])
        stops = np.append(starts[1:], n)
    elif pacing_period is not None:
        if not pacing_period > 0:
            raise RecordingError(f"pacing_period must be > 0 s, got {pacing_period!r}")
        per = int(round(pacing_period / dt))
        if n < per or per < 2:
            raise RecordingError(
                f"the recording has {n} samples ({time[-1] - time[0]:g} s), fewer than one beat of "
                f"{pacing_period:g} s ({per} samples); record longer or check --pacing-period"
            )
        phase_bins = ((time - time[0]) / dt).round().astype(int) % per
        folded = np.bincount(phase_bins, weights=y, minlength=per) / np.maximum(
            np.bincount(phase_bins, minlength=per), 1
        )
        width = max(1, per // 50)  # circular moving average over 2% of the period against noise
        smooth = np.convolve(np.concatenate([folded[-width:], folded, folded[:width]]), np.ones(width) / width, "same")
        first = int(np.argmin(smooth[width:-width]))
        starts = np.arange(first, n - per + 1, per)
        stops = starts + per
    else:
        span = hi - lo
        peaks = _peaks(y, lo + threshold * span, lo + 0.6 * threshold * span) if span > 0 else np.zeros(0, int)
        if peaks.size == 0:
            return Beats(np.zeros(0, int), np.zeros(0, int), np.zeros(0, int))
        prev = np.concatenate([[0], peaks[:-1]])
        starts = np.array([p0 + int(np.argmin(y[p0 : p + 1])) for p0, p in zip(prev, peaks, strict=True)])
        stops = np.append(starts[1:], n)
        keep = []
        for s, p, e in zip(starts, peaks, stops, strict=True):
            amp = y[p] - y[s]
            rises = y[s] < lo + 0.6 * threshold * span and p > s
            decays = np.any(y[p:e] < y[s] + 0.5 * amp)
            keep.append(rises and decays)
        keep = np.array(keep, bool)
        return Beats(starts[keep], peaks[keep], stops[keep])
    peaks = np.array([s + int(np.argmax(y[s:e])) for s, e in zip(starts, stops, strict=True)], dtype=int)
    return Beats(starts.astype(int), peaks, stops.astype(int))


def average_beats(y: ArrayLike, beats: Beats) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of the beats of one trace, aligned at their starts, over the shortest beat.

    **Example:** `mean, std = average_beats(rec.traces[0], beats)`
    """
    y = np.asarray(y, float)
    if len(beats) == 0:
        raise RecordingError("no beats to average; check the pacing period or the threshold")
    length = int(np.min(beats.stop - beats.start))
    stack = np.stack([y[s : s + length] for s in beats.start])
    return stack.mean(axis=0), stack.std(axis=0)
