"""Time per simulated 1 s paced beat: cicrjax (diffrax, compiled) against scipy BDF and LSODA, with accuracy.

Run: `python -m benchmarks.beat_timing [--model cardiac] [--repeats 5] [--quick] [--gradients]` (`--quick`: the
Rosenbrock solvers and LSODA only; `[default]` marks the model's `default_solver()`, what `simulate` uses). Every
solver integrates the same model (one 1 Hz action-potential beat from `initial_state()`) at rtol 1e-6, atol 1e-9,
saving 1001 points.
Accuracy is the largest error over states and save times, relative to each state's peak, against scipy Radau at
rtol 1e-10, atol 1e-13 (restarted at every protocol edge). scipy calls the model's own vector field and Jacobian,
compiled once with `jax.jit`, so both sides evaluate identical equations; scipy pays one Python→XLA dispatch per
evaluation, which is what a scipy user of these models would pay. Times are medians of wall-clock time and, since
the machine may be shared, the least CPU time (`time.process_time`) of the same calls, with the load average.
`--gradients` also times value and gradient with respect to five fitted parameters (minutes of compilation).
"""

import argparse
import os
import statistics
import time

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optimistix as optx
from scipy.integrate import solve_ivp

import cicrjax as cj

RTOL, ATOL = 1e-6, 1e-9


def _scipy(model, protocol, ts, method, rtol, atol):
    """Integrate with scipy, restarting at each protocol edge as cicrjax's step-size controller clips there."""
    f = jax.jit(lambda t, y: model.vector_field(t, y, protocol))
    jac = jax.jit(jax.jacfwd(lambda t, y: model.vector_field(t, y, protocol), argnums=1))
    y0 = np.asarray(model.initial_state())
    f(0.0, y0), jac(0.0, y0)  # compile once, outside the timing
    t_end = float(ts[-1])
    jumps = np.asarray(protocol.jump_times())
    edges = np.unique(np.concatenate([[0.0], jumps[(jumps > 0) & (jumps < t_end)], [t_end]]))

    def run():
        y, out, nfev = y0, [], 0
        for a, b in zip(edges[:-1], edges[1:], strict=True):
            inside = ts[(ts >= a) & ((ts < b) | (b == t_end))]
            sol = solve_ivp(
                lambda t, y: np.asarray(f(t, y)),
                (a, b),
                y,
                method=method,
                jac=lambda t, y: np.asarray(jac(t, y)),
                rtol=rtol,
                atol=atol,
                t_eval=np.unique(np.concatenate([inside, [b]])),
            )
            assert sol.success, sol.message
            out.append(sol.y.T[: len(inside)])
            y, nfev = sol.y[:, -1], nfev + sol.nfev
        return np.concatenate(out), nfev

    return run


def _error(ys, reference):
    return float(np.max(np.abs(ys - reference) / (np.abs(reference).max(axis=0) + 1e-30)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="cardiac", choices=["cardiac", "hinch2004", "skeletal"])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--gradients", action="store_true")
    parser.add_argument("--quick", action="store_true", help="the Rosenbrock solvers and LSODA only")
    args = parser.parse_args()
    model = cj.get_model(args.model)()
    protocol = cj.paced(1.0, count=1) if args.model == "cardiac" else cj.voltage_clamp(0.0, duration=0.2)
    ts = np.linspace(0.0, 1.0, 1001)
    reference, _ = _scipy(model, protocol, ts, "Radau", 1e-10, 1e-13)()

    newton = diffrax.with_stepsize_controller_tols(optx.Newton)()
    solvers = {
        "cicrjax Ros34PW2 (Rosenbrock-W)": cj.Ros34PW2(),
        "cicrjax Rodas4 (Rosenbrock)": cj.Rodas4(),
        "cicrjax Kvaerno5 + Newton": diffrax.Kvaerno5(root_finder=newton),
        "cicrjax Kvaerno5 + VeryChord(rtol=1e-2, atol=1e-12)": diffrax.Kvaerno5(
            root_finder=diffrax.VeryChord(rtol=1e-2, atol=1e-12)
        ),
        "cicrjax Kvaerno3 + Newton": diffrax.Kvaerno3(root_finder=newton),
    }
    if args.quick:
        solvers = {k: v for k, v in solvers.items() if "Ros" in k}
    print(f"{args.model}, one beat at rtol {RTOL:g}, atol {ATOL:g} ({jax.devices()[0].platform}), load {_load()}")
    for label, solver in solvers.items():
        label += " [default]" if type(solver) is type(model.default_solver()) else ""
        run = jax.jit(lambda m, s=solver: cj.simulate(m, ts, protocol=protocol, solver=s, rtol=RTOL, atol=ATOL))
        start = time.perf_counter()
        sol = jax.block_until_ready(run(model))
        compile_s = time.perf_counter() - start
        wall, cpu = _times(lambda run=run: jax.block_until_ready(run(model).ys), args.repeats)
        print(
            f"{label:55s} {1e3 * wall:8.1f} ms/beat ({1e3 * cpu:.1f} CPU)  {int(sol.num_steps):5d} steps  "
            f"error {_error(np.asarray(sol.ys), reference):.1e}  (first call {compile_s:.0f} s)"
        )
    for method in ("LSODA",) if args.quick else ("BDF", "LSODA"):
        run = _scipy(model, protocol, ts, method, RTOL, ATOL)
        ys, nfev = run()
        wall, cpu = _times(run, args.repeats)
        print(
            f"{'scipy ' + method:55s} {1e3 * wall:8.1f} ms/beat ({1e3 * cpu:.1f} CPU)  {nfev:5d} RHS evals  "
            f"error {_error(ys, reference):.1e}"
        )
    print(f"load {_load()}")
    if args.gradients:
        _gradients(model, protocol, args.repeats)


def _load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def _times(fn, repeats: int) -> tuple[float, float]:
    """Median wall time and least CPU time (s) of `repeats` calls of `fn`."""
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), min(cpus)


def _gradients(model, protocol, repeats):
    """Value and gradient of a loss on one beat with respect to five parameters, as a fit needs them."""
    names = ("K_act", "k_rel", "V_max_SERCA", "K_m_SERCA", "k_im") if model.name == "cardiac" else None
    if names is None:
        return
    ts = jnp.linspace(0.0, 1.0, 201)
    kvaerno = diffrax.Kvaerno5(root_finder=diffrax.with_stepsize_controller_tols(optx.Newton)())

    def loss(p, solver, adjoint):
        m = eqx.tree_at(lambda m: tuple(getattr(m, n) for n in names), model, tuple(p))
        sol = cj.simulate(m, ts, protocol=protocol, solver=solver, max_steps=4096, adjoint=adjoint)
        return jnp.sum(sol.ys[:, 0] ** 2)

    p0 = jnp.array([float(getattr(model, n)) for n in names])
    cases = {
        "Kvaerno5, forward mode (5 JVPs)": lambda p: jax.jacfwd(lambda p: loss(p, kvaerno, diffrax.ForwardMode()))(p),
        "Kvaerno5, reverse mode": lambda p: jax.grad(lambda p: loss(p, kvaerno, None))(p),
        "Rodas4, forward mode (5 JVPs)": lambda p: jax.jacfwd(lambda p: loss(p, cj.Rodas4(), diffrax.ForwardMode()))(p),
        "Ros34PW2, forward mode (5 JVPs)": lambda p: jax.jacfwd(
            lambda p: loss(p, cj.Ros34PW2(), diffrax.ForwardMode())
        )(p),
        "Ros34PW2, one simulation": lambda p: loss(p, cj.Ros34PW2(), None),
    }
    for label, fn in cases.items():
        fn = jax.jit(fn)
        start = time.perf_counter()
        jax.block_until_ready(fn(p0))
        compile_s = time.perf_counter() - start
        wall, cpu = _times(lambda fn=fn: jax.block_until_ready(fn(p0)), repeats)
        print(f"gradient: {label:45s} {1e3 * wall:8.1f} ms ({1e3 * cpu:.1f} CPU)  (first call {compile_s:.0f} s)")


if __name__ == "__main__":
    main()
