"""Recorded confocal line scans: read a kymograph (npy, csv or TIFF), turn it into ΔF/F0 and find its sparks."""

import math
from pathlib import Path

import numpy as np

from .._errors import InputError
from .._recording.errors import RecordingError
from .._recording.tiff_loader import load_tiff
from .spark_detection import detect_sparks
from .spark_metrics import SparkMetrics

MIN_MS = 6.0  # ms: the shortest spark `detect_sparks` keeps (its default `min_ms`)
MIN_UM = 0.6  # µm: the narrowest spark it keeps (its default `min_um`)
MIN_LINES = 20  # F0 is a per-pixel median over lines: fewer than this leaves no quiet lines to take it from


def read_line_scan(path: str | Path, *, time_axis: int = 0) -> np.ndarray:
    """The image (lines × pixels) of a recorded line scan: a 2-D `.npy` array, a numeric `.csv`/`.txt` table
    (comma, tab or space separated, no header) or a 2-D TIFF (through [`cicrjax.load_recording`][]'s reader).

    Rows are successive lines (time) and columns pixels (space) unless `time_axis=1` (columns are lines).

    **Example:** `image = read_line_scan("cell1.tif")`
    """
    path = Path(path)
    source = str(path)
    if time_axis not in (0, 1):
        raise InputError(f"time_axis must be 0 (rows are lines) or 1 (columns are lines), got {time_axis!r}")
    suffix = path.suffix.lower()
    if suffix in (".tif", ".tiff"):
        # the line time is given apart (pixel size and line time are never read from the file here)
        rec = load_tiff(path, line_time=1.0, time_axis=time_axis)
        return np.asarray(rec.image, dtype=float).T
    if suffix == ".npy":
        try:
            array = np.load(path, allow_pickle=False)
        except (ValueError, EOFError) as error:
            raise RecordingError(f"{source}: not a readable .npy file ({error}); save it with numpy.save") from None
    elif suffix in (".csv", ".txt", ".tsv"):
        try:
            array = np.loadtxt(path, delimiter="," if suffix == ".csv" else None, ndmin=2)
        except ValueError as error:
            raise RecordingError(f"{source}: not a numeric table ({error}); save the image without a header") from None
    else:
        raise RecordingError(f"{source}: unknown line-scan format {suffix or '(none)'!r}; give .npy, .csv or .tif")
    if array.dtype == object or not np.issubdtype(array.dtype, np.number):
        raise RecordingError(f"{source}: the array has dtype {array.dtype}, not numbers; save a numeric image")
    if array.ndim != 2:
        raise RecordingError(f"{source}: the image has shape {array.shape}; a line scan is 2-D (lines × pixels)")
    return np.asarray(array if time_axis == 0 else array.T, dtype=float)


def line_scan_sparks(
    image, *, pixel: float, line_time: float, baseline_lines: int | None = None, **detector
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[SparkMetrics], float]:
    """Sparks in a recorded line scan of raw fluorescence (lines × pixels), with `pixel` µm and `line_time` s.

    F0 is each pixel's median over the lines (sparks are rare and brief, so the median is the resting level; it
    sits high where sparks fill much of a short scan), or its mean over the first `baseline_lines` lines (a quiet
    start); the image becomes ΔF/F0 = F/F0 − 1 and goes to [`cicrjax.detect_sparks`][] (its keyword options in
    `detector`).
    Returns line times (s), pixel centres (µm), ΔF/F0, the sparks' metrics and the frequency (sparks per 100 µm
    per s).

    **Example:** `t, x, df, sparks, frequency = line_scan_sparks(read_line_scan("cell1.npy"), pixel=0.2,
    line_time=0.002)`
    """
    for name, value, unit in (("pixel", pixel, "µm"), ("line_time", line_time, "s")):
        if value is None:
            raise InputError(f"the line scan's {name} ({unit}) is missing; give {name}=")
        if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
            raise InputError(f"{name} must be a finite number > 0 ({unit}), got {value!r}")
    min_ms, min_um = detector.get("min_ms", MIN_MS), detector.get("min_um", MIN_UM)
    if 1e3 * line_time > min_ms:
        raise InputError(
            f"the line time ({1e3 * line_time:g} ms) is longer than a spark (the shortest kept lasts {min_ms:g} ms); "
            "check the unit (ms per line) or record lines faster"
        )
    if pixel > min_um:
        raise InputError(
            f"the pixel ({pixel:g} µm) is wider than a spark (the narrowest kept spans {min_um:g} µm); "
            "check the unit (µm per pixel)"
        )
    image = np.asarray(image, dtype=float)
    if image.ndim != 2 or image.shape[0] < MIN_LINES or image.shape[1] < 3:
        raise InputError(
            f"the line scan has shape {image.shape}; it must be (lines, pixels) with at least {MIN_LINES} lines "
            "and 3 pixels (use --time-axis 1 if lines are columns)"
        )
    if not np.all(np.isfinite(image)):
        raise InputError("the line scan holds NaN or infinite values; remove or fill them first")
    if baseline_lines is not None and not 1 <= baseline_lines <= image.shape[0]:
        raise InputError(f"the baseline takes 1 to {image.shape[0]} lines, got {baseline_lines}")
    f0 = np.median(image, axis=0) if baseline_lines is None else image[:baseline_lines].mean(axis=0)
    if not np.all(f0 > 0):
        raise InputError(
            "the resting fluorescence F0 is ≤ 0 in some pixels; give raw fluorescence with "
            "its offset, not a background-subtracted or ΔF/F0 image"
        )
    df_f0 = image / f0 - 1.0
    t = np.arange(image.shape[0]) * line_time
    x = (np.arange(image.shape[1]) + 0.5) * pixel
    sparks, frequency = detect_sparks(t, x, df_f0, **detector)
    return t, x, df_f0, sparks, frequency
