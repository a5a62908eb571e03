"""Line-scan TIFFs (x–t images) through tifffile: the kymograph and its spatially averaged trace."""

import struct
from pathlib import Path

import numpy as np

from .checks import check_count, check_policy, handle_missing
from .errors import RecordingError
from .recording import Recording


def _tifffile(source: str):
    try:
        import tifffile
    except ImportError:
        raise RecordingError(
            f"{source}: reading TIFFs needs the optional package tifffile; pip install 'cicrjax[io]'"
        ) from None
    return tifffile


def _metadata(tif) -> tuple[float | None, float | None]:
    """(line time s, pixel size µm) from tifffile's JSON description or ImageJ metadata, if present."""
    line_time = pixel_size = None
    shaped = tif.shaped_metadata
    if shaped:
        line_time, pixel_size = shaped[0].get("line_time"), shaped[0].get("pixel_size")
    ij = tif.imagej_metadata
    if ij:
        line_time = line_time if line_time is not None else ij.get("finterval")
        if pixel_size is None and ij.get("unit") in ("um", "micron", "µm", "\\u00B5m"):
            resolution = tif.pages[0].tags.get("XResolution")
            if resolution is not None:
                num, den = resolution.value
                pixel_size = den / num if num else None
    return line_time, pixel_size


def load_tiff(
    path: Path,
    *,
    kind: str | None = None,
    line_time: float | None = None,
    pixel_size: float | None = None,
    time_axis: int = 0,
    pixels: tuple[int, int] | None = None,
    nan: str = "error",
    pacing_period: float | None = None,
) -> Recording:
    """Read a 2-D line-scan image; rows are successive lines (`time_axis=0`) unless `time_axis=1`.

    The trace is the mean over pixels `pixels=(start, stop)` (default all). `line_time` (s per line) and
    `pixel_size` (µm) come from the options or the file's metadata (tifffile `line_time`/`pixel_size`, or ImageJ
    `finterval` and XResolution in µm).
    """
    source = str(path)
    check_policy(nan, source)
    tifffile = _tifffile(source)
    try:
        with tifffile.TiffFile(path) as tif:
            image = tif.asarray()
            meta_line_time, meta_pixel = _metadata(tif)
    except (ValueError, OSError, EOFError, struct.error, IndexError, KeyError) as error:
        raise RecordingError(
            f"{source}: unreadable TIFF ({error}); the file is truncated or not a TIFF, export it again"
        ) from None
    image = np.squeeze(image)
    if image.ndim != 2:
        raise RecordingError(
            f"{source}: image has shape {image.shape}; only 2-D x–t line scans are read (average a movie's ROI first)"
        )
    if time_axis not in (0, 1):
        raise RecordingError(f"{source}: time_axis must be 0 (rows are lines) or 1, got {time_axis}")
    kymograph = np.asarray(image if time_axis == 1 else image.T, dtype=float)  # pixels × lines
    line_time = meta_line_time if line_time is None else line_time
    if line_time is None:
        raise RecordingError(f"{source}: no line time in the TIFF metadata; pass line_time=S (--line-time)")
    if not (np.isfinite(line_time) and line_time > 0):
        raise RecordingError(f"{source}: line_time must be a positive number of s, got {line_time!r}")
    pixel_size = meta_pixel if pixel_size is None else pixel_size
    if pixels is not None:
        start, stop = pixels
        if not 0 <= start < stop <= kymograph.shape[0]:
            raise RecordingError(f"{source}: pixels={pixels} outside the {kymograph.shape[0]} pixels of a line")
        region = kymograph[start:stop]
    else:
        region = kymograph
    check_count(kymograph.shape[1], source)
    time = np.arange(kymograph.shape[1]) * float(line_time)
    trace = region.mean(axis=0)[None, :]
    time, trace, _ = handle_missing(time, trace, ("line_mean",), None, nan, source)
    return Recording(
        time=time,
        traces=trace,
        kind="raw" if kind is None else kind,
        names=("line_mean",),
        pacing_period=pacing_period,
        provenance=f"{source} (line-scan TIFF, {kymograph.shape[0]} pixels × {kymograph.shape[1]} lines)",
        image=kymograph,
        pixel_size=None if pixel_size is None else float(pixel_size),
    )
