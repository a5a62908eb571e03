"""PEtab measurement tables: one trace per (simulation condition, observable) on a shared time grid."""

from pathlib import Path

import numpy as np

from .checks import check_count, check_times
from .errors import RecordingError
from .recording import Recording
from .table import numeric_column, read_table

REQUIRED = ("observableId", "simulationConditionId", "measurement", "time")


def is_petab(path: Path) -> bool:
    """Whether the first line of a text file is a PEtab measurement-table header."""
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as f:
            header = f.readline().rstrip("\r\n").split("\t")
    except OSError:
        return False
    return all(c in header for c in REQUIRED)


def load_petab(path: Path, *, kind: str | None = None, time_unit: str | None = None) -> Recording:
    """Read a PEtab measurement table (TSV); times are in the model's unit, s unless `time_unit` says otherwise.

    Traces are named `condition:observable`, in order of first appearance; all must share one time grid.
    """
    from .time_units import unit_factor

    source = str(path)
    table = read_table(path, delimiter="\t", decimal=".")
    missing = [c for c in REQUIRED if c not in table.names]
    if missing:
        raise RecordingError(f"{source}: not a PEtab measurement table, missing column(s) {', '.join(missing)}")
    time = numeric_column(table, "time")
    values = numeric_column(table, "measurement")
    for what, array in (("time", time), ("measurement", values)):
        bad = np.flatnonzero(~np.isfinite(array))
        if bad.size:
            raise RecordingError(f"{source}: non-finite {what} at line {table.lines[bad[0]]}; fix that row")
    groups: dict[str, list[int]] = {}
    for i, (cond, obs) in enumerate(
        zip(table.column("simulationConditionId"), table.column("observableId"), strict=True)
    ):
        groups.setdefault(f"{cond.strip()}:{obs.strip()}", []).append(i)
    names = tuple(groups)
    first = np.array(groups[names[0]])
    grid = time[first]
    check_count(grid.size, f"{source} ({names[0]})")
    for name, rows in groups.items():
        rows = np.array(rows)
        check_times(time[rows], f"{source} ({name})", table.lines[rows])
        if rows.size != grid.size or not np.allclose(time[rows], grid):
            raise RecordingError(
                f"{source}: {name} has other time points than {names[0]}; load the conditions separately"
            )
    traces = np.stack([values[np.array(rows)] for rows in groups.values()])
    factor = 1.0 if time_unit is None else unit_factor(time_unit, f"{source}: time_unit")
    return Recording(
        time=grid * factor,
        traces=traces,
        kind="raw" if kind is None else kind,
        names=names,
        provenance=f"{source} (PEtab measurement table, {len(names)} condition:observable traces)",
    )
