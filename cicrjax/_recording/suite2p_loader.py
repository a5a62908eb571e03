"""suite2p output folders: ROI fluorescence `F.npy` minus neuropil `Fneu.npy`, cells from `iscell.npy`."""

from pathlib import Path

import numpy as np

from .checks import check_count, check_policy, handle_missing
from .csv_loader import check_rate, time_from_rate
from .errors import RecordingError
from .recording import Recording


def suite2p_folder(path: Path) -> Path | None:
    """The folder holding `F.npy` (the path itself or its `plane0`, `suite2p/plane0`), or None."""
    for candidate in (path, path / "plane0", path / "suite2p" / "plane0"):
        if (candidate / "F.npy").is_file():
            return candidate
    return None


def _load(path: Path, name: str, source: str, pickle: bool = False):
    try:
        return np.load(path / name, allow_pickle=pickle)
    except (ValueError, OSError, EOFError) as error:
        raise RecordingError(f"{source}: {name} is not readable ({error}); rerun suite2p or restore the file") from None


def load_suite2p(
    path: Path,
    *,
    neuropil: float | None = None,
    only_cells: bool = True,
    sampling_rate: float | None = None,
    nan: str = "error",
    pacing_period: float | None = None,
) -> Recording:
    """Read a suite2p plane folder: traces F − c·Fneu (c = `neuropil`, default ops['neucoeff'] or 0.7).

    `ops.npy` is a pickled dict (read with `allow_pickle=True`: only load folders you trust). Its `fs` gives the
    frame rate unless `sampling_rate` is passed. ROIs with `iscell[:, 0] == 0` are left out when `only_cells`.
    """
    source = str(path)
    check_policy(nan, source)
    rate = check_rate(sampling_rate, source)
    folder = suite2p_folder(path)
    if folder is None:
        raise RecordingError(f"{source}: no F.npy here or in plane0/; give a suite2p plane folder")
    F = np.asarray(_load(folder, "F.npy", source), dtype=float)
    if F.ndim != 2:
        raise RecordingError(f"{source}: F.npy has shape {F.shape}; suite2p writes (ROIs, frames)")
    ops = {}
    if (folder / "ops.npy").is_file():
        ops = _load(folder, "ops.npy", source, pickle=True)
        ops = ops.item() if isinstance(ops, np.ndarray) and ops.dtype == object else {}
    coeff = float(ops.get("neucoeff", 0.7)) if neuropil is None else float(neuropil)
    if not 0 <= coeff <= 2:
        raise RecordingError(f"{source}: neuropil coefficient {coeff:g} is outside [0, 2]; suite2p uses 0.7")
    if coeff > 0:
        if not (folder / "Fneu.npy").is_file():
            raise RecordingError(f"{source}: Fneu.npy is missing; restore it or pass neuropil=0 (--neuropil 0)")
        Fneu = np.asarray(_load(folder, "Fneu.npy", source), dtype=float)
        if Fneu.shape != F.shape:
            raise RecordingError(f"{source}: Fneu.npy has shape {Fneu.shape} but F.npy has {F.shape}")
        F = F - coeff * Fneu
    names = tuple(f"roi{i}" for i in range(F.shape[0]))
    if only_cells and (folder / "iscell.npy").is_file():
        iscell = np.asarray(_load(folder, "iscell.npy", source))
        if iscell.shape[0] != F.shape[0]:
            raise RecordingError(f"{source}: iscell.npy lists {iscell.shape[0]} ROIs but F.npy has {F.shape[0]}")
        keep = (iscell[:, 0] if iscell.ndim == 2 else iscell) > 0
        if not keep.any():
            raise RecordingError(f"{source}: iscell.npy marks no ROI as a cell; pass only_cells=False (--all-rois)")
        F, names = F[keep], tuple(n for n, k in zip(names, keep, strict=True) if k)
    if rate is None and "fs" in ops:
        rate = check_rate(ops["fs"], f"{source}: ops.npy fs")
    check_count(F.shape[1], source)
    time = time_from_rate(F.shape[1], rate, source, "ops.npy with the frame rate 'fs' is missing")
    time, F, _ = handle_missing(time, F, names, None, nan, source)
    check_count(time.size, source)
    return Recording(
        time=time,
        traces=F,
        kind="raw",
        names=names,
        pacing_period=pacing_period,
        provenance=f"{source} (suite2p, F - {coeff:g}·Fneu)",
    )
