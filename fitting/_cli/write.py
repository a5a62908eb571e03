"""Writing a fit: `results.json`, `fit.csv` (time, data, fit, residual) and `fit.png`, each atomically."""

import json
from pathlib import Path

import numpy as np

from cicrjax.cli import atomic_path, save_figure

from .._problem import Problem
from .._result import FitResult
from .._results_json import results_dict

CSV_ROWS = 100_000  # fit.csv holds every point up to this many rows, else every k-th (unless full_csv)
PLOT_POINTS = 5_000  # points per trace drawn in fit.png


def stride(n: int, limit: int) -> int:
    """The step that thins `n` points to at most `limit` (1 keeps every point)."""
    return max(1, -(-n // limit))


def write_outputs(
    out: Path,
    result: FitResult,
    problem: Problem,
    *,
    model: str,
    recording: str,
    wall_time_s: float,
    trace_names: tuple[str, ...] = (),
    full_csv: bool = False,
    extra=None,
) -> tuple[str, ...]:
    """Write `results.json`, `fit.csv` and `fit.png` into the folder `out`, and the entries and files of `extra`
    (the `--uncertainty` method's, `fitting._cli.uncertainty.Intervals`); returns their names.

    `fit.csv` holds every data point up to `CSV_ROWS` rows, else every k-th (`fit_csv_stride` in results.json says
    which); `full_csv` writes them all. `fit.png` draws at most `PLOT_POINTS` points per trace.
    """
    ts = np.asarray(problem.ts)
    data, fit, mask = np.asarray(problem.data), result.prediction, np.asarray(problem.mask)
    names = trace_names or tuple(f"trace{i}" for i in range(data.shape[0]))
    k = 1 if full_csv else stride(int(np.sum(mask > 0)), CSV_ROWS)
    content = results_dict(result, problem, model=model, recording=recording, wall_time_s=wall_time_s)
    content["fit_csv_stride"] = k
    content.update(extra.json if extra is not None else {})
    with atomic_path(out / "results.json") as tmp:
        tmp.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    with atomic_path(out / "fit.csv") as tmp:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write("trace,time,data,fit,residual\n")
            for c, name in enumerate(names):
                for j in np.flatnonzero(mask[c] > 0)[::k]:
                    d, y = data[c, j], fit[c, j]
                    f.write(f"{name},{ts[j]:.10g},{d:.10g},{y:.10g},{d - y:.10g}\n")
    title = f"{model}: NLL {result.nll:.6g}, R² {result.r2:.4f}"
    _plot(out / "fit.png", ts, data, fit, mask, names, title)
    return ("results.json", "fit.csv", "fit.png") + (extra.write(out) if extra is not None else ())


def _plot(path: Path, ts, data, fit, mask, names, title) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from cicrjax.plot import fit as plot_fit

    save_figure(plot_fit(ts, data, fit, mask=mask, names=names, title=title, max_points=PLOT_POINTS), path)
