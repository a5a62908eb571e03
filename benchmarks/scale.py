"""Issue 17 (scale): a batch split over the CPU cores, and a folder of recordings fitted serially, sharded and on a
Dask LocalCluster, in cells (recordings) per second, with peak memory.

`python -m benchmarks.scale [--batch N] [--recordings N] [--workers W] [--chunk C] [--json FILE]`

- batch: `cicrjax.simulate_batch` of N gdb1990 parameter sets (benchmarks/batch.py's case: 0–10 s, 1001 points,
  rtol 1e-8) on 1 forced CPU device against every core as one (`XLA_FLAGS=--xla_force_host_platform_device_count`),
  median warm time of 2 calls in a fresh interpreter each.
- farm: N synthetic gdb1990 recordings (Z over 0–4 s at 10 Hz, VM2 drawn ±20% around 65 µM/s, seeded Gaussian noise
  of 0.01 µM), fitted by `cicrjax fit DIR --model gdb1990 --free VM2,VM3 --starts 4 --max-iter 60
  --uncertainty none`: serially on one device, serially with every core a device (the 4 starts of each recording
  split over them), and on `--workers W` (a LocalCluster, one device per worker) twice: with an empty persistent
  compilation cache (`CICRJAX_CACHE_DIR`, a fresh folder the workers fill), then again into a new `--out` with that
  cache warm. Each run is a fresh process (compile included); reported: wall time, recordings per second, the
  median and the longest time of one recording's fit (from its results.json: the longest is the first fit of a
  process, which compiles or loads the fit; the median one once compiled) and the steady rate the median implies
  (processes / median), and the peak resident memory of the largest process (getrusage of the waited children, so
  Dask's worker processes count).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
FIT = ["--model", "gdb1990", "--free", "VM2,VM3", "--starts", "4", "--max-iter", "60", "--uncertainty", "none"]
CLI = "import sys; from cicrjax._cli.main import main; sys.exit(main(sys.argv[1:]))"
MEASURED = """
import resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
print(code, time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def write_recordings(folder: Path, n: int, seed: int = 0) -> None:
    """`n` gdb1990 Z traces (µM) with VM2 drawn ±20% around its default, plus Gaussian noise, as CSV files."""
    import jax.numpy as jnp

    import cicrjax as cj

    rng = np.random.default_rng(seed)
    ts = np.linspace(0.0, 4.0, 41)
    model = cj.GDB1990()
    vm2 = float(model.VM2) * rng.uniform(0.8, 1.2, n)
    batch = cj.batch_parameters(model, {"VM2": jnp.asarray(vm2)})
    z = np.asarray(cj.simulate_batch(batch, jnp.asarray(ts), rtol=1e-10, atol=1e-12)["Z"])
    for i in range(n):
        noisy = z[i] + 0.01 * rng.normal(size=ts.shape)
        np.savetxt(folder / f"cell{i:05d}.csv", np.column_stack([ts, noisy]), delimiter=",",
                   header="time_s,ca_uM", comments="")  # fmt: skip


def measured(argv: list[str], env: dict) -> dict:
    """Run `argv` in a fresh process; its exit code, wall time (s) and peak RSS of its largest process (MiB)."""
    out = subprocess.run([sys.executable, "-c", MEASURED, *argv], env=env, cwd=ROOT, capture_output=True, text=True)
    code, wall, rss_kib = out.stdout.split()[-3:]
    return {"exit": int(code), "wall_s": float(wall), "peak_rss_mib": int(rss_kib) / 1024}


def farm(n: int, workers: int, chunk: int | None) -> list[dict]:
    cores = os.cpu_count() or 1
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "cells"
        folder.mkdir()
        write_recordings(folder, n)
        env["CICRJAX_CACHE_DIR"] = f"{tmp}/xla-cache"  # the workers' persistent compilation cache, empty at first
        runs = [
            ("serial, 1 device", [], {"XLA_FLAGS": "--xla_force_host_platform_device_count=1"}),
            (f"serial, {cores} devices", [], {"XLA_FLAGS": f"--xla_force_host_platform_device_count={cores}"}),
            (f"LocalCluster, {workers} workers, empty compilation cache", ["--workers", str(workers)], {}),
            (f"LocalCluster, {workers} workers, warm compilation cache", ["--workers", str(workers)], {}),
        ]
        for i, (label, extra, flags) in enumerate(runs):
            extra = extra + (["--chunk", str(chunk)] if chunk and extra else [])
            argv = [sys.executable, "-c", CLI, "fit", str(folder), *FIT, "--out", f"{tmp}/out{i}", *extra]
            row = {"case": f"farm gdb1990 x{n}: {label}", **measured(argv, {**env, **flags})}
            row["recordings_per_s"] = n / row["wall_s"]
            walls = [json.loads(p.read_text())["wall_time_s"] for p in Path(f"{tmp}/out{i}").glob("*/results.json")]
            row["fit_s_median"] = float(np.median(walls))  # one recording once compiled (the first of each process)
            row["fit_s_max"] = float(np.max(walls))  # the first fit of a process: it compiles, or loads from the cache
            row["steady_recordings_per_s"] = (workers if extra else 1) / row["fit_s_median"]
            rows.append(row)
            print(json.dumps(row), flush=True)
    return rows


def batch(n: int) -> list[dict]:
    from .batch import _sharded

    cores = os.cpu_count() or 1
    rows = []
    for devices in sorted({1, cores}):
        row = {"case": f"simulate_batch gdb1990 x{n}: {devices} CPU device(s)", "wall_s": _sharded(n, devices, 2)}
        row["sets_per_s"] = n / row["wall_s"]
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=1000, help="parameter sets of the batch case (0: skip it)")
    parser.add_argument("--recordings", type=int, default=1000, help="recordings of the farm case (0: skip it)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk", type=int, default=None, help="--chunk of the LocalCluster run (default: the CLI's)")
    parser.add_argument("--json", default=None, metavar="FILE")
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {os.cpu_count()} cores", flush=True)
    started = time.perf_counter()
    rows = (batch(args.batch) if args.batch else []) + (
        farm(args.recordings, args.workers, args.chunk) if args.recordings else []
    )
    load_after = os.getloadavg()
    print(f"load average after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}; "
          f"{time.perf_counter() - started:.0f} s in all")  # fmt: skip
    if args.json:
        Path(args.json).write_text(json.dumps({"load_before": load, "load_after": load_after, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
