"""Batch and fit cases at many cells, float32 and float64, for an accelerator: `benchmarks/gpu.sh` runs it.

Run from the repository root (cicrjax need not be installed; scipy and libRoadRunner are not needed):
`PYTHONPATH=. python -m benchmarks.gpu --json OUT.json [--sizes 1000 10000 100000] [--budget 330]`.
Every (case, cells, dtype) runs in its own interpreter with a time limit (`--case-limit`, 150 s; fits
`--fit-limit`, 60 s), so one slow or failing case costs at most its limit; a size is skipped (and said so) when the
previous size's time, scaled by the number of cells, exceeds the budget left. Every row reports `cells_per_s`
(cells / warm time, else / first-call time); a fit that hits its time cap reports `cells_per_s_below`, the bound
n / cap, instead.

- batch: gdb1990 over 0–10 s, 101 save points, for N parameter sets (VM2, VM3, KA log-uniform over a decade);
  rtol 1e-8, atol 1e-10 in float64 and rtol 1e-5, atol 1e-7 in float32. One compiled `cicrjax.simulate_batch`
  call, its sets split over every local device (each device's share vmapped).
- fit: N cells, each with its own true VM2, VM3, KA and noisy data (σ = 0.02 µM, 0–5 s, 51 points); every cell
  fitted from one start (the bounds' centre) with `fitting.run_cells` and L-BFGS (20 iterations), all at once,
  the cells split over every local device;
  rtol 1e-6, atol 1e-9 (float64) and rtol 1e-4, atol 1e-6 (float32). No warm call when the first exceeds 40 s
  (then `per_cell_ms` includes compilation).
  "recovered" is the fraction of cells whose three estimates lie within 5 % of their truth.
Times: `first_s` the first call (trace + compile + run), `warm_s` a second call.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import time

TOLS = {"float64": (1e-8, 1e-10), "float32": (1e-5, 1e-7)}  # batch
FIT_TOLS = {"float64": (1e-6, 1e-9), "float32": (1e-4, 1e-6)}  # fit (fitting's default in float64)
FREE = ("VM2", "VM3", "KA")


def _setup(dtype: str):
    import jax

    import cicrjax

    jax.config.update("jax_enable_x64", dtype == "float64")  # cicrjax turns x64 on; float32 turns it off again
    return jax, cicrjax


def _true_sets(cicrjax, n: int, seed: int):
    import jax.numpy as jnp
    import numpy as np

    model = cicrjax.GDB1990()
    rng = np.random.default_rng(seed)
    values = {k: jnp.asarray(float(getattr(model, k)) * 10.0 ** rng.uniform(-0.5, 0.5, n)) for k in FREE}
    return model, values


def _timed(jax, fn):
    start = time.perf_counter()
    out = jax.block_until_ready(fn())
    return time.perf_counter() - start, out


def batch(n: int, dtype: str) -> dict:
    jax, cicrjax = _setup(dtype)
    import jax.numpy as jnp
    import numpy as np

    rtol, atol = TOLS[dtype]
    model, values = _true_sets(cicrjax, n, 0)
    models = cicrjax.batch_parameters(model, values)
    ts = jnp.linspace(0.0, 10.0, 101)
    sim = lambda: cicrjax.simulate_batch(models, ts, rtol=rtol, atol=atol)  # noqa: E731  (every local device)
    first, _ = _timed(jax, sim)
    warm, sol = _timed(jax, sim)
    steps = np.asarray(sol.num_steps)
    return {"first_s": first, "warm_s": warm, "per_cell_us": 1e6 * warm / n, "dtype": str(sol.ys.dtype),
            "devices": len(jax.local_devices()),
            "solved": float(np.mean(np.asarray(sol.success))), "steps_median": float(np.median(steps)),
            "steps_max": int(steps.max()), "rtol": rtol, "atol": atol}  # fmt: skip


def fit(n: int, dtype: str) -> dict:
    jax, cicrjax = _setup(dtype)
    import jax.numpy as jnp
    import numpy as np

    import fitting

    rtol, atol = FIT_TOLS[dtype]
    model, values = _true_sets(cicrjax, n, 1)
    ts = jnp.linspace(0.0, 5.0, 51)
    sim = jax.jit(jax.vmap(lambda m: cicrjax.simulate(m, ts, rtol=rtol, atol=atol, throw=False).ys[:, 0]))
    clean = sim(cicrjax.batch_parameters(model, values))
    noise = 0.02 * jax.random.normal(jax.random.key(0), clean.shape, clean.dtype)
    data = clean + noise
    bounds = {k: (float(getattr(model, k)) / 10**0.5, float(getattr(model, k)) * 10**0.5) for k in FREE}
    problem = fitting.define_problem(model, ts, data[0], free=list(FREE), bounds=bounds,
                                     transforms=dict.fromkeys(FREE, "log"), profile=("sigma",),
                                     observation={"offset": 0.0, "scale": 1.0}, rtol=rtol, atol=atol)  # fmt: skip
    centre = problem.to_theta([math.sqrt(lo * hi) for lo, hi in bounds.values()])
    thetas = jnp.broadcast_to(centre, (n, 1, len(FREE))).astype(data.dtype)
    optimiser = fitting.LBFGS(max_iter=20)
    data = data[:, None, :]  # each cell's data shaped like problem.data: (conditions = 1, time)
    first, out = _timed(jax, lambda: fitting.run_cells(problem, data, thetas, optimiser))
    warm = None
    if first < 40.0:  # a second, compiled call only where it fits the time box
        warm, out = _timed(jax, lambda: fitting.run_cells(problem, data, thetas, optimiser))
    est = np.asarray(problem.natural(out.theta[:, 0]))
    truth = np.column_stack([np.asarray(values[k]) for k in FREE])
    recovered = float(np.mean(np.all(np.abs(est / truth - 1.0) < 0.05, axis=1)))
    per_cell = 1e3 * (first if warm is None else warm) / n
    return {"first_s": first, "warm_s": warm, "per_cell_ms": per_cell, "dtype": str(data.dtype),
            "devices": len(jax.local_devices()), "recovered": recovered,
            "converged": float(np.mean(np.asarray(out.converged))),
            "iterations_median": float(np.median(np.asarray(out.iterations))), "rtol": rtol, "atol": atol}  # fmt: skip


def _one(case: str, n: int, dtype: str, timeout: float) -> dict:
    """Run one configuration in a fresh interpreter, at most `timeout` s."""
    cmd = [sys.executable, "-m", "benchmarks.gpu", "--one", case, str(n), dtype]
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=os.environ.copy())
    except subprocess.TimeoutExpired:
        return {"status": f"timed out after {timeout:.0f} s (capped)", "wall_s": time.perf_counter() - start,
                "cells_per_s_below": n / timeout}  # fmt: skip
    wall = time.perf_counter() - start
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        return {"status": "failed: " + " | ".join(proc.stderr.strip().splitlines()[-3:]), "wall_s": wall}
    result = {"status": "ok", "wall_s": wall, **json.loads(lines[-1])}
    result["cells_per_s"] = n / (result["warm_s"] or result["first_s"])
    return result


def _device() -> str:
    import jax

    d = jax.devices()[0]
    return f"{d.platform}: {getattr(d, 'device_kind', d)}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.gpu", description=__doc__.splitlines()[0])
    parser.add_argument("--json", metavar="FILE", help="write the results as JSON to FILE")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000], help="numbers of cells")
    parser.add_argument("--dtypes", nargs="+", default=["float32", "float64"], choices=sorted(TOLS))
    parser.add_argument("--cases", nargs="+", default=["batch", "fit"], choices=["batch", "fit"])
    parser.add_argument("--budget", type=float, default=330.0, help="total seconds for all runs (default 330)")
    parser.add_argument("--case-limit", type=float, default=150.0, help="seconds one run may take (default 150)")
    parser.add_argument("--fit-limit", type=float, default=60.0, help="seconds one fit run may take (default 60)")
    parser.add_argument("--one", nargs=3, metavar=("CASE", "N", "DTYPE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        case, n, dtype = args.one
        print(json.dumps({"batch": batch, "fit": fit}[case](int(n), dtype)), flush=True)
        return 0
    start = time.perf_counter()
    meta = {"device": _device(), "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
            "budget_s": args.budget}  # fmt: skip
    print(f"device {meta['device']}; budget {args.budget:.0f} s", flush=True)
    results = []
    wall = {}  # (case, dtype) -> (n, wall s) of the last run, for the scaled estimate
    capped = {}  # (case, dtype) -> the size that hit its time cap: larger sizes are skipped
    for case in args.cases:  # every batch size first, then the fits (the 100k fit is the one to skip)
        for n in sorted(args.sizes):
            for dtype in args.dtypes:
                left = args.budget - (time.perf_counter() - start)
                row = {"case": case, "cells": n, "dtype": dtype}
                previous = wall.get((case, dtype))
                estimate = None if previous is None else previous[1] * n / previous[0]
                if left < 20:
                    row["status"] = f"skipped: {left:.0f} s of the budget left"
                elif (case, dtype) in capped:
                    row["status"] = f"skipped: {capped[(case, dtype)]} cells already hit the time cap"
                elif estimate is not None and estimate > left:
                    row["status"] = f"skipped: scaled estimate {estimate:.0f} s > {left:.0f} s left of the budget"
                else:
                    limit = args.fit_limit if case == "fit" else args.case_limit
                    row.update(_one(case, n, dtype, min(left, limit)))
                    if row["status"] == "ok":
                        wall[(case, dtype)] = (n, row["wall_s"])
                    elif row["status"].startswith("timed out"):
                        capped[(case, dtype)] = n
                results.append(row)
                print(json.dumps(row), flush=True)
    meta["total_s"] = time.perf_counter() - start
    print(f"done in {meta['total_s']:.0f} s", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"meta": meta, "results": results}, f, indent=1)
        print(f"wrote {args.json}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
