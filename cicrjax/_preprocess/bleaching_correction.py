"""Bleaching correction: fit a mono- or bi-exponential decay to the baseline and divide it out."""

import numpy as np

from .._observation.bleaching import BiExponentialBleaching, MonoExponentialBleaching
from .._recording.errors import RecordingError
from .._recording.recording import Recording
from .baseline import rolling_baseline


def _fit_mono(t, b):
    slope, intercept = np.polyfit(t, np.log(b), 1)
    if slope >= 0:
        return None, np.exp(intercept) * np.ones_like(t)
    return -1.0 / slope, np.exp(intercept - t / (-1.0 / slope))


def _fit_bi(t, b, duration):
    best = None
    taus = np.geomspace(duration / 200, duration * 20, 40)
    for i, tf in enumerate(taus):
        for ts in taus[i + 1 :]:
            basis = np.column_stack([np.exp(-t / tf), np.exp(-t / ts)])
            coef, *_ = np.linalg.lstsq(basis, b, rcond=None)
            if np.any(coef < 0):
                continue
            err = float(np.sum((basis @ coef - b) ** 2))
            if best is None or err < best[0]:
                best = (err, tf, ts, coef)
    return best


def correct_bleaching(
    recording: Recording, model: str = "mono", *, window: float | None = None, q: float = 10.0
) -> tuple[Recording, list]:
    """Divide each trace by an exponential fitted to its rolling baseline (window s, default a tenth of the span).

    **Arguments:** `model` `"mono"` or `"bi"`; `window` and `q` set the rolling-percentile baseline.

    **Returns:** the corrected recording (same kind) and one fitted `MonoExponentialBleaching` or
    `BiExponentialBleaching` per trace (None where no decay was found).

    **Example:** `corrected, fits = correct_bleaching(rec, "mono")`
    """
    if model not in ("mono", "bi"):
        raise ValueError(f"bleaching model must be 'mono' or 'bi', got {model!r}")
    if recording.kind in ("df_f0",):
        raise RecordingError("correct bleaching before converting to ΔF/F0 (it needs positive F or F/F0)")
    t = recording.time - recording.time[0]
    window = recording.duration / 10 if window is None else window
    baseline = rolling_baseline(recording.time, recording.traces, window, q)
    if np.any(baseline <= 0):
        raise RecordingError("bleaching correction needs positive fluorescence; subtract less background")
    corrected, fits = [], []
    for b, y in zip(baseline, recording.traces, strict=True):
        if model == "mono":
            tau, curve = _fit_mono(t, b)
            fits.append(None if tau is None else MonoExponentialBleaching(tau=tau))
        else:
            best = _fit_bi(t, b, recording.duration)
            if best is None:
                tau, curve = _fit_mono(t, b)
                fits.append(None if tau is None else MonoExponentialBleaching(tau=tau))
            else:
                _, tf, ts, coef = best
                curve = coef[0] * np.exp(-t / tf) + coef[1] * np.exp(-t / ts)
                fits.append(BiExponentialBleaching(tau_fast=tf, tau_slow=ts, fraction_fast=coef[0] / coef.sum()))
        corrected.append(y / (curve / curve[0]))
    return recording.replace(traces=np.stack(corrected)), fits
