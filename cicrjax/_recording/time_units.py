"""Time columns and their units: recognise `time_s`, `time_ms`, `t [ms]`, `Time (s)` and convert to seconds."""

import re

from .errors import RecordingError

UNITS = {
    "s": 1.0,
    "sec": 1.0,
    "secs": 1.0,
    "second": 1.0,
    "seconds": 1.0,
    "ms": 1e-3,
    "msec": 1e-3,
    "millisecond": 1e-3,
    "milliseconds": 1e-3,
    "us": 1e-6,
    "µs": 1e-6,
    "μs": 1e-6,
    "usec": 1e-6,
    "microseconds": 1e-6,
    "min": 60.0,
    "mins": 60.0,
    "minute": 60.0,
    "minutes": 60.0,
    "h": 3600.0,
    "hours": 3600.0,
}
_TIME = re.compile(
    r"^(?:t|time|times|timestamp|time_stamp)"
    r"(?:\s*[\[(]\s*(?P<bracket>[^\])]*?)\s*[\])]|[\s_]+(?P<suffix>[^\s\[(]+))?$",
    re.IGNORECASE,
)


def is_time_name(name: str) -> bool:
    """Whether a column name denotes time (`t`, `time`, `time_ms`, `t [ms]`, `Time (s)`, ...)."""
    return _TIME.match(name.strip()) is not None


def unit_factor(unit: str, where: str) -> float:
    """Seconds per `unit`; raises `RecordingError` naming `where` for an unknown unit."""
    factor = UNITS.get(unit.strip().lower())
    if factor is None:
        raise RecordingError(f"{where}: unknown time unit {unit!r}; use one of s, ms, us, min")
    return factor


def time_column_factor(name: str, time_unit: str | None, where: str) -> float:
    """Seconds per unit of time column `name`, from its name or from `time_unit`; they must agree if both given."""
    match = _TIME.match(name.strip())
    unit = None if match is None else (match.group("bracket") or match.group("suffix"))
    if unit is None or unit == "":
        if time_unit is None:
            raise RecordingError(
                f"{where}: time column {name!r} gives no unit; rename it (time_s, time_ms, 't [ms]') "
                "or pass time_unit='s' or 'ms' (--time-unit)"
            )
        return unit_factor(time_unit, f"{where}: time_unit")
    factor = unit_factor(unit, f"{where}: column {name!r}")
    if time_unit is not None and unit_factor(time_unit, f"{where}: time_unit") != factor:
        raise RecordingError(
            f"{where}: time_unit={time_unit!r} contradicts the column name {name!r}; drop the option or fix the name"
        )
    return factor
