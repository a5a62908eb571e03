"""Jit-friendly spark metrics of a line-scan image: ΔF/F0 amplitude, FWHM, FDHM, time to peak and decay time."""

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array

from .._preprocess.metrics import decay_time

ONSET_FRACTION = 0.1  # the time to peak starts, and the decay fit ends, where ΔF/F0 crosses 10 % of the amplitude


class SparkMetrics(eqx.Module):
    """The metrics of one spark (all arrays, so a `SparkMetrics` passes through jit, vmap and grad).

    `amplitude` peak ΔF/F0; `fwhm` full width at half maximum (µm) of the line at the peak; `fdhm` full duration at
    half maximum (s) at the peak pixel; `time_to_peak` (s) from the upward crossing of 10 % of the amplitude;
    `decay` time constant (s) of a log-linear fit from the peak to the downward 10 % crossing (or the last line);
    `x_peak` (µm) and `t_peak` (s) where the peak is.
    """

    amplitude: Array
    fwhm: Array
    fdhm: Array
    time_to_peak: Array
    decay: Array
    x_peak: Array
    t_peak: Array


def delta_f_over_f0(image: Array, baseline_lines: int) -> Array:
    """ΔF/F0 of a line-scan image (lines × pixels), F0 the mean of the first `baseline_lines` lines per pixel."""
    f0 = jnp.mean(image[:baseline_lines], axis=0, keepdims=True)
    return image / f0 - 1.0


def _crossing(coord: Array, profile: Array, i: Array, level: Array, direction: int) -> Array:
    """Where `profile` first falls below `level` going from index `i` in `direction` (±1), interpolated linearly
    between the last sample at or above it and the first below; NaN if it never does."""
    idx = jnp.arange(profile.shape[0])
    steps = (idx - i) * direction
    below = (steps > 0) & (profile < level)
    found = jnp.any(below)
    k = jnp.argmin(jnp.where(below, steps, profile.shape[0] + 1))
    j = jnp.clip(k - direction, 0, profile.shape[0] - 1)
    drop = jnp.where(found, profile[j] - profile[k], 1.0)
    pos = coord[j] + (profile[j] - level) / drop * (coord[k] - coord[j])
    return jnp.where(found, pos, jnp.nan)


@jax.jit
def spark_metrics(t: Array, x: Array, df_f0: Array) -> SparkMetrics:
    """Amplitude, FWHM (µm), FDHM (s), time to peak (s) and decay time (s) of the brightest spark in a ΔF/F0 image.

    **Arguments:** `t` line times (s), `x` pixel centres (µm), `df_f0` ΔF/F0 (lines × pixels). Half-maximum and
    10 % crossings are interpolated linearly, so the metrics are continuous and differentiable almost everywhere;
    a crossing that never happens gives NaN. Compiled once per image shape.

    **Example:** `spark_metrics(t, x, delta_f_over_f0(image, 5)).fwhm`
    """
    it, ix = jnp.unravel_index(jnp.argmax(df_f0), df_f0.shape)
    amplitude = df_f0[it, ix]
    row, col = df_f0[it], df_f0[:, ix]
    half = 0.5 * amplitude
    fwhm = _crossing(x, row, ix, half, 1) - _crossing(x, row, ix, half, -1)
    fdhm = _crossing(t, col, it, half, 1) - _crossing(t, col, it, half, -1)
    low = ONSET_FRACTION * amplitude
    time_to_peak = t[it] - _crossing(t, col, it, low, -1)
    end = _crossing(t, col, it, low, 1)
    end = jnp.where(jnp.isnan(end), t[-1], end)
    decay = decay_time(t, col, ((t >= t[it]) & (t <= end) & (col > 0)).astype(df_f0.dtype))
    return SparkMetrics(amplitude, fwhm, fdhm, time_to_peak, decay, x[ix], t[it])
