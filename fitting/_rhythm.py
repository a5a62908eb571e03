"""Rhythm read-outs of a trace (first crossing, period, cycle count) and a model's rhythm distance from the data."""

import jax.numpy as jnp
import numpy as np
from jaxtyping import Array

from ._problem import Problem


def rhythm(ts: Array, y: Array, weight: Array) -> tuple[Array, Array, Array]:
    """Phase-invariant read-outs of a trace, jit-friendly: the first upward crossing of the mid-range level (s),
    the mean period between upward crossings (s; infinite with fewer than two) and the number of crossings.
    Points of zero `weight` are ignored; a trace whose range is below 1% of its level has no crossings.

    **Example:** `t_first, period, count = rhythm(ts, ca, jnp.ones_like(ca))`
    """
    big = jnp.finfo(y.dtype).max
    lo = jnp.min(jnp.where(weight > 0, y, big))
    hi = jnp.max(jnp.where(weight > 0, y, -big))
    level = 0.5 * (lo + hi)
    valid = (weight[:-1] > 0) & (weight[1:] > 0) & ((hi - lo) > 0.01 * jnp.maximum(jnp.abs(hi), jnp.abs(lo)))
    up = valid & (y[:-1] < level) & (y[1:] >= level)
    step = jnp.where(up, y[1:] - y[:-1], 1.0)
    at = ts[:-1] + jnp.clip((level - y[:-1]) / step, 0.0, 1.0) * (ts[1:] - ts[:-1])
    count = jnp.sum(up)
    first = jnp.min(jnp.where(up, at, jnp.inf))
    last = jnp.max(jnp.where(up, at, -jnp.inf))
    period = jnp.where(count >= 2, (last - first) / jnp.maximum(count - 1, 1).astype(y.dtype), jnp.inf)
    return first, period, count


def rhythm_distance(problem: Problem, theta: Array) -> Array:
    """How far the simulated rhythm at `theta` is from the data's, in periods of the data: the phase error of the
    first crossing, the phase error accumulated by a period mismatch over the data's cycles, and the difference in
    cycle counts; infinite where the solve fails or the model does not oscillate (first condition only).

    **Example:** `rhythm_distance(problem, theta)`
    """
    values = problem.natural(theta)
    model, _ = problem.with_values(values)
    sol = problem.simulate(model, y0=problem.initial_state(values))
    ok = jnp.all(sol.success) & jnp.all(jnp.isfinite(sol.ys))
    g = problem.model_signal(model, jnp.where(jnp.isfinite(sol.ys), sol.ys, 0.0))[0]
    return signal_distance(problem, g, ok)


def signal_distance(problem: Problem, g: Array, ok: Array) -> Array:
    """The rhythm distance of the first condition's model signal `g` (at the save times) from the data's."""
    w = problem.mask[0]
    t1, period, count = rhythm(problem.ts, problem.data[0], w)
    s1, s_period, s_count = rhythm(problem.ts, g, w)
    cycles = jnp.maximum(count - 1, 1).astype(period.dtype)
    d = (
        ((s1 - t1) / period) ** 2
        + ((s_period - period) * cycles / period) ** 2
        + ((s_count - count) ** 2).astype(period.dtype)
    )
    return jnp.where(ok & jnp.isfinite(d), d, jnp.inf)


def detect_rhythm(ts, y, weight=None, *, min_correlation: float = 0.5) -> tuple[bool, float, float]:
    """Whether a trace oscillates regularly, from its autocorrelation (host-side, numpy): after a linear detrend,
    the first peak of the autocorrelation after its first zero crossing (the first local maximum within 80% of
    the highest), at a lag that leaves at least two cycles in the trace, must reach `min_correlation`. A single
    transient, a step or noise has no such peak.

    **Arguments:** `ts` save times (s, evenly spaced); `y` the trace; `weight` 0 where a point is missing.

    **Returns:** whether it is rhythmic, the period (s; the peak's lag, NaN without a peak) and the peak's
    correlation.

    **Example:** `rhythmic, period, peak = detect_rhythm(rec.time, rec.traces[0])`
    """
    ts, y = np.asarray(ts, dtype=float), np.asarray(y, dtype=float)
    keep = np.isfinite(y) if weight is None else (np.asarray(weight) > 0) & np.isfinite(y)
    if keep.sum() < 8:
        return False, float("nan"), 0.0
    y = np.interp(ts, ts[keep], y[keep])  # missing points filled in, so the lags stay in samples
    x = y - np.polyval(np.polyfit(ts - ts[0], y, 1), ts - ts[0])
    n = x.size
    spectrum = np.fft.rfft(x, 2 * n)
    acf = np.fft.irfft(spectrum * np.conj(spectrum))[:n]
    if not acf[0] > 0:
        return False, float("nan"), 0.0
    lags = np.arange(n)
    acf = acf / acf[0] * n / (n - lags)  # unbiased: a peak at a long lag is not shrunk by the overlap
    last = n // 2  # two cycles at least
    below = np.flatnonzero(acf[1 : last + 1] < 0)
    if below.size == 0:
        return False, float("nan"), 0.0
    window = acf[below[0] + 1 : last + 1]
    # the first local maximum that reaches 80% of the highest (a noise blip before the first cycle is lower)
    local = np.flatnonzero(np.r_[True, window[1:] >= window[:-1]] & np.r_[window[:-1] >= window[1:], True])
    peak = below[0] + 1 + int(local[np.argmax(window[local] >= 0.8 * window.max())])
    correlation = float(acf[peak])
    period = float(peak * np.median(np.diff(ts)))
    return correlation >= min_correlation, period, correlation
