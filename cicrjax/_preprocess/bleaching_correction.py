"""Bleaching correction: fit a mono- or bi-exponential decay to the baseline and divide it out."""

import numpy as np

from .._errors import InputError
from .._observation.bleaching import BiExponentialBleaching, MonoExponentialBleaching
from .._recording.errors import RecordingError
from .._recording.recording import Recording


def _baseline_points(t, y, window, q):
    """One (time, value) point per window of `window` s: the q-th percentile and the mean time of samples below it."""
    edges = np.arange(t[0], t[-1] + window, window)
    points = []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        inside = (t >= lo) & (t < hi)
        if inside.sum() < 2:
            continue
        level = np.percentile(y[inside], q)
        below = inside & (y <= level)
        points.append((t[below].mean(), level))
    return np.array(points).T


def _fit_mono(tb, b):
    slope, intercept = np.polyfit(tb, np.log(b), 1)
    if slope >= 0:
        return None, lambda t: np.exp(intercept) * np.ones_like(t)
    return -1.0 / slope, lambda t: np.exp(intercept + slope * t)


def _fit_bi(tb, b, duration):
    """Variable projection: amplitudes by non-negative least squares on a (τ_fast, τ_slow) grid, coarse then fine."""

    def search(fast, slow, best):
        for tf in fast:
            for ts in slow[slow > tf]:
                basis = np.column_stack([np.exp(-tb / tf), np.exp(-tb / ts)])
                coef, *_ = np.linalg.lstsq(basis, b, rcond=None)
                if np.any(coef < 0):
                    continue
                err = float(np.sum((basis @ coef - b) ** 2))
                if best is None or err < best[0]:
                    best = (err, tf, ts, coef)
        return best

    taus = np.geomspace(duration / 500, duration * 20, 60)
    best = search(taus, taus, None)
    for _ in range(2):
        if best is not None:
            step = np.geomspace(1 / 1.2, 1.2, 21)
            best = search(best[1] * step, best[2] * step, best)
    return best


def correct_bleaching(
    recording: Recording, model: str = "mono", *, window: float | None = None, q: float = 10.0
) -> tuple[Recording, list]:
    """Divide each trace by an exponential fitted to its baseline: the `q`-th percentile in windows of `window` s.

    **Arguments:** `model` `"mono"` or `"bi"`; `window` and `q` set the rolling-percentile baseline.

    **Returns:** the corrected recording (same kind) and one fitted `MonoExponentialBleaching` or
    `BiExponentialBleaching` per trace (None where no decay was found).

    **Example:** `corrected, fits = correct_bleaching(rec, "mono")`
    """
    if model not in ("mono", "bi"):
        raise InputError(f"bleaching model must be 'mono' or 'bi', got {model!r}")
    if recording.kind in ("df_f0",):
        raise RecordingError("correct bleaching before converting to ΔF/F0 (it needs positive F or F/F0)")
    t = recording.time - recording.time[0]
    window = recording.duration / 10 if window is None else window
    if not 0 < window <= recording.duration / 2:
        raise InputError(
            f"bleaching window {window!r} s must lie in (0, half the recording = {recording.duration / 2:g}]"
        )
    if np.any(recording.traces <= 0):
        raise RecordingError("bleaching correction needs positive fluorescence; subtract less background")
    corrected, fits = [], []
    for y in recording.traces:
        tb, b = _baseline_points(t, y, window, q)
        best = _fit_bi(tb, b, recording.duration) if model == "bi" else None
        if best is None:
            tau, curve = _fit_mono(tb, b)
            fits.append(None if tau is None else MonoExponentialBleaching(tau=tau))
            values = curve(t)
        else:
            _, tf, ts, coef = best
            values = coef[0] * np.exp(-t / tf) + coef[1] * np.exp(-t / ts)
            fits.append(BiExponentialBleaching(tau_fast=tf, tau_slow=ts, fraction_fast=coef[0] / coef.sum()))
        corrected.append(y / (values / values[0]))
    return recording.replace(traces=np.stack(corrected)), fits
