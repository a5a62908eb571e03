"""CSV/TSV recordings: a time column (unit from its name or an option) or a sampling rate, and trace columns."""

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .checks import check_count, check_policy, check_ratio, check_times, drop_bad_times, handle_missing
from .errors import RecordingError
from .kinds import resolve_kind
from .recording import Recording
from .table import numeric_column, read_table
from .time_units import is_time_name, time_column_factor


def check_rate(sampling_rate, source: str) -> float | None:
    """Validate an optional sampling rate (Hz)."""
    if sampling_rate is None:
        return None
    rate = float(sampling_rate)
    if not (np.isfinite(rate) and rate > 0):
        raise RecordingError(f"{source}: sampling_rate must be a positive number of Hz, got {sampling_rate!r}")
    return rate


def time_from_rate(n: int, rate: float | None, source: str, missing: str) -> np.ndarray:
    """Sample times n/rate (s), or an error explaining that timing is missing."""
    if rate is None:
        raise RecordingError(
            f"{source}: {missing}; add a time column (time_s, time_ms) or pass sampling_rate=HZ (--sampling-rate)"
        )
    return np.arange(n) / rate


def check_rate_agrees(time: np.ndarray, rate: float | None, source: str) -> None:
    """If both a time axis and `sampling_rate` are given, they must agree within 1%."""
    if rate is not None and time.size > 1:
        measured = 1.0 / np.median(np.diff(time))
        if abs(measured - rate) > 0.01 * rate:
            raise RecordingError(
                f"{source}: sampling_rate={rate:g} Hz contradicts the time column ({measured:.6g} Hz); "
                "drop the option or check the time unit"
            )


def load_csv(
    path: Path,
    *,
    kind: str | None = None,
    columns: Sequence[str] | None = None,
    time_column: str | None = None,
    time_unit: str | None = None,
    sampling_rate: float | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
    nan: str = "error",
    pacing_period: float | None = None,
) -> Recording:
    """Read a CSV/TSV recording; see [`cicrjax.load_recording`][] for the options."""
    source = str(path)
    check_policy(nan, source)
    rate = check_rate(sampling_rate, source)
    table = read_table(path, delimiter=delimiter, decimal=decimal)
    if time_column is not None:
        if time_column not in table.names:
            raise RecordingError(
                f"{source}: no column {time_column!r} for time_column; the columns are {', '.join(table.names)}"
            )
        time_names = [time_column]
    else:
        time_names = [n for n in table.names if is_time_name(n)]
    if len(time_names) > 1:
        raise RecordingError(
            f"{source}: several time columns ({', '.join(map(repr, time_names))}); keep one, or choose one with "
            "time_column=NAME"
        )
    candidates = [n for n in table.names if n not in time_names]
    if columns:
        for name in {n for n in columns if list(columns).count(n) > 1}:
            raise RecordingError(f"{source}: column {name!r} is chosen twice; name each column once")
        for name in columns:
            if name not in table.names:
                raise RecordingError(f"{source}: no column {name!r}; the columns are {', '.join(table.names)}")
            if name in time_names:
                raise RecordingError(f"{source}: column {name!r} is the time column, not a trace")
        trace_names = list(columns)
    else:
        trace_names = candidates
    if not trace_names:
        raise RecordingError(f"{source}: no trace columns besides the time column {time_names[0]!r}")
    signal_kind = resolve_kind(trace_names, kind, source)
    traces = np.stack([numeric_column(table, n) for n in trace_names])
    lines = table.lines
    if time_names:
        factor = time_column_factor(time_names[0], time_unit, source)
        time = numeric_column(table, time_names[0])
        time, traces, lines = drop_bad_times(time, traces, lines, nan, source, time_names[0])
        time = time * factor
        check_count(time.size, source, lines)
        check_times(time, source, lines, time_names[0])
        check_rate_agrees(time, rate, source)
    else:
        if time_unit is not None and rate is None:
            raise RecordingError(f"{source}: time_unit={time_unit!r} given but the file has no time column")
        check_count(traces.shape[1], source, lines)
        time = time_from_rate(traces.shape[1], rate, source, "no time column (looked for t, time, time_s, time_ms)")
    time, traces, lines = handle_missing(time, traces, trace_names, lines, nan, source)
    check_count(time.size, source, lines)
    check_ratio(traces, trace_names, lines, signal_kind, source)
    assumed = "".join(f"; {a}" for a in table.assumed)
    return Recording(
        time=time,
        traces=traces,
        kind=signal_kind,
        names=tuple(trace_names),
        pacing_period=pacing_period,
        provenance=f"{source} (text table; columns {', '.join(trace_names)}{assumed})",
    )
