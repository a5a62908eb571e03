"""Spatial benchmark: the Atri 1993 wave (800 µm, no-flux, D_c = 20 µm²/s, 40 s) at dx = 2 and 0.5 µm by the IMEX
BDF2 default, by adaptive explicit Tsit5, and by scipy `solve_ivp` BDF with a sparse Jacobian pattern; and a vmapped
fire–diffuse–fire regime map of 64 parameter sets (site spacing × release × SERCA).

Run: `python -m benchmarks.spatial [--dx 2,0.5] [--repeats 3]`. Accuracy is the largest error, over the saved times
(every 0.5 s), of the front position at 0.5 µM against scipy BDF at rtol 1e-10 on the same grid, so it measures
time integration only (all methods share the spatial discretisation). Times are medians of `--repeats` runs after
compilation; compile times are listed apart.
"""

import argparse
import time

import jax
import jax.numpy as jnp
import numpy as np
import scipy.integrate
import scipy.sparse

import cicrjax as cj

from ._timing import median_time

LENGTH, T_END, SAVE = 800.0, 40.0, 0.5


def scipy_atri(dx: float, rtol: float):
    """The Atri wave by scipy BDF with the same grid and Laplacian; returns (fronts, wall time in s)."""
    model = cj.AtriWave(grid=cj.Grid.from_length(LENGTH, dx))
    cell = model.cell
    p = {k: float(getattr(cell, k)) for k in ("kflux", "mu0", "b", "k1", "gamma", "k_gamma", "beta", "tau_h", "k2")}
    n = model.grid.n
    D = float(model.D_c)

    def rhs(t, y):
        c, h = y[:n], y[n:]
        padded = np.concatenate([c[:1], c, c[-1:]])
        lap = (padded[:-2] - 2 * c + padded[2:]) / dx**2
        release = p["kflux"] * p["mu0"] * h * (p["b"] + (1 - p["b"]) * c / (p["k1"] + c))
        dc = D * lap + release - p["gamma"] * c / (p["k_gamma"] + c) + p["beta"]
        dh = (p["k2"] ** 2 / (p["k2"] ** 2 + c**2) - h) / p["tau_h"]
        return np.concatenate([dc, dh])

    band = scipy.sparse.diags([1.0, 1.0, 1.0], [-1, 0, 1], shape=(n, n))
    eye = scipy.sparse.eye(n)
    pattern = scipy.sparse.bmat([[band, eye], [eye, eye]])
    y0 = np.asarray(model.initial_state()).reshape(-1)
    ts = np.arange(0.0, T_END + 1e-9, SAVE)
    start = time.perf_counter()
    sol = scipy.integrate.solve_ivp(
        rhs, (0.0, T_END), y0, "BDF", t_eval=ts, rtol=rtol, atol=rtol * 1e-2, jac_sparsity=pattern
    )
    wall = time.perf_counter() - start
    fronts = np.asarray(cj.front_positions(model.grid.x, jnp.asarray(sol.y[:n].T)))
    return fronts, wall


def cicrjax_atri(dx: float, repeats: int, **options):
    """(fronts, median wall time, compile+first-run time) of `simulate_spatial` on the Atri wave."""
    model = cj.AtriWave(grid=cj.Grid.from_length(LENGTH, dx))

    def run():
        sol = cj.simulate_spatial(model, T_END, save_dt=SAVE, **options)
        return jax.block_until_ready(cj.front_positions(sol.x, sol["c"]))

    start = time.perf_counter()
    fronts = np.asarray(run())
    first = time.perf_counter() - start
    return fronts, median_time(run, repeats), first


def regime_map(repeats: int):
    """A 4 × 4 × 4 fire–diffuse–fire map over d, σ and k_s in one vmapped call; returns (flags, time, first)."""
    d, sigma, k_s = np.meshgrid([1.0, 1.5, 2.0, 3.0], [4.0, 8.0, 12.0, 16.0], [0.0, 2.0, 5.0, 10.0], indexing="ij")
    values = {"d": jnp.asarray(d.ravel()), "sigma": jnp.asarray(sigma.ravel()), "k_s": jnp.asarray(k_s.ravel())}
    model = cj.FireDiffuseFire(cj.Grid.from_length(60.0, 0.25))

    def run():
        return jax.block_until_ready(cj.propagation_map(model, values, 3.0, dt=1e-3, save_dt=0.01))

    start = time.perf_counter()
    speeds, flags = run()
    first = time.perf_counter() - start
    return np.asarray(flags), np.asarray(speeds), median_time(run, repeats), first


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dx", default="2,0.5")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"load average at start: {open('/proc/loadavg').read().split()[:3]}")
    for dx in [float(v) for v in args.dx.split(",")]:
        reference, ref_wall = scipy_atri(dx, 1e-10)
        print(
            f"\nAtri wave, dx = {dx} µm ({int(LENGTH / dx)} cells × 2 fields), 40 s; reference scipy BDF rtol 1e-10 "
            f"({ref_wall:.1f} s)"
        )
        print(f"  {'method':38s} {'time (s)':>9s} {'compile+1st (s)':>16s} {'front error (µm)':>17s}")
        for label, options in [
            ("cicrjax imex-bdf2 dt=0.05", {"dt": 0.05}),
            ("cicrjax imex-bdf2 dt=0.02", {"dt": 0.02}),
            ("cicrjax imex-bdf2 dt=0.01 (default)", {"dt": 0.01}),
            ("cicrjax explicit Tsit5 rtol=1e-6", {"method": "explicit", "rtol": 1e-6, "atol": 1e-9}),
        ]:
            fronts, wall, first = cicrjax_atri(dx, args.repeats, **options)
            error = np.max(np.abs(fronts - reference))
            print(f"  {label:38s} {wall:9.3f} {first:16.2f} {error:17.2e}")
        for rtol in (1e-4, 1e-5, 1e-6):
            fronts, wall = scipy_atri(dx, rtol)
            error = np.max(np.abs(fronts - reference))
            print(f"  {'scipy BDF sparse Jacobian rtol=' + format(rtol, 'g'):38s} {wall:9.3f} {'':16s} {error:17.2e}")
    flags, speeds, wall, first = regime_map(args.repeats)
    print(
        f"\nFDF regime map, 64 sets (d × σ × k_s = 4 × 4 × 4), 240 cells, 3 s at dt = 1 ms, one vmapped call: "
        f"{wall:.2f} s (compile+first {first:.1f} s); {int(flags.sum())}/64 propagate"
    )
    print(f"load average at end: {open('/proc/loadavg').read().split()[:3]}")


if __name__ == "__main__":
    main()
