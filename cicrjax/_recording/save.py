"""`save_recording`: write a recording as CSV (time_s + one column per trace) or `.npz` (with all metadata)."""

import os
import tempfile
from pathlib import Path

import numpy as np

from .errors import RecordingError
from .recording import Recording


def _atomic_write(path: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes owner-only files; give the usual permissions
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def save_recording(recording: Recording, path: str | os.PathLike) -> None:
    """Write `recording` to `.csv` (full float precision) or `.npz`, atomically; loading it back gives it again.

    **Example:** `save_recording(rec, "trace.csv"); load_recording("trace.csv", kind=rec.kind)`
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        header = ",".join(("time_s", *recording.names))

        def write(tmp):
            np.savetxt(
                tmp,
                np.column_stack([recording.time, recording.traces.T]),
                delimiter=",",
                header=header,
                comments="",
                fmt="%.17g",
            )

    elif suffix == ".npz":
        meta = {
            "kind": np.array(recording.kind),
            "names": np.array(recording.names),
            "provenance": np.array(recording.provenance),
            "pacing_period": np.array(np.nan if recording.pacing_period is None else recording.pacing_period),
        }
        if recording.stimulus_times is not None:
            meta["stimulus_times"] = recording.stimulus_times
        if recording.image is not None:
            meta["image"] = recording.image
        if recording.pixel_size is not None:
            meta["pixel_size"] = np.array(recording.pixel_size)

        def write(tmp):
            with open(tmp, "wb") as f:
                np.savez(f, time_s=recording.time, traces=recording.traces, **meta)

    else:
        raise RecordingError(f"{path}: save_recording writes .csv or .npz, not {suffix or 'no extension'!r}")
    _atomic_write(path, write)
