"""`cicrjax wave MODEL ...`: simulate a spatial model and write its wave metrics and kymograph."""

import json
import math
from pathlib import Path

import numpy as np

from .._errors import ComputationError
from .._spatial import SPATIAL_MODELS, Grid, front_positions, reached, simulate_spatial, wave_speed
from .._spatial.dendrite import dendrite_amplification
from .._spatial.firebreak import firebreak_capacity
from .._spatial.parameters import with_grid, with_spatial_parameters
from .._spatial.simulate import MAX_BYTES, check_sites, memory_bytes
from .errors import UsageError, parse_float
from .output import atomic_path, check_output_folder, output_folder, save_figure
from .simulate import parse_settings

# Per model: domain length (µm), dx (µm), end time (s), time step (s).
DEFAULTS = {
    "atri1993": (800.0, 2.0, 120.0, 0.01),
    "fdf": (100.0, 0.2, 4.0, 0.001),
    "firebreak": (300.0, 2.0, 60.0, 0.01),
    "dendrite": (100.0, 1.0, 1.0, 0.001),
}
SOLVER = "imex-bdf2 (SBDF2; diffusion by tridiagonal solves, reactions explicit)"


def add_parser(sub):
    p = sub.add_parser(
        "wave",
        help="simulate a spatial model (Atri wave, fire-diffuse-fire, firebreak, dendrite) and measure its wave",
        description=(
            "Simulate MODEL on a 1-D grid and write results.json (speed_um_per_s, propagated, dx_um, length_um, "
            "solver; blocked for firebreak, amplification for dendrite), kymograph.npy (c in µM, time × cells) and "
            "kymograph.png into DIR."
        ),
    )
    p.add_argument("model", help=f"one of {', '.join(SPATIAL_MODELS)}")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="override a parameter")
    p.add_argument("--length", default=None, metavar="UM", help="domain length in µm (default per model)")
    p.add_argument("--dx", default=None, metavar="UM", help="grid spacing in µm (default per model)")
    p.add_argument("--t-end", default=None, metavar="S", help="end time in s (default per model)")
    p.add_argument("--dt", default=None, metavar="S", help="time step in s (default per model)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.set_defaults(func=run)


def _positive(text, option, default):
    value = default if text is None else parse_float(text, option)
    if value <= 0:
        raise UsageError(f"{option} must be > 0, got {text}")
    return value


def _number(x):
    x = float(x)
    return x if math.isfinite(x) else None


def plot_kymograph(path, ts, x, c, title, label="c (µM)") -> None:
    """Kymograph of c (`cicrjax.plot.kymograph`: time across, space up; colour bar `label`) as a PNG, atomically."""
    import matplotlib

    matplotlib.use("Agg")
    from ..plot import kymograph

    save_figure(kymograph(x, ts, c, label=label, title=title), path)


def run(args):
    if args.model not in SPATIAL_MODELS:
        raise UsageError(f"unknown spatial model {args.model!r}; choose one of {', '.join(SPATIAL_MODELS)}")
    length0, dx0, t_end0, dt0 = DEFAULTS[args.model]
    length = _positive(args.length, "--length", length0)
    dx = _positive(args.dx, "--dx", dx0)
    t_end = _positive(args.t_end, "--t-end", t_end0)
    dt = _positive(args.dt, "--dt", dt0)
    if dx > length / 3:
        raise UsageError(f"--dx ({dx:g} µm) leaves fewer than 3 cells in --length ({length:g} µm); use a smaller dx")
    model = with_spatial_parameters(SPATIAL_MODELS[args.model](), parse_settings(args.set))
    model = with_grid(model, Grid(int(round(length / dx)), dx))
    check_sites(model)
    save_dt = max(dt, t_end / 400)
    need = memory_bytes(model, t_end, dt=dt, save_dt=save_dt)
    if need > MAX_BYTES or model.grid.n > 10_000_000:
        raise UsageError(
            f"a {model.grid.n}-cell grid over {t_end:g} s needs about {need / 2**30:.1f} GiB; use a larger --dx, "
            "a shorter --length or a shorter --t-end"
        )
    out_path = Path(args.out)
    check_output_folder(out_path, "--out")
    sol = simulate_spatial(model, t_end, dt=dt, save_dt=save_dt)
    if not bool(sol.success):
        raise ComputationError(f"the {args.model} simulation stopped being finite; use a smaller --dt")
    c = np.asarray(sol["c"])
    fronts = front_positions(sol.x, sol["c"])
    result = {
        "model": args.model,
        "citation": model.citation,
        "dx_um": dx,
        "length_um": model.grid.length,
        "t_end_s": t_end,
        "dt_s": dt,
        "solver": SOLVER,
    }
    if args.model == "firebreak":
        lo, hi = float(model.wave.stimulus_length) + 20.0, float(model.band_start) - 20.0  # before the band
        blocked = not bool(reached(fronts, model.beyond()))
        result["blocked"] = blocked
        result["propagated"] = not blocked
        result["least_blocking_k_in_uM_per_s"] = _number(firebreak_capacity(model, t_end, dt=dt))
    else:
        lo, hi = 0.25 * model.grid.length, 0.75 * model.grid.length
        result["propagated"] = bool(reached(fronts, hi))
    speed = wave_speed(sol.ts, fronts, lo, hi)
    result["speed_um_per_s"] = _number(speed) if result["propagated"] or args.model == "firebreak" else None
    result["speed_window_um"] = [lo, hi]
    if args.model == "dendrite":
        result["amplification"] = _number(dendrite_amplification(model, t_end, dt=dt))
    with output_folder(out_path, "--out") as out:
        with atomic_path(out / "kymograph.npy") as tmp:
            with open(tmp, "wb") as f:
                np.save(f, c)
        plot_kymograph(out / "kymograph.png", np.asarray(sol.ts), np.asarray(sol.x), c, f"{args.model}: c (µM)")
        with atomic_path(out / "results.json") as tmp:
            tmp.write_text(json.dumps(result, indent=2) + "\n")
    speed = result["speed_um_per_s"]
    print(
        f"wrote {out}/results.json, kymograph.npy, kymograph.png (speed {speed} µm/s, "
        f"propagated {result['propagated']})"
    )
