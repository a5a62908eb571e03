"""`cicrjax fit LINESCAN --model spark ...`: fit the smooth spark model to one spark, or to the average of every
spark, of a recorded line scan; write results.json, fit.npz and kymograph.png."""

import json
from pathlib import Path

import equinox as eqx
import jax.numpy as jnp
import numpy as np

from cicrjax import ComputationError, Grid, SparkSite, cardiac_spark, line_scan_sparks, read_line_scan
from cicrjax.cli import UsageError, atomic_path, output_folder, parse_float, parse_int, parse_pairs, save_figure

from .._kymograph import KymographLeastSquares, define_kymograph_problem, fit_kymograph, spark_parameters
from .._optimisers import LBFGS, LevenbergMarquardt

DX = 0.2  # µm: the model's grid step
MARGIN = 3.0  # µm of model cytosol beyond the crop on each side, so that its no-flux ends do not reflect the spark
DEFAULT_FREE = ("flux", "D_c", "duration", "t_on", "site_x")
PLACED = ("t_on", "site_x")  # given in the line scan's coordinates; the model's are the crop's
# options of `cicrjax fit` that a kymograph fit does not take (dest, flag)
NOT_HERE = (
    ("petab", "--petab"),
    ("per_cell", "--per-cell"),
    ("hierarchical", "--hierarchical"),
    ("prior", "--prior"),
    ("protocol", "--protocol"),
    ("indicator", "--indicator"),
    ("pacing_period", "--pacing-period"),
    ("workers", "--workers"),
    ("scheduler", "--scheduler"),
)


def add_options(p) -> None:
    """The options of `cicrjax fit --model spark` (a line scan), added to `cicrjax fit`'s parser."""
    g = p.add_argument_group("kymograph fits (--model spark; RECORDING a line scan: .npy, .csv or TIFF)")
    g.add_argument("--pixel-um", default=None, metavar="X", help="pixel size of the line scan (µm)")
    g.add_argument("--line-ms", default=None, metavar="Y", help="time per line of the line scan (ms)")
    g.add_argument("--time-axis", default="0", metavar="A", help="0: rows are lines (default); 1: columns are lines")
    g.add_argument("--average", action="store_true", help="fit the average of every detected spark (peak-aligned)")
    g.add_argument("--window-um", default="6", metavar="UM", help="width of the fitted crop (µm, default 6)")
    g.add_argument("--before-ms", default="30", metavar="MS", help="crop start before the peak (ms, default 30)")
    g.add_argument("--after-ms", default="60", metavar="MS", help="crop end after the peak (ms, default 60)")
    g.add_argument(
        "--baseline-ms",
        default=None,
        metavar="MS",
        help="F0 as each pixel's mean over the first MS ms (default: its median over the whole scan, which sits high "
        "where sparks fill much of a short scan, and biases the flux low: give the quiet start here)",
    )


# the kymograph options with their defaults (dest, flag, default): a fit of another model refuses them
KYMOGRAPH_OPTIONS = (
    ("pixel_um", "--pixel-um", None),
    ("line_ms", "--line-ms", None),
    ("time_axis", "--time-axis", "0"),
    ("average", "--average", False),
    ("window_um", "--window-um", "6"),
    ("before_ms", "--before-ms", "30"),
    ("after_ms", "--after-ms", "60"),
    ("baseline_ms", "--baseline-ms", None),
)


def refuse_kymograph_options(args) -> None:
    """Raise `UsageError` if a kymograph option was given to a fit of a model other than `spark`."""
    given = [flag for dest, flag, default in KYMOGRAPH_OPTIONS if getattr(args, dest, default) != default]
    if given:
        raise UsageError(f"{', '.join(given)} apply to --model spark (a line scan) only; drop them")


def run_kymograph(args) -> int:
    for dest, flag in NOT_HERE:
        if getattr(args, dest, None):
            raise UsageError(f"{flag} does not apply to --model spark (a kymograph fit); drop it")
    if getattr(args, "uncertainty", None) not in (None, "laplace"):
        raise UsageError("a kymograph fit gives Laplace intervals only; drop --uncertainty or give laplace")
    if args.recording is None:
        raise UsageError("give the line scan to fit: cicrjax fit LINESCAN --model spark --pixel-um X --line-ms Y")
    for option, value in (("--pixel-um", args.pixel_um), ("--line-ms", args.line_ms)):
        if value is None:
            raise UsageError(f"{option} is missing: a line scan needs its pixel size (µm) and line time (ms)")
    pixel = parse_float(args.pixel_um, "--pixel-um")
    line = 1e-3 * parse_float(args.line_ms, "--line-ms")
    time_axis = parse_int(args.time_axis, "--time-axis", 0, 1)
    window = _positive(args.window_um, "--window-um")
    before, after = 1e-3 * _positive(args.before_ms, "--before-ms"), 1e-3 * _positive(args.after_ms, "--after-ms")
    baseline = None if args.baseline_ms is None else 1e-3 * _positive(args.baseline_ms, "--baseline-ms")
    n_starts = parse_int(args.starts, "--starts", 1, 1024)
    seed = parse_int(args.seed, "--seed", 0)
    max_iter = parse_int(args.max_iter, "--max-iter", 1)
    if args.optimiser not in (None, "lm", "lbfgs"):
        raise UsageError(f"--optimiser {args.optimiser} does not fit kymographs; use lm (default) or lbfgs")
    optimiser = LBFGS(max_iter=max_iter) if args.optimiser == "lbfgs" else LevenbergMarquardt(max_iter, 1e-6)
    fix = {k: parse_float(v, f"--fix {k}") for k, v in parse_pairs(args.fix, "--fix", "D_c=220").items()}
    start = {k: parse_float(v, f"--start {k}") for k, v in parse_pairs(args.start, "--start", "flux=8000").items()}
    bounds = {}
    for name, text in parse_pairs(args.bounds, "--bounds", "flux=1000:50000").items():
        low, sep, high = text.partition(":")
        if not sep:
            raise UsageError(f"--bounds {name}={text} is not LO:HI, e.g. --bounds flux=1000:50000")
        bounds[name] = (parse_float(low, f"--bounds {name}"), parse_float(high, f"--bounds {name}"))
    free = [n.strip() for n in args.free.split(",") if n.strip()] if args.free else list(DEFAULT_FREE)
    free = [n for n in free if n not in fix]
    known = spark_parameters(cardiac_spark())
    for name in [*free, *fix]:
        if name not in known:
            raise UsageError(f"unknown spark parameter {name!r}; valid: {', '.join(known)}")
        least = {"positive": "> 0", "nonnegative": ">= 0"}.get(known[name][2])
        if name in fix and least and not (fix[name] > 0 or (least == ">= 0" and fix[name] == 0)):
            raise UsageError(f"--fix {name} must be {least}, got {fix[name]:g}")
    out_path = Path(args.out)
    if out_path.exists() and not out_path.is_dir():
        raise UsageError(f"--out {args.out!r} is a file; give a folder")

    image = read_line_scan(args.recording, time_axis=time_axis)
    baseline_lines = None if baseline is None else max(int(round(baseline / line)), 1)
    t, x, df, sparks, _ = line_scan_sparks(image, pixel=pixel, line_time=line, baseline_lines=baseline_lines)
    if not sparks:
        raise UsageError(f"{args.recording}: no spark detected, so nothing to fit")
    n_before, n_after, half = int(round(before / line)), int(round(after / line)), int(round(0.5 * window / pixel))
    chosen = sparks if args.average else [max(sparks, key=lambda m: float(m.amplitude))]
    crops, corners = [], []
    for m in chosen:
        it, ix = int(round(float(m.t_peak) / line)), int(round(float(m.x_peak) / pixel - 0.5))
        if it - n_before < 0 or it + n_after >= df.shape[0] or ix - half < 0 or ix + half >= df.shape[1]:
            continue
        crops.append(df[it - n_before : it + n_after + 1, ix - half : ix + half + 1])
        corners.append((it - n_before, ix - half))
    if not crops:
        raise UsageError(
            "the spark's crop (--before-ms, --after-ms, --window-um) runs past the line scan's edge; use a smaller "
            "window or a longer scan"
        )
    data = np.mean(crops, axis=0)
    # the crop's coordinates: its first line is time 0 and its first pixel's edge lies MARGIN µm into the grid;
    # --fix/--start/--bounds of t_on and site_x are in the line scan's coordinates (t0, x0: where the crop's first
    # line and first pixel's edge lie), with --average relative to the peak line and the peak pixel's centre
    if args.average:
        t0, x0 = -n_before * line, -(half + 0.5) * pixel
    else:
        t0, x0 = corners[0][0] * line, corners[0][1] * pixel
    shift = {"t_on": -t0, "site_x": MARGIN - x0}
    rise = float(chosen[0].time_to_peak) if not args.average else float("nan")
    t_on = n_before * line - (rise if np.isfinite(rise) else 0.01)  # the onset's estimate: the 10 % crossing
    model = cardiac_spark(
        SparkSite(
            grid=Grid(int(round((data.shape[1] * pixel + 2 * MARGIN) / DX)), DX),
            site_x=jnp.asarray(MARGIN + (half + 0.5) * pixel),
            t_on=jnp.asarray(max(t_on, 2e-3)),
        )
    )
    for name, value in fix.items():
        model = _set(model, known, name, value + shift.get(name, 0.0))
    start = {n: v + shift.get(n, 0.0) for n, v in start.items()}
    bounds = {n: (lo + shift.get(n, 0.0), hi + shift.get(n, 0.0)) for n, (lo, hi) in bounds.items()}
    if "t_on" in free:
        bounds.setdefault("t_on", (0.0, n_before * line))
    if "site_x" in free:
        site = float(model.model.site_x)
        bounds.setdefault("site_x", (site - 1.0, site + 1.0))
    problem = define_kymograph_problem(
        model,
        np.arange(data.shape[0]) * line,
        MARGIN + (np.arange(data.shape[1]) + 0.5) * pixel,
        data,
        free=free,
        bounds=bounds,
        start=start,
        transforms={n: "linear" for n in PLACED if n in free},
    )
    result = fit_kymograph(problem, n_starts, seed=seed, strategy=KymographLeastSquares(optimiser))
    if result.multistart.all_failed or not result.solver_ok:
        raise ComputationError("every start of the spark fit failed (its simulation stopped being finite)")
    parameters = {}
    fitted = problem.with_values(result.estimates)
    for name, (getter, unit, _) in known.items():
        back = -shift.get(name, 0.0)
        entry = {"estimate": float(getter(fitted)) + back, "unit": unit, "free": name in result.names}
        if name in result.names:
            i = result.names.index(name)
            entry["ci_low"], entry["ci_high"] = _num(result.ci_low[i] + back), _num(result.ci_high[i] + back)
        parameters[name] = entry
    report = {
        "model": "spark",
        "citation": SparkSite.citation,
        "recording": str(args.recording),
        "pixel_um": pixel,
        "line_ms": 1e3 * line,
        "sparks_detected": len(sparks),
        "sparks_fitted": len(crops),
        "average": bool(args.average),
        "crop": {"lines": data.shape[0], "pixels": data.shape[1], "t0_s": t0, "x0_um": x0},
        "coordinates": "t_on (s) and site_x (µm) in the line scan's (with --average: relative to the spark's peak)",
        "parameters": parameters,
        "sigma_df_f0": result.sigma,
        "nll": result.nll,
        "r2": result.r2,
        "aic": result.aic,
        "bic": result.bic,
        "status": result.status,
        "ci_method": result.ci_method,
        "starts": result.multistart.table(problem),
    }
    with output_folder(out_path, "--out") as out:
        with atomic_path(out / "fit.npz") as tmp:
            with open(tmp, "wb") as f:
                np.savez(f, t=np.asarray(problem.t), x=np.asarray(problem.x), data=data, fit=result.prediction)
        _plot(out / "kymograph.png", np.asarray(problem.t), np.asarray(problem.x), data, result.prediction)
        with atomic_path(out / "results.json") as tmp:
            tmp.write_text(json.dumps(report, indent=2) + "\n")
    est = ", ".join(f"{n} {parameters[n]['estimate']:.4g}" for n in result.names)
    print(f"wrote {out}/results.json, fit.npz, kymograph.png ({result.status}; {est})")
    return 0


def _positive(text: str, option: str) -> float:
    value = parse_float(text, option)
    if not value > 0:
        raise UsageError(f"{option} must be > 0, got {text}")
    return value


def _num(x) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None


def _set(model, known, name, value):
    return eqx.tree_at(known[name][0], model, jnp.asarray(value, dtype=float))


def _plot(path, t, x, data, fit) -> None:
    """Data, fit and residual ΔF/F0 side by side (time across, space up)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(10.0, 3.0), sharey=True)
    extent = (t[0], t[-1], x[0], x[-1])
    for ax, values, title in zip(axes, (data, fit, data - fit), ("data", "fit", "residual"), strict=True):
        image = ax.imshow(values.T, origin="lower", aspect="auto", extent=extent, cmap="magma")
        fig.colorbar(image, ax=ax, label="ΔF/F0")
        ax.set(xlabel="t (s)", title=title)
    axes[0].set_ylabel("x (µm)")
    save_figure(fig, path)
