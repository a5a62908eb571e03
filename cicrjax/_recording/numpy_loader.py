"""NumPy recordings: `.npy` arrays (with a sampling rate) and `.npz` archives (with a time array)."""

import zipfile
from pathlib import Path

import numpy as np

from .checks import check_count, check_policy, check_ratio, check_times, drop_bad_times, handle_missing
from .csv_loader import check_rate, check_rate_agrees, time_from_rate
from .errors import RecordingError
from .kinds import resolve_kind
from .recording import Recording
from .time_units import is_time_name, time_column_factor

_META = ("kind", "names", "pacing_period", "stimulus_times", "provenance", "image", "pixel_size")


def _numeric(array: np.ndarray, what: str, source: str) -> np.ndarray:
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise RecordingError(f"{source}: {what} has dtype {array.dtype}, not numbers; save a numeric array")
    return np.asarray(array, dtype=float)


def _as_traces(array: np.ndarray, what: str, source: str) -> np.ndarray:
    array = _numeric(array, what, source)
    if array.ndim == 1:
        return array[None, :]
    if array.ndim == 2:
        return array
    raise RecordingError(f"{source}: {what} has shape {array.shape}; give (samples,) or (traces, samples)")


def load_npy(path: Path, *, kind=None, sampling_rate=None, nan="error", pacing_period=None) -> Recording:
    """Read a `.npy` array: one trace (samples,) or several (traces, samples); timing from `sampling_rate`."""
    source = str(path)
    check_policy(nan, source)
    rate = check_rate(sampling_rate, source)
    try:
        array = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise RecordingError(f"{source}: not a readable .npy file ({error}); save it again with numpy.save") from None
    traces = _as_traces(array, "the array", source)
    check_count(traces.shape[1], source)
    time = time_from_rate(traces.shape[1], rate, source, "a .npy array carries no time axis")
    names = tuple(f"trace{i}" for i in range(traces.shape[0]))
    time, traces, _ = handle_missing(time, traces, names, None, nan, source)
    check_count(time.size, source)
    signal_kind = resolve_kind(names, kind, source)
    check_ratio(traces, names, None, signal_kind, source)
    return Recording(time, traces, signal_kind, names, pacing_period, provenance=f"{source} (.npy)")


def load_npz(path: Path, *, kind=None, time_unit=None, sampling_rate=None, nan="error", pacing_period=None):
    """Read a `.npz` archive: a time array (`time_s`, `time_ms`, `t`, ...) and `traces` or one 1-D array per trace.

    Archives written by [`cicrjax.save_recording`][] also carry kind, names, pacing and provenance.
    """
    source = str(path)
    check_policy(nan, source)
    rate = check_rate(sampling_rate, source)
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {k: archive[k] for k in archive.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as error:
        raise RecordingError(
            f"{source}: not a readable .npz archive ({error}); save it again with numpy.savez"
        ) from None
    meta = {k: arrays.pop(k) for k in _META if k in arrays}
    time_keys = [k for k in arrays if is_time_name(k)]
    if len(time_keys) > 1:
        raise RecordingError(f"{source}: several time arrays ({', '.join(time_keys)}); keep one")
    if "traces" in arrays:
        traces = _as_traces(arrays.pop("traces"), "'traces'", source)
        names = tuple(str(n) for n in meta["names"]) if "names" in meta else ()
    else:
        keys = [k for k in arrays if k not in time_keys]
        if not keys:
            raise RecordingError(f"{source}: no trace arrays; store 'traces' (traces, samples) or 1-D arrays")
        shapes = {k: arrays[k].shape for k in keys}
        if any(len(s) != 1 for s in shapes.values()) or len(set(shapes.values())) != 1:
            raise RecordingError(f"{source}: trace arrays must be 1-D of one length, got {shapes}; or store 'traces'")
        traces = np.stack([_numeric(arrays[k], repr(k), source) for k in keys])
        names = tuple(keys)
    names = names or tuple(f"trace{i}" for i in range(traces.shape[0]))
    if time_keys:
        time = _numeric(arrays[time_keys[0]], repr(time_keys[0]), source)
        if time.shape != (traces.shape[1],):
            raise RecordingError(
                f"{source}: time array {time_keys[0]!r} has shape {time.shape} but the traces have "
                f"{traces.shape[1]} samples; they must match"
            )
        time, traces, _ = drop_bad_times(time, traces, None, nan, source, time_keys[0])
        time = time * time_column_factor(time_keys[0], time_unit, source)
        check_count(time.size, source)
        check_times(time, source, None, time_keys[0])
        check_rate_agrees(time, rate, source)
    else:
        check_count(traces.shape[1], source)
        time = time_from_rate(traces.shape[1], rate, source, "no time array (time_s, time_ms, t)")
    time, traces, _ = handle_missing(time, traces, names, None, nan, source)
    check_count(time.size, source)
    signal_kind = str(meta["kind"]) if kind is None and "kind" in meta else resolve_kind(names, kind, source)
    check_ratio(traces, names, None, signal_kind, source)
    if pacing_period is None and "pacing_period" in meta and np.isfinite(meta["pacing_period"]):
        pacing_period = float(meta["pacing_period"])
    return Recording(
        time=time,
        traces=traces,
        kind=signal_kind,
        names=names,
        pacing_period=pacing_period,
        stimulus_times=meta.get("stimulus_times"),
        provenance=str(meta["provenance"]) if "provenance" in meta else f"{source} (.npz)",
        image=meta.get("image"),
        pixel_size=float(meta["pixel_size"]) if "pixel_size" in meta else None,
    )
