"""Spark detection in a ΔF/F0 line-scan image: smooth, threshold at a multiple of the noise, keep connected regions
large enough to be sparks, and measure each."""

import jax.numpy as jnp
import numpy as np

from .._errors import InputError
from .spark_metrics import SparkMetrics, spark_metrics

# noise s.d. above the mean that a spark's smoothed peak must reach. Cheng et al. 1999 (Biophys J 76:606-617) use
# 3.8, but on this smoothed image 3.8 passes the maxima of pure noise: 24 false sparks in three 4 s × 40 µm scans
# of white noise (5 per 100 µm per s); 4.5 passes none of them and still finds 120/120 planted sparks at a
# signal-to-noise ratio of 4 (tests/test_spark_metrics_cli.py checks both).
CRITERION = 4.5
EXTENT = 2.0  # noise s.d.: a spark's region extends while the smoothed image stays this far above the mean


def detect_sparks(
    t,
    x,
    df_f0,
    *,
    criterion: float = CRITERION,
    smooth_um: float = 0.4,
    smooth_ms: float = 4.0,
    min_um: float = 0.6,
    min_ms: float = 6.0,
    window_um: float = 4.0,
    window_ms: float = 80.0,
) -> tuple[list[SparkMetrics], float]:
    """Sparks in a line-scan image, with their metrics and their frequency (sparks per 100 µm per s).

    **Arguments:** `t` line times (s), `x` pixel centres (µm), `df_f0` ΔF/F0 (lines × pixels). The image is
    smoothed by a Gaussian of s.d. `smooth_um` µm × `smooth_ms` ms (wrapping at the edges, so the noise is
    smoothed alike everywhere); pixels above its mean + `criterion` (default 4.5) × its
    robust s.d. σ (1.4826 × median absolute deviation) form candidate regions, which extend while it stays
    2σ above the mean and are kept if they span at least `min_um` µm and `min_ms` ms. Each kept spark is measured on
    the smoothed image by [`cicrjax.spark_metrics`][], on a crop of `window_um` × `window_ms` about its brightest
    pixel (one compiled shape); smoothing lowers the amplitude and widens the spark.

    **Example:** `sparks, frequency = detect_sparks(t, x, delta_f_over_f0(image, 20))`
    """
    t, x, image = np.asarray(t, float), np.asarray(x, float), np.asarray(df_f0, float)
    if image.ndim != 2 or image.shape != (t.size, x.size):
        raise InputError(f"the kymograph has shape {image.shape}; it must be (lines, pixels) = ({t.size}, {x.size})")
    if t.size < 3 or x.size < 3 or not (np.all(np.diff(t) > 0) and np.all(np.diff(x) > 0)):
        raise InputError("line times and pixel positions must increase, with at least 3 of each")
    if not np.all(np.isfinite(image)):
        raise InputError("the kymograph holds NaN or infinite values; remove or fill them first")
    dt, dx = t[1] - t[0], x[1] - x[0]
    import scipy.ndimage  # imported here, as scipy.stats is: kept out of `import cicrjax`

    smooth = scipy.ndimage.gaussian_filter(image, (1e-3 * smooth_ms / dt, smooth_um / dx), mode="wrap")
    centre = np.median(smooth)
    sd = 1.4826 * np.median(np.abs(smooth - centre))
    labels, _ = scipy.ndimage.label(smooth > centre + EXTENT * sd)
    half_t, half_x = max(int(round(0.5e-3 * window_ms / dt)), 2), max(int(round(0.5 * window_um / dx)), 2)
    padded = np.pad(smooth, ((half_t, half_t), (half_x, half_x)))  # zeros: ΔF/F0 at rest
    tt = (np.arange(2 * half_t + 1) - half_t) * dt
    xx = (np.arange(2 * half_x + 1) - half_x) * dx
    sparks = []
    for region in scipy.ndimage.find_objects(labels):
        rows, cols = region
        small = (rows.stop - rows.start) * dt < 1e-3 * min_ms or (cols.stop - cols.start) * dx < min_um
        if small or smooth[region].max() < centre + criterion * sd:
            continue
        it, ix = np.unravel_index(np.argmax(smooth[region]), smooth[region].shape)
        it, ix = it + rows.start, ix + cols.start
        crop = padded[it : it + 2 * half_t + 1, ix : ix + 2 * half_x + 1]
        m = spark_metrics(jnp.asarray(tt + t[it]), jnp.asarray(xx + x[ix]), jnp.asarray(crop))
        sparks.append(m)
    frequency = len(sparks) / ((x.size * dx / 100.0) * (t.size * dt))
    return sparks, frequency
