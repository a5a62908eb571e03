"""Spark benchmark: the cardiac spark default (100 cells of 0.2 µm, 0.1 s at dt = 20 µs, Fluo-4 and a stationary
buffer) simulated, scanned (0.2 µm pixels, 2 ms lines) and measured; the derivative of its ΔF/F0 amplitude and FWHM
with respect to the release flux by forward mode against central finite differences; one triggered stochastic-cluster
run; a 3-D (spherical) spark scanned through the lateral and axial PSF, with 2-D frames; spark-to-wave recruitment
in a row of 5 clusters at 4 SR loads × 8 seeds;
a kymograph fit of one noisy spark (flux, D_c, duration; 4 starts); detection in a 10 000-line × 200-pixel noisy
scan with 200 planted sparks (ΔF/F0 1, noise s.d. 0.25).

Run: `python -m benchmarks.sparks [--repeats 3]`. Times are medians of `--repeats` runs after compilation; compile
(first-call) times are listed apart. State the load average (`uptime`) with any figure you quote.
"""

import argparse
import time

import jax
import jax.numpy as jnp
import numpy as np

import cicrjax as cj
import fitting

from ._timing import median_time

T_END, DT, SAVE_DT = 0.1, 2e-5, 1e-3


def metrics(flux):
    """ΔF/F0 amplitude and FWHM (µm) of the cardiac spark at release flux `flux` (µM·µm/s); the simulation is
    compiled, the scan and metrics run eagerly (the scan reads the save times to size its image)."""
    sol = cj.simulate_spatial(cj.cardiac_spark(cj.SparkSite(flux=flux)), T_END, dt=DT, save_dt=SAVE_DT)
    t, x, image = cj.LineScan()(sol)
    m = cj.spark_metrics(t, x, image - 1.0)
    return jnp.stack([m.amplitude, m.fwhm])


def fit_one_spark(repeats: int) -> None:
    """Fit flux, D_c and duration of the cardiac spark to its noisy 46-line × 31-pixel image (2 ms, 0.2 µm; noise
    s.d. 0.05) from 4 seeded starts (Levenberg–Marquardt, Gauss–Newton intervals): first call and once compiled."""
    site = cj.SparkSite(grid=cj.Grid(61, 0.2), site_x=6.0, t_on=0.018)
    model = cj.cardiac_spark(site)
    sol = cj.simulate_spatial(model, 0.09, dt=DT, save_dt=SAVE_DT)
    t, x = np.arange(46) * 2e-3, 3.0 + (np.arange(31) + 0.5) * 0.2
    image = np.asarray(cj.LineScan().observe(sol, jnp.asarray(t), jnp.asarray(x))) - 1.0
    data = image + np.random.default_rng(0).normal(0.0, 0.05, image.shape)
    problem = fitting.define_kymograph_problem(model, t, x, data, free=["flux", "D_c", "duration"])
    start = time.perf_counter()
    result = fitting.fit_kymograph(problem, 4, seed=0)
    first = time.perf_counter() - start
    run = median_time(lambda: fitting.fit_kymograph(problem, 4, seed=0), repeats)
    estimates = ", ".join(
        f"{n} {v:.4g} [{lo:.4g}, {hi:.4g}]"
        for n, v, lo, hi in zip(result.names, result.estimates, result.ci_low, result.ci_high, strict=True)
    )
    print(
        f"kymograph fit, 3 free, 4 starts: first call {first:.1f} s, then {run:.2f} s (median of {repeats}); "
        f"{estimates} (truth 8000, 220, 0.01); iterations {result.multistart.iterations.tolist()}"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    flux = jnp.asarray(8000.0)
    start = time.perf_counter()
    jax.block_until_ready(metrics(flux))
    first = time.perf_counter() - start
    run = median_time(lambda: jax.block_until_ready(metrics(flux)), args.repeats)
    print(f"spark simulate+scan+metrics: first call {first:.2f} s, then {run * 1e3:.0f} ms (median of {args.repeats})")
    value = metrics(flux)
    print(f"  amplitude ΔF/F0 {float(value[0]):.3f}, FWHM {float(value[1]):.3f} µm")

    def tangent(f):
        return jax.jvp(metrics, (f,), (jnp.ones_like(f),))[1]

    start = time.perf_counter()
    d = jax.block_until_ready(tangent(flux))
    first = time.perf_counter() - start
    h = 1.0
    fd = (metrics(flux + h) - metrics(flux - h)) / (2 * h)
    print(f"d/dflux by jvp (first call {first:.2f} s): {d.tolist()}; central FD (h = {h:g}): {fd.tolist()}")
    model = cj.cardiac_spark(cj.StochasticCluster(key=jax.random.key(0), trigger=20.0))
    start = time.perf_counter()
    sol = cj.simulate_spatial(model, 0.2, dt=DT, save_dt=SAVE_DT)
    jax.block_until_ready(sol.ys)
    print(
        f"stochastic cluster, 0.2 s: first call {time.perf_counter() - start:.2f} s, "
        f"open time {float(sol.events.open_time[0]):.3f} channel·s"
    )
    sphere = cj.cardiac_spark(spherical=True)
    for label in ("first call", "then"):
        start = time.perf_counter()
        sol = cj.simulate_spatial(sphere, T_END, dt=DT, save_dt=SAVE_DT)
        t, x, image = cj.LineScan()(sol)
        _, frames = cj.LineScan().frames(sol, jnp.arange(11) * 0.01)
        m = cj.spark_metrics(t, x, image - 1.0)
        jax.block_until_ready((m.fwhm, frames))
        wall = time.perf_counter() - start
        print(f"3-D spark (80 shells) simulate + 3-D PSF line scan + 11 frames: {label} {wall:.2f} s")
    print(f"  ΔF/F0 {float(m.amplitude):.3f}, FWHM {float(m.fwhm):.3f} µm, FDHM {1e3 * float(m.fdhm):.1f} ms")
    row = cj.StochasticCluster(
        key=jax.random.key(0), site=cj.SparkSite(grid=cj.Grid(60, 0.2), flux=0.0, site_x=2.0), n_sites=5, trigger=20.0
    )
    loads = {"jsr0": jnp.array([1000.0, 2000.0, 3000.0, 4000.0])}
    for label in ("first call", "then"):
        start = time.perf_counter()
        share, _ = cj.spark_to_wave(row, loads, 0.1, seeds=8)
        jax.block_until_ready(share)
        print(f"spark-to-wave, 5 sites, 4 SR loads x 8 seeds, 0.1 s: {label} {time.perf_counter() - start:.2f} s")
    print(f"  share of neighbours recruited at SR load 1, 2, 3, 4 mM: {np.round(np.asarray(share), 3).tolist()}")

    fit_one_spark(args.repeats)

    rng = np.random.default_rng(1)
    t, x = np.arange(10_000) * 2e-3, np.arange(200) * 0.2 + 0.1
    image, truth = rng.normal(0.0, 0.25, (t.size, x.size)), []
    for i in range(50):
        for j in range(4):
            t0, x0 = 0.02 + 0.4 * i + rng.uniform(0, 0.1), 5.0 + 10.0 * j + rng.uniform(-2, 2)
            decay = np.exp(-np.maximum(t - t0 - 0.01, 0.0) / 0.02)
            g = np.where(t < t0, 0.0, np.where(t < t0 + 0.01, (t - t0) / 0.01, decay))
            image += g[:, None] * np.exp(-0.5 * ((x - x0) / 0.8) ** 2)[None]
            truth.append((t0 + 0.01, x0))
    start = time.perf_counter()
    sparks, frequency = cj.detect_sparks(t, x, image)
    wall = time.perf_counter() - start
    hits = sum(any(abs(m.t_peak - a) < 0.015 and abs(m.x_peak - b) < 1.0 for m in sparks) for a, b in truth)
    print(
        f"detection, 10000 lines × 200 pixels: {wall:.2f} s (incl. one metrics compile), {len(sparks)} sparks, "
        f"{hits}/{len(truth)} planted found, {frequency:.1f} per 100 µm per s"
    )


if __name__ == "__main__":
    main()
