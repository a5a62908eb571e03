"""Batch and fit cases at many cells, float32 and float64, for an accelerator: `benchmarks/gpu.sh` runs it.

Run from the repository root (cicrjax need not be installed; scipy and libRoadRunner are not needed):
`PYTHONPATH=. python -m benchmarks.gpu --json OUT.json [--sizes 1000 10000 100000] [--budget 330]`.
Every (case, cells, dtype) runs in its own interpreter with a time limit (`--case-limit`, 150 s; fits
`--fit-limit`, 60 s), so one slow or failing case costs at most its limit; a size is skipped (and said so) when the
previous size's time (on a CPU scaled by the number of cells) exceeds the budget left. Every row reports `cells_per_s`
(cells / warm time, else / first-call time); a fit that hits its time cap reports `cells_per_s_below`, the bound
n / cap, instead.

- batch: gdb1990 over 0–10 s, 101 save points, for N parameter sets (VM2, VM3, KA log-uniform over a decade);
  rtol 1e-8, atol 1e-10 in float64 and rtol 1e-5, atol 1e-7 in float32. One compiled `cicrjax.simulate_batch`
  call, its sets split over every local device (each device's share vmapped).
- fit: N cells of a population, each with its own true VM2, VM3, KA (log-uniform within 10^±0.1 of the published
  values) and noisy data (σ = 0.02 µM, 0–12 s at 50 Hz: 601 points, about 6 periods), every cell fitted from one
  start (the published values, i.e. the population's centre) by the strategy `fitting.choose_strategy` picks for
  the centre's trace (period-matched Levenberg–Marquardt), all cells in one `fitting.run_cells` call split over every
  local device; rtol 1e-6, atol 1e-9 (float64) and rtol 1e-4, atol 1e-6 (float32). The first call is timed as
  trace, compile and run apart (`trace_s`, `compile_s`, `run_s`); `warm_s` is a second run when the first took
  < 40 s. "recovered" is the fraction of cells whose three estimates lie within 5 % of their truth, "at_optimum"
  the fraction whose fitted NLL is at most the NLL at their truth + 0.5.
Times: `first_s` the first call (trace + compile + run), `warm_s` a second call.
"""

import argparse
import json
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
    import equinox as eqx
    import jax.numpy as jnp
    import numpy as np

    import fitting

    rtol, atol = FIT_TOLS[dtype]
    model = cicrjax.GDB1990()
    rng = np.random.default_rng(1)
    values = {k: jnp.asarray(float(getattr(model, k)) * 10.0 ** rng.uniform(-0.1, 0.1, n)) for k in FREE}
    ts = jnp.linspace(0.0, 12.0, 601)
    sim = jax.jit(jax.vmap(lambda m: cicrjax.simulate(m, ts, rtol=rtol, atol=atol, throw=False).ys[:, 0]))
    clean = sim(cicrjax.batch_parameters(model, values))
    data = clean + 0.02 * jax.random.normal(jax.random.key(0), clean.shape, clean.dtype)
    bounds = {k: (float(getattr(model, k)) / 10**0.5, float(getattr(model, k)) * 10**0.5) for k in FREE}
    problem = fitting.define_problem(model, ts, data[0], free=list(FREE), bounds=bounds,
                                     transforms=dict.fromkeys(FREE, "log"), profile=("sigma",),
                                     observation={"offset": 0.0, "scale": 1.0}, rtol=rtol, atol=atol)  # fmt: skip
    typical = eqx.tree_at(lambda q: q.data, problem, sim(cicrjax.batch_parameters(model, {k: jnp.asarray(
        [float(getattr(model, k))]) for k in FREE}))[:, None, :][0].astype(data.dtype))  # the centre's clean trace
    strategy, why = fitting.choose_strategy(typical)  # what "auto" picks for the population's typical trace
    centre = problem.to_theta([float(getattr(model, k)) for k in FREE])
    thetas = jnp.broadcast_to(centre, (n, 1, len(FREE))).astype(data.dtype)
    data = data[:, None, :]  # each cell's data shaped like problem.data: (conditions = 1, time)
    start = time.perf_counter()
    lowered = fitting.run_cells.lower(problem, data, thetas, strategy)
    traced = time.perf_counter()
    print(f"fit {n} {dtype}: traced in {traced - start:.1f} s", file=sys.stderr, flush=True)
    program = lowered.compile()
    compiled = time.perf_counter()
    print(f"fit {n} {dtype}: compiled in {compiled - traced:.1f} s", file=sys.stderr, flush=True)
    run, out = _timed(jax, lambda: program(problem, data, thetas, strategy))
    print(f"fit {n} {dtype}: ran in {run:.1f} s", file=sys.stderr, flush=True)
    first = time.perf_counter() - start
    warm = None
    if first < 40.0:  # a second run only where it fits the time box
        warm, out = _timed(jax, lambda: program(problem, data, thetas, strategy))
    est = np.asarray(problem.natural(out.theta[:, 0]))
    truth = np.column_stack([np.asarray(values[k]) for k in FREE])
    recovered = float(np.mean(np.all(np.abs(est / truth - 1.0) < 0.05, axis=1)))
    # the optimum reached: the fitted NLL is at most the NLL at the truth (+0.5, a 1-σ likelihood-ratio margin)
    at_truth = jax.jit(jax.vmap(lambda d, th: fitting.objective(eqx.tree_at(lambda q: q.data, problem, d), th)))
    theta_truth = jnp.stack([problem.to_theta(row) for row in truth]).astype(data.dtype)
    nll_truth = np.asarray(at_truth(data, theta_truth))
    optimum = float(np.mean(np.asarray(out.value[:, 0]) <= nll_truth + 0.5))
    return {"first_s": first, "trace_s": traced - start, "compile_s": compiled - traced, "run_s": run,
            "warm_s": warm, "per_cell_ms": 1e3 * (run if warm is None else warm) / n, "dtype": str(data.dtype),
            "devices": len(jax.local_devices()), "strategy": why, "recovered": recovered,
            "at_optimum": optimum,
            "converged": float(np.mean(np.asarray(out.converged))),
            "iterations_median": float(np.median(np.asarray(out.iterations))),
            "iterations_max": int(np.max(np.asarray(out.iterations))), "rtol": rtol, "atol": atol}  # fmt: skip


def _one(case: str, n: int, dtype: str, timeout: float) -> dict:
    """Run one configuration in a fresh interpreter, at most `timeout` s."""
    cmd = [sys.executable, "-m", "benchmarks.gpu", "--one", case, str(n), dtype]
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=os.environ.copy())
    except subprocess.TimeoutExpired as expired:  # its progress so far (trace, compile) still says where time went
        said = expired.stderr.decode() if isinstance(expired.stderr, bytes) else expired.stderr or ""
        progress = "; ".join(line for line in said.splitlines() if line.startswith(f"{case} {n} {dtype}:"))
        return {"status": f"timed out after {timeout:.0f} s (capped)", "wall_s": time.perf_counter() - start,
                "progress": progress, "cells_per_s_below": n / timeout}  # fmt: skip
    wall = time.perf_counter() - start
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        return {"status": "failed: " + " | ".join(proc.stderr.strip().splitlines()[-3:]), "wall_s": wall}
    result = {"status": "ok", "wall_s": wall, **json.loads(lines[-1])}
    result["cells_per_s"] = n / (result["warm_s"] or result.get("run_s") or result["first_s"])
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
                # a CPU's time grows with the cells; an accelerator's lockstep batch much less, so there the
                # previous size's time is the estimate
                scale = n / previous[0] if previous is not None and meta["device"].startswith("cpu") else 1.0
                estimate = None if previous is None else previous[1] * scale
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
