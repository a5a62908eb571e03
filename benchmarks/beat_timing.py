"""Time per simulated 1 s paced beat: cicrjax (diffrax Kvaerno5, compiled) against scipy BDF and LSODA.

Run: `python benchmarks/beat_timing.py [--model cardiac] [--repeats 5]`. All solvers integrate the same model
(one 1 Hz action-potential beat from `initial_state()`) at rtol 1e-6, atol 1e-9. scipy calls the model's own
vector field and its Jacobian, compiled once with `jax.jit` (so both sides evaluate identical equations; scipy
pays one Python→XLA dispatch per evaluation, which is what a scipy user of these models would pay).
"""

import argparse
import time

import diffrax
import jax
import jax.numpy as jnp
import numpy as np
import optimistix as optx
from scipy.integrate import solve_ivp

import cicrjax as cj


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="cardiac", choices=["cardiac", "hinch2004", "skeletal"])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    model = cj.get_model(args.model)()
    protocol = cj.paced(1.0, count=1)
    ts = jnp.linspace(0.0, 1.0, 1001)
    rtol, atol = 1e-6, 1e-9

    controller_tols = diffrax.with_stepsize_controller_tols
    solvers = {
        "cicrjax default: Kvaerno5 + Newton at controller tols": None,
        "Kvaerno5 + per-stage Chord at controller tols": diffrax.Kvaerno5(root_finder=controller_tols(optx.Chord)()),
        "Kvaerno5 + VeryChord at controller tols (stiff_solver)": cj.stiff_solver(),
        "Kvaerno5 + loose VeryChord(rtol=1e-2, atol=1e-12)": diffrax.Kvaerno5(
            root_finder=diffrax.VeryChord(rtol=1e-2, atol=1e-12)
        ),
        "Kvaerno3 + Newton at controller tols": diffrax.Kvaerno3(root_finder=controller_tols(optx.Newton)()),
    }
    peak = {}
    for label, solver in solvers.items():
        run = jax.jit(lambda m, s=solver: cj.simulate(m, ts, protocol=protocol, solver=s, rtol=rtol, atol=atol))
        start = time.perf_counter()
        sol = run(model)
        jax.block_until_ready(sol.ys)
        compile_s = time.perf_counter() - start
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            jax.block_until_ready(run(model).ys)
            times.append(time.perf_counter() - start)
        peak[label] = float(sol.ys[:, 0].max())
        print(
            f"{label:55s} {1e3 * np.median(times):9.1f} ms/beat  ({int(sol.num_steps)} steps; "
            f"first call with compilation {compile_s:.1f} s)"
        )

    f = jax.jit(lambda t, y: model.vector_field(t, y, protocol))
    jac = jax.jit(jax.jacfwd(lambda t, y: model.vector_field(t, y, protocol), argnums=1))
    y0 = np.asarray(model.initial_state())
    f(0.0, y0), jac(0.0, y0)  # compile once, outside the timing

    def rhs(t, y):
        return np.asarray(f(t, y))

    def jacobian(t, y):
        return np.asarray(jac(t, y))

    jumps = np.asarray(protocol.jump_times())
    edges = np.unique(np.concatenate([[0.0], jumps[(jumps > 0) & (jumps < 1)], [1.0]]))
    for method in ("BDF", "LSODA"):
        times = []
        for _ in range(max(1, args.repeats // 2)):
            start = time.perf_counter()
            y, nfev = y0, 0
            for a, b in zip(edges[:-1], edges[1:], strict=True):  # restart at each stimulus edge, as cicrjax clips
                sol = solve_ivp(rhs, (a, b), y, method=method, jac=jacobian, rtol=rtol, atol=atol)
                assert sol.success, sol.message
                y, nfev = sol.y[:, -1], nfev + sol.nfev
            times.append(time.perf_counter() - start)
        dense = solve_ivp(rhs, (0.0, 1.0), y0, method=method, jac=jacobian, rtol=rtol, atol=atol, t_eval=np.asarray(ts))
        print(
            f"scipy {method:49s} {1e3 * np.median(times):9.1f} ms/beat  ({nfev} RHS evaluations; "
            f"peak Ca {dense.y[0].max():.4f} vs cicrjax {next(iter(peak.values())):.4f} µM)"
        )


if __name__ == "__main__":
    main()
