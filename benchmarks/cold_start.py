"""Cold start and warm simulation of gdb1990 (0–10 s, 1001 save points, rtol 1e-8) next to scipy LSODA.

Run: `python -m benchmarks.cold_start`. The cold figure is measured in a fresh interpreter: import cicrjax,
compile, and return the first trajectory. Warm figures are medians of repeated calls.
"""

import subprocess
import sys

import numpy as np

from ._timing import median_time

COLD = """
import time
t0 = time.perf_counter()
import jax.numpy as jnp
import cicrjax as cj
t1 = time.perf_counter()
sol = cj.simulate(cj.GDB1990(), jnp.linspace(0.0, 10.0, 1001), rtol=1e-8, atol=1e-10)
sol.ys.block_until_ready()
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def _median_time(fn, repeats=20):
    return median_time(fn, repeats, warmup=True)


def main():
    runs = [subprocess.run([sys.executable, "-c", COLD], capture_output=True, text=True, check=True) for _ in range(3)]
    cold = sorted((float(a), float(b)) for a, b in (r.stdout.split() for r in runs))[1]

    import jax
    import jax.numpy as jnp
    from scipy.integrate import solve_ivp

    import cicrjax as cj

    ts = jnp.linspace(0.0, 10.0, 1001)
    model = cj.GDB1990()
    sim = jax.jit(lambda m: cj.simulate(m, ts, rtol=1e-8, atol=1e-10).ys)
    warm_jit = _median_time(lambda: sim(model).block_until_ready())
    warm_plain = _median_time(lambda: cj.simulate(model, ts, rtol=1e-8, atol=1e-10).ys.block_until_ready())

    p = model

    def rhs(t, y):  # plain NumPy right-hand side, as a scipy user would write it
        Z, Y = y
        V2 = 65.0 * Z**2 / (1.0 + Z**2)
        V3 = 500.0 * Y**2 / (4.0 + Y**2) * Z**4 / (0.9**4 + Z**4)
        return [1.0 + 7.3 * float(p.beta) - V2 + V3 + Y - 10.0 * Z, V2 - V3 - Y]

    t_np = np.asarray(ts)
    y0 = np.asarray(model.initial_state())
    lsoda = _median_time(lambda: solve_ivp(rhs, (0, 10), y0, t_eval=t_np, method="LSODA", rtol=1e-8, atol=1e-10), 5)
    ref = solve_ivp(rhs, (0, 10), y0, t_eval=t_np, method="LSODA", rtol=1e-12, atol=1e-14).y.T
    err_ours = float(np.max(np.abs(np.asarray(sim(model)) - ref)))
    err_lsoda = float(
        np.max(np.abs(solve_ivp(rhs, (0, 10), y0, t_eval=t_np, method="LSODA", rtol=1e-8, atol=1e-10).y.T - ref))
    )
    print(f"cold start (fresh interpreter): import {cold[0]:.2f} s + compile and first simulate {cold[1]:.2f} s")
    print(f"warm simulate, jitted:          {warm_jit * 1e3:.2f} ms   (max abs error {err_ours:.1e} µM)")
    print(f"warm simulate, not jitted:      {warm_plain * 1e3:.2f} ms")
    print(f"scipy solve_ivp LSODA:          {lsoda * 1e3:.2f} ms   (max abs error {err_lsoda:.1e} µM)")


if __name__ == "__main__":
    main()
