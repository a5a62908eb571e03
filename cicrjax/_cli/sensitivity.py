"""`cicrjax sensitivity MODEL ...`: local normalised sensitivities, Sobol indices or Morris effects of trajectory
features to parameters; writes results.json, sensitivity.csv and heatmap.png."""

import json
from pathlib import Path

import numpy as np

from .._errors import InputError
from .._features import FEATURES, check_features
from .._models import get_model
from .._parameters import with_parameters
from .._sensitivity import (
    feature_function,
    local_sensitivity,
    morris_effects,
    morris_sample,
    parameter_ranges,
    saltelli_sample,
    sobol_indices,
)
from .._sensitivity.model import check_parameters
from .errors import UsageError, parse_float, parse_int
from .output import atomic_path, output_folder
from .simulate import parse_settings, time_grid

METHODS = ("local", "sobol", "morris")


def add_parser(sub):
    p = sub.add_parser(
        "sensitivity",
        help="sensitivity of trajectory features to parameters (local, Sobol, Morris)",
        description=(
            "Normalised local sensitivities S = dln f/dln p of trajectory features f to parameters p at the model's "
            "values; with --method sobol or morris also global indices over p·(1 ± --range). Writes results.json, "
            "sensitivity.csv and heatmap.png into --out."
        ),
    )
    p.add_argument("model", help="model CLI name (see `cicrjax models`)")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="override a parameter")
    p.add_argument("--params", required=True, metavar="a,b,c", help="parameters, comma-separated")
    p.add_argument("--features", required=True, metavar="f,g", help=f"features: {', '.join(FEATURES)}")
    p.add_argument("--method", default="local", choices=METHODS, help="local (default), sobol or morris")
    p.add_argument("--range", default="0.2", metavar="FRACTION", help="global range p·(1 ± FRACTION) (default 0.2)")
    p.add_argument(
        "--samples",
        default=None,
        metavar="N",
        help="Sobol base samples (power of 2, default 256) or Morris trajectories (default 20)",
    )
    p.add_argument("--t-end", default="60", metavar="S", help="end time in s (default 60)")
    p.add_argument("--dt", default=None, metavar="S", help="save interval in s (default t-end/6000)")
    p.add_argument("--seed", default="0", metavar="S", help="seed of the global sample (default 0)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.set_defaults(func=run)


def _names(text: str, option: str) -> list[str]:
    items = [item.strip() for item in text.split(",")]
    if not text.strip() or any(not item for item in items):
        raise UsageError(f"{option} {text!r} has an empty entry; give comma-separated names such as {option} a,b")
    return items


def _number(value) -> float | None:
    """A float for JSON; None (null) where it is not finite."""
    return float(value) if np.isfinite(value) else None


def _table(matrix, features, params) -> dict:
    return {f: {p: _number(matrix[i, j]) for j, p in enumerate(params)} for i, f in enumerate(features)}


def run(args):
    model = get_model(args.model)()
    model = with_parameters(model, parse_settings(args.set))
    params = list(check_parameters(model, _names(args.params, "--params")))
    features = list(check_features(_names(args.features, "--features")))
    t_end = parse_float(args.t_end, "--t-end")
    ts = time_grid(args.t_end, args.dt if args.dt is not None else repr(t_end / 6000))
    seed = parse_int(args.seed, "--seed", 0)
    fraction = parse_float(args.range, "--range")
    if args.method != "local":
        lower, upper = parameter_ranges(model, params, fraction)
    samples = None
    if args.samples is not None:
        samples = parse_int(args.samples, "--samples", 1)
    if args.method == "sobol":  # check the sample size before anything is compiled
        saltelli_sample(lower, upper, 256 if samples is None else samples, seed=seed)
    elif args.method == "morris":
        morris_sample(len(params), 20 if samples is None else samples, seed=seed)
    local = local_sensitivity(model, ts, params, features)  # raises for a feature undefined at the model's values
    results = {
        "model": model.name,
        "method": args.method,
        "params": {p: float(v) for p, v in zip(params, local.nominal, strict=True)},
        "features": {f: float(v) for f, v in zip(features, local.values, strict=True)},
        "units": {f: FEATURES[f].unit for f in features},
        "S": _table(local.S, features, params),
    }
    rows = [[f, p, local.S[i, j]] for i, f in enumerate(features) for j, p in enumerate(params)]
    columns = ["feature", "parameter", "S"]
    if args.method != "local":
        fn = feature_function(model, ts, params, features)
        results["range"] = fraction
        results["bounds"] = {p: [float(lo), float(hi)] for p, lo, hi in zip(params, lower, upper, strict=True)}
        results["seed"] = seed
    if args.method == "sobol":
        r = sobol_indices(fn, lower, upper, 256 if samples is None else samples, seed=seed)
        fields = ("S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high")
        results.update({name: _table(getattr(r, name), features, params) for name in fields})
        results["samples"], results["evaluations"] = r.n, r.n_evaluations
        results["failed"] = {f: int(n) for f, n in zip(features, r.n_failed, strict=True)}
        results["convergence"] = [
            {"N": n, "S1": _table(s1, features, params), "ST": _table(st, features, params)}
            for n, s1, st in r.convergence
        ]
        stats = [getattr(r, name) for name in fields]
    elif args.method == "morris":
        trajectories = 20 if samples is None else samples
        r = morris_effects(fn, lower, upper, trajectories, seed=seed)
        fields = ("mu", "mu_star", "mu_star_low", "mu_star_high", "sigma")
        results.update({name: _table(getattr(r, name), features, params) for name in fields})
        results["trajectories"], results["evaluations"] = trajectories, r.n_evaluations
        results["failed"] = {f: int(n) for f, n in zip(features, r.n_failed, strict=True)}
        stats = [getattr(r, name) for name in fields]
    if args.method != "local":
        if np.all(r.n_failed == (r.n if args.method == "sobol" else trajectories)):
            raise InputError("every global sample failed or left a feature undefined; narrow --range")
        columns += list(fields)
        cells = np.ndindex(len(features), len(params))
        rows = [row + [s[i, j] for s in stats] for row, (i, j) in zip(rows, cells, strict=True)]
    with output_folder(Path(args.out), "--out") as out:
        with atomic_path(out / "results.json") as tmp:
            Path(tmp).write_text(json.dumps(results, indent=2, allow_nan=False) + "\n")
        with atomic_path(out / "sensitivity.csv") as tmp:
            with open(tmp, "w") as f:
                f.write(",".join(columns) + "\n")
                for row in rows:
                    f.write(",".join([row[0], row[1], *(f"{v:.10g}" for v in row[2:])]) + "\n")
        _heatmap(out / "heatmap.png", local.S, features, params, f"{model.name}: dln f/dln p")
    print(f"wrote {out}/results.json, sensitivity.csv, heatmap.png ({args.method}, {len(features)}×{len(params)})")


def _heatmap(path, matrix, features, params, title) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..plot import sensitivity

    fig = sensitivity(matrix, features, params, title=title)
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format="png", dpi=110, bbox_inches="tight")
    finally:
        plt.close(fig)
