"""Sobol study of the GDB period: `python -m benchmarks.sensitivity [--n N] [--scipy-rows M]`.

gdb1990 at β = 0.5 over 0–30 s (Δt = 5 ms; the period read over 15–30 s), six parameters (β, VM2, VM3, KA, kf, k)
uniform over ±20 %, N base samples (default 4096, N·(6 + 2) = 32,768 simulations): `cicrjax.sobol_indices` on
`cicrjax.feature_function` (compiled chunks, `lax.map` per device). The peer is SALib's Saltelli sample and analysis
with a scipy `solve_ivp` (LSODA, same tolerances) loop and a NumPy period read-out; the loop is timed on the first
`--scipy-rows` rows and scaled to the whole sample (said in the output). Prints times, simulations per second and
the largest difference between the two total-order indices where both ran in full (`--scipy-rows 0`: all rows).
"""

import argparse
import os
import subprocess
import time

import numpy as np
from scipy.integrate import solve_ivp

import cicrjax as cj

from ._scipy_models import gdb1990, parameters

PARAMS = ("beta", "VM2", "VM3", "KA", "kf", "k")
RTOL, ATOL = 1e-6, 1e-9
T_END, DT = 30.0, 0.005


def scipy_period(values: dict, ts: np.ndarray) -> float:
    """GDB period from a scipy solve: mean interval between upward mid-level crossings over the second half."""
    sol = solve_ivp(
        gdb1990(values),
        (0.0, T_END),
        [values["Z_init"], values["Y_init"]],
        t_eval=ts,
        method="LSODA",
        rtol=RTOL,
        atol=ATOL,
    )
    if not sol.success:
        return float("nan")
    return cj.oscillation_period(ts, sol.y[0])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4096, help="Sobol base samples (power of 2)")
    parser.add_argument("--scipy-rows", type=int, default=200, help="rows the scipy loop runs (0: all)")
    args = parser.parse_args(argv)
    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(), f"cpus {os.cpu_count()}")
    model = cj.GDB1990(beta=0.5)
    ts = np.linspace(0.0, T_END, int(round(T_END / DT)) + 1)
    lower, upper = cj.parameter_ranges(model, PARAMS, 0.2)
    fn = cj.feature_function(model, ts, PARAMS, ["period"], rtol=RTOL, atol=ATOL)
    sims = args.n * (len(PARAMS) + 2)

    chunk = 256  # rows per compiled call: the warm-up below (32 base rows = 256 simulations) compiles that shape
    cj.sobol_indices(fn, lower, upper, 32, bootstrap=0, chunk_size=chunk)
    start = time.perf_counter()
    ours = cj.sobol_indices(fn, lower, upper, args.n, bootstrap=200, chunk_size=chunk)
    ours_s = time.perf_counter() - start
    print(f"cicrjax: {sims} simulations in {ours_s:.1f} s ({sims / ours_s:.0f} /s), failed {ours.n_failed.tolist()}")
    print("  S1", np.round(ours.S1[0], 3).tolist(), "\n  ST", np.round(ours.ST[0], 3).tolist())

    try:
        from SALib.analyze import sobol as salib_sobol
        from SALib.sample import sobol as salib_sample
    except ImportError:
        print("SALib missing: pip install SALib")
        return
    problem = {"num_vars": len(PARAMS), "names": list(PARAMS), "bounds": np.column_stack([lower, upper]).tolist()}
    x = salib_sample.sample(problem, args.n, calc_second_order=False, seed=0)
    rows = x.shape[0] if args.scipy_rows <= 0 else min(args.scipy_rows, x.shape[0])
    base = parameters(model)
    start = time.perf_counter()
    y = np.array([scipy_period({**base, **dict(zip(PARAMS, row, strict=True))}, ts) for row in x[:rows]])
    loop_s = (time.perf_counter() - start) * x.shape[0] / rows
    note = "" if rows == x.shape[0] else f" (timed on {rows} rows, scaled)"
    print(f"SALib + scipy loop: {x.shape[0]} simulations in {loop_s:.1f} s{note} ({x.shape[0] / loop_s:.0f} /s)")
    print(f"speed-up: {loop_s / ours_s:.1f}x")
    if rows == x.shape[0] and not np.all(np.isfinite(y)):
        print(f"  SALib cannot analyse a sample with {int(np.sum(~np.isfinite(y)))} undefined periods")
    elif rows == x.shape[0]:
        ref = salib_sobol.analyze(problem, y, calc_second_order=False, seed=0)
        print("  SALib ST", np.round(ref["ST"], 3).tolist(), "max |ΔST|", float(np.max(np.abs(ref["ST"] - ours.ST[0]))))


if __name__ == "__main__":
    main()
