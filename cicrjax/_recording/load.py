"""`load_recording`: one entry point that picks the loader by extension or content."""

import contextlib
import errno
import os
from collections.abc import Sequence
from pathlib import Path

from .csv_loader import load_csv
from .errors import RecordingError
from .numpy_loader import load_npy, load_npz
from .petab_loader import is_petab, load_petab
from .recording import Recording
from .suite2p_loader import load_suite2p, suite2p_folder
from .table import read_text
from .tiff_loader import load_tiff

FORMATS = ("csv", "npy", "npz", "suite2p", "tiff", "petab")
_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".tab": "csv",
    ".txt": "csv",
    ".npy": "npy",
    ".npz": "npz",
    ".tif": "tiff",
    ".tiff": "tiff",
}


def _sniff(path: Path) -> str:
    with open(path, "rb") as f:
        head = f.read(8)
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if head[:6] == b"\x93NUMPY":
        return "npy"
    if head[:2] == b"PK":
        return "npz"
    read_text(path)  # raises for empty or binary files
    return "csv"


def detect_format(path: Path) -> str:
    """The loader for `path`: a suite2p folder, or by extension, or by the first bytes."""
    if path.is_dir():
        if suite2p_folder(path) is None:
            raise RecordingError(f"{path}: a folder without suite2p output (F.npy); give a file or a suite2p folder")
        return "suite2p"
    if not path.exists():
        raise RecordingError(f"{path}: no such file; check the path")
    if path.stat().st_size == 0:
        raise RecordingError(f"{path}: the file is empty; export the recording again")
    fmt = _EXTENSIONS.get(path.suffix.lower()) or _sniff(path)
    if fmt == "csv" and path.suffix.lower() in (".tsv", ".tab", ".txt") and is_petab(path):
        return "petab"
    return fmt


_USER_ERRNOS = (errno.ENOENT, errno.EACCES, errno.EPERM, errno.EISDIR, errno.ENOTDIR)


@contextlib.contextmanager
def _reading(path: Path):
    """Turn the reader's OSError for a missing, unreadable or misplaced file into a one-line `RecordingError`, and
    make every `RecordingError` name the file."""
    try:
        yield
    except RecordingError as error:
        if str(error).startswith(str(path)):
            raise
        raise RecordingError(f"{path}: {error}") from None  # a check of the assembled Recording names the file too
    except OSError as error:
        if error.errno not in _USER_ERRNOS:
            raise
        raise RecordingError(f"{path}: cannot read it ({error.strerror}); check the path and its permissions") from None


def load_recording(
    path: str | os.PathLike,
    *,
    format: str | None = None,
    kind: str | None = None,
    columns: Sequence[str] | None = None,
    time_column: str | None = None,
    time_unit: str | None = None,
    sampling_rate: float | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
    nan: str = "error",
    pacing_period: float | None = None,
    neuropil: float | None = None,
    only_cells: bool = True,
    line_time: float | None = None,
    pixel_size: float | None = None,
    time_axis: int = 0,
    pixels: tuple[int, int] | None = None,
) -> Recording:
    """Load a recording from CSV/TSV, `.npy`/`.npz`, a suite2p folder, a line-scan TIFF or a PEtab table.

    Bad input raises [`cicrjax.RecordingError`][] (a `ValueError`) naming the file, column or line and the fix.

    **Arguments:**
    - `path`: file or suite2p folder; `format` overrides detection (`csv`, `npy`, `npz`, `suite2p`, `tiff`, `petab`).
    - `kind`: signal kind (`raw`, `f_f0`, `df_f0`, `ratio`, `calcium`); default from the column names, else `raw`.
    - `columns`: trace columns to keep (default all but time); several columns are several cells.
    - `time_column`, `time_unit`: the time column and its unit (`s`, `ms`, `us`, `min`) when its name does not say.
    - `sampling_rate`: Hz, for files without a time axis (checked against one if present).
    - `delimiter`, `decimal`: the column separator and decimal mark; by default sniffed from the file (tab, `;`
      or `,`; decimal commas), and what was assumed is stated in `Recording.provenance`.
    - `nan`: `error` (default), `drop` or `interpolate` NaN/inf/empty values.
    - `pacing_period`: pacing cycle length (s), stored as protocol metadata.
    - `neuropil`, `only_cells`: suite2p neuropil coefficient (default ops' or 0.7) and `iscell` filtering.
    - `line_time` (s), `pixel_size` (µm), `time_axis`: line-scan TIFF geometry when the metadata lacks it;
      `pixels=(start, stop)` averages only those pixels of each line.

    **Example:** `load_recording("ca.csv", pacing_period=0.14).sampling_rate`
    """
    path = Path(path)
    with _reading(path):
        fmt = detect_format(path) if format is None else format
        if fmt not in FORMATS:
            raise RecordingError(f"{path}: unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
        if fmt != "suite2p" and path.is_dir():
            raise RecordingError(f"{path}: a folder, but format {fmt!r} reads a file; give a file, or drop the format")
        if fmt == "csv":
            return load_csv(
                path,
                kind=kind,
                columns=columns,
                time_column=time_column,
                time_unit=time_unit,
                sampling_rate=sampling_rate,
                delimiter=delimiter,
                decimal=decimal,
                nan=nan,
                pacing_period=pacing_period,
            )
        if fmt == "npy":
            return load_npy(path, kind=kind, sampling_rate=sampling_rate, nan=nan, pacing_period=pacing_period)
        if fmt == "npz":
            return load_npz(
                path, kind=kind, time_unit=time_unit, sampling_rate=sampling_rate, nan=nan, pacing_period=pacing_period
            )
        if fmt == "suite2p":
            return load_suite2p(
                path,
                neuropil=neuropil,
                only_cells=only_cells,
                sampling_rate=sampling_rate,
                nan=nan,
                pacing_period=pacing_period,
            )
        if fmt == "tiff":
            return load_tiff(
                path,
                kind=kind,
                line_time=line_time,
                pixel_size=pixel_size,
                time_axis=time_axis,
                pixels=pixels,
                nan=nan,
                pacing_period=pacing_period,
            )
        return load_petab(path, kind=kind, time_unit=time_unit)
