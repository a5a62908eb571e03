"""Checks shared by the loaders: times, missing values (NaN/inf/empty) and sample counts."""

from typing import Literal

import numpy as np

from .errors import RecordingError

NanPolicy = Literal["error", "drop", "interpolate"]
NAN_POLICIES = ("error", "drop", "interpolate")


def _where(index: np.ndarray, lines: np.ndarray | None, limit: int = 5) -> str:
    label = "line" if lines is not None else "sample"
    values = (lines[index] if lines is not None else index)[:limit]
    text = f"{label}{'s' if len(index) > 1 else ''} " + ", ".join(str(int(v)) for v in values)
    return text + (f" and {len(index) - limit} more" if len(index) > limit else "")


def check_policy(nan: str, source: str) -> None:
    """Raise unless `nan` is one of `error`, `drop`, `interpolate`."""
    if nan not in NAN_POLICIES:
        raise RecordingError(f"{source}: nan={nan!r} is not one of {', '.join(NAN_POLICIES)}")


def check_times(time: np.ndarray, source: str, lines: np.ndarray | None = None, column: str = "time") -> None:
    """Raise `RecordingError` naming the line for duplicated or decreasing times."""
    steps = np.diff(time)
    bad = np.flatnonzero(steps <= 0)
    if bad.size:
        i = int(bad[0])
        at = (lines[i], lines[i + 1]) if lines is not None else (i, i + 1)
        label = "lines" if lines is not None else "samples"
        if steps[i] == 0:
            raise RecordingError(
                f"{source}: duplicated time {time[i]:g} in column {column!r} at {label} {at[0]} and {at[1]}; "
                "remove the repeated row"
            )
        raise RecordingError(
            f"{source}: time in column {column!r} goes backwards at {label[:-1]} {at[1]} "
            f"({time[i + 1]:g} after {time[i]:g}); sort the rows by time"
        )


def check_count(n: int, source: str, lines: np.ndarray | None = None) -> None:
    """Raise for fewer than 2 samples."""
    if n == 0:
        raise RecordingError(f"{source}: no samples left; the file has no usable data rows")
    if n < 2:
        where = f" (line {int(lines[0])})" if lines is not None and len(lines) else ""
        raise RecordingError(f"{source}: a single sample{where}; a recording needs at least 2 samples")


def drop_bad_times(time, traces, lines, nan: str, source: str, column: str):
    """Handle non-finite times: dropped with `nan='drop'`, otherwise an error naming the lines."""
    bad = ~np.isfinite(time)
    if not bad.any():
        return time, traces, lines
    if nan != "drop":
        raise RecordingError(
            f"{source}: time column {column!r} has {int(bad.sum())} missing or non-finite value(s) at "
            f"{_where(np.flatnonzero(bad), lines)}; fix them or pass nan='drop' (--nan drop)"
        )
    keep = ~bad
    return time[keep], traces[:, keep], None if lines is None else lines[keep]


def handle_missing(time, traces, names, lines, nan: str, source: str):
    """Apply the NaN policy to non-finite trace values: `error` (report how many and where), `drop`, `interpolate`."""
    bad = ~np.isfinite(traces)
    if not bad.any():
        return time, traces, lines
    if nan == "error":
        j = int(np.flatnonzero(bad.any(axis=1))[0])
        per_column = ", ".join(f"{names[k]!r}: {int(bad[k].sum())}" for k in np.flatnonzero(bad.any(axis=1)))
        raise RecordingError(
            f"{source}: {int(bad.sum())} NaN/inf/empty value(s) ({per_column}); first in column {names[j]!r} at "
            f"{_where(np.flatnonzero(bad[j]), lines)}; pass nan='drop' or nan='interpolate' (--nan drop|interpolate)"
        )
    if nan == "drop":
        keep = ~bad.any(axis=0)
        return time[keep], traces[:, keep], None if lines is None else lines[keep]
    out = traces.copy()
    for k in range(traces.shape[0]):
        good = ~bad[k]
        if not good.any():
            raise RecordingError(f"{source}: column {names[k]!r} has no finite values to interpolate from")
        if bad[k].any():
            out[k, bad[k]] = np.interp(time[bad[k]], time[good], traces[k, good])
    return time, out, lines


def check_ratio(traces, names, lines, kind: str, source: str) -> None:
    """A ratio (e.g. Fura-2 340/380) must be positive: raise naming the column and line of a zero or negative value."""
    if kind != "ratio":
        return
    bad = traces <= 0
    if bad.any():
        j = int(np.flatnonzero(bad.any(axis=1))[0])
        raise RecordingError(
            f"{source}: {int(bad.sum())} zero or negative value(s) in ratio column {names[j]!r}, first at "
            f"{_where(np.flatnonzero(bad[j]), lines)}; a fluorescence ratio needs positive F at both wavelengths "
            "(subtract less background, or declare another kind)"
        )
