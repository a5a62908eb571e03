"""Where a small model's step goes on a CPU: XLA's thunk executor runs a loop body one kernel after another only
while every buffer it touches holds at most 512 bytes; above that it schedules the kernels concurrently on its
thread pool, which costs microseconds a step for models of a few states.

Run: `python -m benchmarks.step_overhead [--repeats 15]`. Prints (1) diffrax Tsit5 on y' = cos t − 0.1 y with 73
constant steps for states of 9 and 10 elements (the stage buffer, 7 × n float64, passes 512 bytes at n = 10);
(2) the gdb1990 loss of `benchmarks.gradient` (201 points, rtol 1e-8, 5 parameters): one simulation, forward-mode
derivatives along 1, 4 and 5 tangents (`vmap` of `jvp`, as `jax.jacfwd`): with 5 tangents the tangent stage buffer
(7 × 2 × 5 float64) passes 512 bytes; (3) the same with `cicrjax.UnrolledTsit5`, which has no stage loop. Least
CPU time of `--repeats` calls (and the first call's wall time, compilation included), with the load average. To see the
executor's choice: `TF_CPP_MIN_LOG_LEVEL=0 TF_CPP_VMODULE=thunk_executor=2` (`is_sequential`, `small_buffers`).

`python -m benchmarks.step_overhead --compile [--rounds 3] [--model gdb1990]` instead measures what a first call
costs: the loss of `benchmarks.gradient` (gdb1990: 5 parameters; other models: all their parameters), its simulation,
forward-mode (`jax.jacfwd`) and reverse-mode (`jax.grad`) derivatives, with diffrax.Tsit5 and with UnrolledTsit5,
each in a fresh process, the two solvers interleaved: CPU seconds of tracing and lowering (`jax.jit(f).lower`), of
XLA's compilation (`.compile()`), the optimised HLO's operation count, and the least CPU time of 5 calls.
"""

import argparse
import os
import subprocess
import sys
import time

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp

import cicrjax as cj


def _least_cpu(fn, arg, repeats: int) -> float:
    start = time.perf_counter()
    jax.block_until_ready(fn(arg))
    _least_cpu.first_call = time.perf_counter() - start
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        jax.block_until_ready(fn(arg))
        best = min(best, time.process_time() - start)
    return best


def _tsit5(n: int):
    def run(y0):
        sol = diffrax.diffeqsolve(diffrax.ODETerm(lambda t, y, args: jnp.cos(t) - 0.1 * y), diffrax.Tsit5(), 0.0,
                                  10.0, 10.0 / 73, y0, saveat=diffrax.SaveAt(t1=True))  # fmt: skip
        return sol.ys

    return jax.jit(run), jnp.ones(n)


def _gdb_loss(solver, name="gdb1990"):
    model = cj.get_model(name)()
    names = ("VM2", "VM3", "KA", "K2", "KR") if name == "gdb1990" else tuple(p.name for p in model.parameters())
    ts = jnp.linspace(0.0, 10.0 if name == "gdb1990" else 20.0, 201)
    data = 1.05 * cj.simulate(model, ts, rtol=1e-10, atol=1e-12).ys[:, 0]

    def loss(theta, adjoint):
        m = eqx.tree_at(lambda m: [getattr(m, k) for k in names], model, [theta[i] for i in range(len(names))])
        sol = cj.simulate(m, ts, rtol=1e-8, atol=1e-10, adjoint=adjoint, solver=solver)
        return jnp.sum((sol.ys[:, 0] - data) ** 2)

    return loss, jnp.array([float(getattr(model, k)) for k in names])


def _forward(loss, tangents):
    """Forward-mode derivatives of `loss` along each row of `tangents` (one vmapped JVP, as `jax.jacfwd`)."""

    def derivatives(theta):
        along = lambda e: jax.jvp(lambda th: loss(th, diffrax.ForwardMode()), (theta,), (e,))[1]  # noqa: E731
        return jax.vmap(along)(tangents)

    return jax.jit(derivatives)


def _first_call(solver_name: str, model: str):
    """One fresh process's first calls: tracing and compilation CPU seconds, HLO operations, least run time."""
    solver = cj.UnrolledTsit5() if solver_name == "UnrolledTsit5" else diffrax.Tsit5()
    loss, theta = _gdb_loss(solver, model)
    fns = {"simulation": lambda th: loss(th, None), "forward": jax.jacfwd(lambda th: loss(th, diffrax.ForwardMode())),
           "reverse": jax.grad(lambda th: loss(th, None))}  # fmt: skip
    for kind, fn in fns.items():
        start = time.process_time()
        lowered = jax.jit(fn).lower(theta)
        traced = time.process_time()
        compiled = lowered.compile()
        done = time.process_time()
        ops = sum(" = " in line for line in compiled.as_text().splitlines())
        run = _least_cpu(compiled, theta, 5)
        print(f"{model} {solver_name:13s} {kind:10s}: trace {traced - start:5.2f} + compile {done - traced:5.2f} "
              f"= {done - start:5.2f} CPU s, {ops:5d} HLO ops, run {1e3 * run:6.2f} ms CPU", flush=True)  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--compile", action="store_true", help="first-call costs, fresh processes (see above)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--model", default="gdb1990")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return _first_call(*args.child)
    if args.compile:
        print(f"load {os.getloadavg()[0]:.1f}", flush=True)
        for _ in range(args.rounds):
            for solver in ("Tsit5", "UnrolledTsit5"):
                cmd = [sys.executable, "-m", "benchmarks.step_overhead", "--child", solver, args.model]
                subprocess.run(cmd, check=True)
        print(f"load {os.getloadavg()[0]:.1f}")
        return None
    print(f"load {os.getloadavg()[0]:.1f}")
    for n in (9, 10):
        fn, y0 = _tsit5(n)
        print(f"Tsit5, {n:2d} states, 73 steps: {1e6 * _least_cpu(fn, y0, args.repeats) / 73:6.2f} µs a step (CPU)")
    for solver in (diffrax.Tsit5(), cj.UnrolledTsit5()):
        name = type(solver).__name__
        loss, theta = _gdb_loss(solver)
        simulation = _least_cpu(jax.jit(lambda th, loss=loss: loss(th, None)), theta, args.repeats)
        print(f"gdb1990, {name}, simulation: {1e3 * simulation:.2f} ms (CPU; first call {_least_cpu.first_call:.1f} s)")
        for k in (1, 4, 5):
            seconds = _least_cpu(_forward(loss, jnp.eye(5)[:k]), theta, args.repeats)
            print(f"gdb1990, {name}, forward mode, {k} tangent(s): {1e3 * seconds:.2f} ms (CPU), "
                  f"{seconds / simulation:.1f}× the simulation (first call {_least_cpu.first_call:.1f} s)")  # fmt: skip
    print(f"load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
