"""Case 2, a batch of parameter sets: one vmapped, compiled cicrjax call against each peer's Python loop.

gdb1990 over 0–10 s (1001 save points, rtol 1e-8, atol 1e-10) for N = 1000 parameter sets with VM2, VM3 and KA
drawn log-uniformly over one decade around their defaults (seeded): one vmapped call, `jax.lax.map` in one
compiled call, `cicrjax.simulate_batch` (lax.map per device), and `simulate_batch` over every core as a forced
host device (in a subprocess). Errors: the largest cytosolic-Ca error over
the first 3 sets against the DOP853 rtol 1e-13 reference. `--quick` uses N = 300 and times scipy on the first 30
sets only, scaled to N (said in the row's note).
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

import cicrjax as cj

from . import _roadrunner
from ._reference import max_error, reference, solve
from ._report import Row, skipped
from ._scipy_models import parameters

RTOL, ATOL = 1e-8, 1e-10
FREE = ("VM2", "VM3", "KA")
TARGET_VS_ROADRUNNER = 0.1  # at least 10x faster


def parameter_sets(model, n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """`n` values of each of VM2, VM3, KA, log-uniform over [x/√10, x·√10] around the model's value x."""
    rng = np.random.default_rng(seed)
    return {k: float(getattr(model, k)) * 10.0 ** rng.uniform(-0.5, 0.5, n) for k in FREE}


def _median(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def _loop(fn, n_total: int, n_timed: int) -> float:
    """Time `fn(i)` for i < n_timed and scale to n_total sets."""
    start = time.perf_counter()
    for i in range(n_timed):
        fn(i)
    return (time.perf_counter() - start) * n_total / n_timed


def run(quick: bool, n: int | None = None) -> list[Row]:
    n = (300 if quick else 1000) if n is None else n
    model = cj.GDB1990()
    ts = np.linspace(0.0, 10.0, 1001)
    sets = parameter_sets(model, n)
    batch = cj.batch_parameters(model, sets)
    one_sim = lambda m: cj.simulate(m, jnp.asarray(ts), rtol=RTOL, atol=ATOL, throw=False).ys
    sim = jax.jit(jax.vmap(one_sim))
    start = time.perf_counter()
    ys = np.asarray(sim(batch))
    compile_s = time.perf_counter() - start
    repeats = 2 if quick else 3
    ours = _median(lambda: sim(batch).block_until_ready(), repeats)
    # The same batch as a sequential loop inside one compiled call: on a CPU, vmap's lockstep while-loop runs
    # every set for as many steps as the slowest one takes.
    seq = jax.jit(lambda b: jax.lax.map(one_sim, b))
    seq(batch).block_until_ready()
    ours_seq = _median(lambda: seq(batch).block_until_ready(), repeats)
    # The documented way: cicrjax.simulate_batch (lax.map per device); and the same over every core as a device.
    by_device = lambda: cj.simulate_batch(batch, ts, rtol=RTOL, atol=ATOL).ys.block_until_ready()  # noqa: E731
    ys_batch = np.asarray(by_device())
    ours_batch = _median(by_device, repeats)
    cores = os.cpu_count() or 1
    ours_sharded = _sharded(n, cores, repeats) if cores > 1 else None
    base, y0 = parameters(model), np.asarray(model.initial_state())
    checked = 3
    one = [{**base, **{k: float(v[i]) for k, v in sets.items()}} for i in range(n)]
    refs = [reference("gdb1990", one[i], y0, ts) for i in range(checked)]
    err = max(max_error(ys[i], refs[i]) for i in range(checked))
    label = f"batch gdb1990 x{n}"
    rows = [Row(f"{label} compile", compile_s, note="first call: trace + compile + run")]
    why = _roadrunner.missing()
    if why:
        rows.append(skipped(label, "roadrunner CVODE loop", why))
    else:
        rr = _roadrunner.load("gdb1990", rtol=RTOL, atol=ATOL)
        sim_rr = lambda i: _roadrunner.simulate(rr, model.states, ts, params={k: v[i] for k, v in sets.items()})
        sim_rr(0)
        rr_s = _loop(sim_rr, n, n)
        rr_err = max(max_error(sim_rr(i), refs[i]) for i in range(checked))
        rows.append(Row(label, ours, "roadrunner CVODE loop", rr_s, TARGET_VS_ROADRUNNER, _acc(err, rr_err), "vmap"))
        rows.append(
            Row(f"{label} lax.map", ours_seq, "roadrunner CVODE loop", rr_s, TARGET_VS_ROADRUNNER, _acc(err, rr_err),
                "cicrjax: jax.lax.map (sequential) in one compiled call")
        )  # fmt: skip
        batch_err = max(max_error(ys_batch[i], refs[i]) for i in range(checked))
        rows.append(
            Row(f"{label} simulate_batch", ours_batch, "roadrunner CVODE loop", rr_s, TARGET_VS_ROADRUNNER,
                _acc(batch_err, rr_err), "cicrjax.simulate_batch, one device")
        )  # fmt: skip
        if ours_sharded is not None:
            rows.append(
                Row(f"{label} simulate_batch sharded", ours_sharded, "roadrunner CVODE loop", rr_s,
                    TARGET_VS_ROADRUNNER, _acc(batch_err, rr_err),
                    f"cicrjax.simulate_batch over {cores} CPU devices "
                    f"(XLA_FLAGS=--xla_force_host_platform_device_count={cores}), in a subprocess")
            )  # fmt: skip
    n_scipy = 30 if quick else n
    sim_sp = lambda i: solve("gdb1990", one[i], y0, ts, method="LSODA", rtol=RTOL, atol=ATOL)
    sp_s = _loop(sim_sp, n, n_scipy)
    sp_err = max(max_error(sim_sp(i), refs[i]) for i in range(checked))
    note = "vmap" + ("" if n_scipy == n else f"; scipy timed on {n_scipy} sets, scaled to {n}")
    rows.append(Row(label, ours, "scipy LSODA loop", sp_s, None, _acc(err, sp_err), note))
    return rows


SHARDED = """
import sys, time
import numpy as np
import cicrjax as cj
from benchmarks.batch import ATOL, RTOL, parameter_sets
n, repeats = int(sys.argv[1]), int(sys.argv[2])
model = cj.GDB1990()
batch = cj.batch_parameters(model, parameter_sets(model, n))
ts = np.linspace(0.0, 10.0, 1001)
run = lambda: cj.simulate_batch(batch, ts, rtol=RTOL, atol=ATOL).ys.block_until_ready()
run()
times = []
for _ in range(repeats):
    start = time.perf_counter()
    run()
    times.append(time.perf_counter() - start)
print(float(np.median(times)))
"""


def _sharded(n: int, devices: int, repeats: int) -> float:
    """Median warm time of `simulate_batch` over `devices` forced CPU devices, in a fresh interpreter (the flag
    must be set before JAX starts)."""
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "XLA_FLAGS": f"--xla_force_host_platform_device_count={devices}",
           "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}  # fmt: skip
    out = subprocess.run([sys.executable, "-c", SHARDED, str(n), str(repeats)], env=env, cwd=root,
                         capture_output=True, text=True, check=True)  # fmt: skip
    return float(out.stdout.strip().splitlines()[-1])


def _acc(ours, peer) -> dict:
    return {"cicrjax": ours, "peer": peer, "metric": "max abs error of Ca over 3 sets vs reference (µM)"}
