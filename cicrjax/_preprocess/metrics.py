"""Per-beat transient metrics: amplitude, time to peak, time to 50%/90% decay and the mono-exponential decay τ.

`transient_metrics` is jit-, vmap- and grad-friendly (fits use it on simulated beats); `beat_metrics` applies it to
every beat of a trace.
"""

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, ArrayLike

from .beats import Beats

METRICS = ("amplitude", "baseline", "time_to_peak", "t50", "t90", "tau")


def _crossing(t, y, level, after, mask):
    """First time after index `after` where y falls to `level`, linearly interpolated (NaN if never)."""
    idx = jnp.arange(y.shape[0])
    below = (y <= level) & (idx > after) & mask
    i = jnp.argmax(below)
    found = jnp.any(below)
    i0 = jnp.maximum(i - 1, 0)
    frac = (y[i0] - level) / jnp.where(y[i0] != y[i], y[i0] - y[i], 1.0)
    return jnp.where(found, t[i0] + frac * (t[i] - t[i0]), jnp.nan)


def decay_time(t: Array, y: Array, w: Array) -> Array:
    """Time constant τ (s) of y ∝ exp(−t/τ) by weighted log-linear least squares over samples with weight `w` > 0
    (where y must be > 0); NaN with fewer than two."""
    logy = jnp.log(jnp.where(w > 0, y, 1.0))
    sw = jnp.sum(w)
    tm = jnp.sum(w * t) / sw
    lm = jnp.sum(w * logy) / sw
    slope = jnp.sum(w * (t - tm) * (logy - lm)) / jnp.sum(w * (t - tm) ** 2)
    return jnp.where(sw >= 2, -1.0 / slope, jnp.nan)


def transient_metrics(t: ArrayLike, y: ArrayLike, mask: ArrayLike | None = None) -> dict[str, Array]:
    r"""Metrics of one transient sampled at `t` (s); `mask` marks valid samples (for padded batches).

    - `baseline`: minimum before the peak; `amplitude`: peak − baseline.
    - `time_to_peak`: from the onset (the last 10%-of-amplitude crossing before the peak, interpolated) to the
      peak (s).
    - `t50`, `t90`: from the peak to 50% and 90% decay of the amplitude (s), interpolated between samples.
    - `tau`: decay time constant (s) from a log-linear least-squares fit of y − baseline between 80% and 20%
      of the amplitude after the peak.

    **Example:** `jax.jit(transient_metrics)(t, y)["tau"]`
    """
    t, y = jnp.asarray(t), jnp.asarray(y)
    mask = jnp.ones(y.shape, bool) if mask is None else jnp.asarray(mask)
    idx = jnp.arange(y.shape[0])
    ipk = jnp.argmax(jnp.where(mask, y, -jnp.inf))
    peak = y[ipk]
    baseline = jnp.min(jnp.where(mask & (idx <= ipk), y, jnp.inf))
    amp = peak - baseline
    level = baseline + 0.1 * amp
    rising = mask & (idx < ipk) & (y <= level)
    i_on = jnp.max(jnp.where(rising, idx, 0))
    j_on = jnp.minimum(i_on + 1, y.shape[0] - 1)
    frac = (level - y[i_on]) / jnp.where(y[j_on] != y[i_on], y[j_on] - y[i_on], 1.0)
    onset = jnp.where(jnp.any(rising), t[i_on] + jnp.clip(frac, 0.0, 1.0) * (t[j_on] - t[i_on]), t[0])
    t50 = _crossing(t, y, baseline + 0.5 * amp, ipk, mask) - t[ipk]
    t90 = _crossing(t, y, baseline + 0.1 * amp, ipk, mask) - t[ipk]
    x = y - baseline
    w = (mask & (idx > ipk) & (x <= 0.8 * amp) & (x >= 0.2 * amp)).astype(y.dtype)
    # stop at the first rise back above 80% (the next beat), so only the decay is fitted
    after_decay = jnp.cumsum((mask & (idx > ipk) & (x < 0.2 * amp)).astype(y.dtype)) > 0
    w = w * (~after_decay).astype(y.dtype)
    tau = decay_time(t, x, w)
    return {
        "amplitude": amp,
        "baseline": baseline,
        "time_to_peak": t[ipk] - onset,
        "t50": t50,
        "t90": t90,
        "tau": tau,
    }


_batched = jax.jit(jax.vmap(transient_metrics))


def beat_metrics(time: ArrayLike, y: ArrayLike, beats: Beats) -> dict[str, np.ndarray]:
    """`transient_metrics` of every beat of one trace (one compiled call, beats padded to a common length).

    **Returns:** a dict of arrays, one value per beat, plus `start` and `peak_time` (s).

    **Example:** `beat_metrics(rec.time, rec.traces[0], detect_beats(rec.time, rec.traces[0]))["tau"]`
    """
    time, y = np.asarray(time, float), np.asarray(y, float)
    if len(beats) == 0:
        return {name: np.zeros(0) for name in (*METRICS, "start", "peak_time")}
    length = int(np.max(beats.stop - beats.start))
    ts = np.zeros((len(beats), length))
    ys = np.zeros((len(beats), length))
    mask = np.zeros((len(beats), length), bool)
    dt = float(np.median(np.diff(time)))
    for k, (s, e) in enumerate(zip(beats.start, beats.stop, strict=True)):
        m = e - s
        ts[k, :m], ys[k, :m], mask[k, :m] = time[s:e], y[s:e], True
        ts[k, m:] = time[e - 1] + dt * np.arange(1, length - m + 1)
        ys[k, m:] = y[e - 1]
    out = {k: np.asarray(v) for k, v in _batched(ts, ys, mask).items()}
    out["start"] = time[beats.start]
    out["peak_time"] = time[beats.peak]
    return out
