"""pyPESTO with fides against cicrjax on issue 18's oscillating GDB fit: same data, bounds, starts and score.

Run: `python -m benchmarks.pypesto_peer [--starts 32] [--seed 0] [--t-end 12 --rate 50] [--skip-cicrjax]`.
The problem is `benchmarks/gdb_oscillation.py`'s (a seeded noisy gdb1990 trace, σ = 0.05 µM; VM2, VM3 and KA
free over a decade; the same Latin-hypercube starts). pyPESTO 0.7 minimises with fides (trust region, hybrid
Hessian: the Gauss–Newton/Fisher matrix JᵀJ, switching to BFGS, pyPESTO's default when an objective gives a
FIM) over the natural log of the three parameters within the same bounds; residuals and their sensitivities come
from libRoadRunner's CVODES forward sensitivities (`models/gdb1990.ant`, rtol 1e-8, atol 1e-10; AMICI, pyPESTO's
usual backend, needs a C++ toolchain). Offset and scale are profiled as in cicrjax (variable projection, Kaufman's
Jacobian −P⊥ b ∂g/∂x, whose JᵀJ-gradient is exact), residuals divided by σ = 0.05: the least-squares optimum is
cicrjax's profiled-σ optimum. Every pyPESTO estimate is then scored by cicrjax's own NLL
(`fitting.neg_log_posterior`), against the global optimum (the best NLL of any run or of cicrjax from the truth),
as `gdb_oscillation.py` scores its methods; cicrjax runs `--methods auto` in the same process. Wall and CPU time
(this process and its children) include compilation and LLVM code generation.

Measured (32 starts, 2026-11-30, load 5–11 on 2 cores): cicrjax `auto` 29/32 at the optimum in 203.8 s, 51.1 CPU s;
pyPESTO + fides 1/32 in 2,765.5 s, 1,182.5 CPU s (31 starts in local minima of single shooting).
"""

import argparse
import logging
import os
import resource
import time

import jax.numpy as jnp
import numpy as np

import fitting

from . import _roadrunner
from .gdb_oscillation import METHODS, TRUTH, gdb_problem

SIGMA = 0.05  # µM, the synthetic trace's noise
NAMES = tuple(TRUTH)  # VM2, VM3, KA: a leading block of gdb1990.ant's global parameters
RTOL, ATOL = 1e-8, 1e-10


def missing() -> str | None:
    """Why the pyPESTO peer cannot run here, or None."""
    try:
        import fides  # noqa: F401
        import pypesto  # noqa: F401
    except ImportError as error:
        return f"{error.name} is not installed (pip install -e '.[bench]')"
    return _roadrunner.missing()


class ProfiledResiduals:
    """Residuals (data − (a + b·Z))/σ of the trace and their Jacobian in x = ln(VM2, VM3, KA), offset a and scale b
    profiled by linear least squares, from one libRoadRunner CVODES forward-sensitivity solve."""

    def __init__(self, ts: np.ndarray, data: np.ndarray, sigma: float = SIGMA, rtol: float = RTOL, atol: float = ATOL):
        self.ts, self.data, self.sigma, self.rtol, self.atol = ts, data, sigma, rtol, atol

    def __call__(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        values = dict(zip(NAMES, np.exp(x), strict=True))
        ys, sens = _roadrunner.sensitivities(
            "gdb1990", ("Z", "Y"), self.ts, list(NAMES), rtol=self.rtol, atol=self.atol, values=values
        )
        g, dg = ys[:, 0], sens[:, :, 0] * np.exp(x)  # dZ/d ln p
        phi = np.column_stack([np.ones_like(g), g])
        (a, b), *_ = np.linalg.lstsq(phi, self.data, rcond=None)
        r = (self.data - a - b * g) / self.sigma
        m = b * dg
        jac = -(m - phi @ np.linalg.lstsq(phi, m, rcond=None)[0]) / self.sigma
        return r, jac

    def fun(self, x: np.ndarray):
        """(½‖r‖², Jᵀr, JᵀJ) for pyPESTO (`grad=True, hess=True`; the Hessian is the FIM); NaN where CVODES fails."""
        try:
            r, jac = self(np.asarray(x, float))
        except RuntimeError:  # CVODE failure (too much work): fides rejects the step
            n = len(x)
            return np.nan, np.full(n, np.nan), np.full((n, n), np.nan)
        return 0.5 * float(r @ r), jac.T @ r, jac.T @ jac


def run_pypesto(problem, starts_theta: np.ndarray, processes: int = 1):
    """pyPESTO + fides from the natural values of cicrjax's starts: (natural estimates (N, 3), results, wall, CPU s)."""
    import pypesto
    import pypesto.engine
    import pypesto.optimize

    lower = np.log([p.lower for p in problem.free])
    upper = np.log([p.upper for p in problem.free])
    x0 = np.log(np.asarray(problem.natural(jnp.asarray(starts_theta))))
    objective = ProfiledResiduals(np.asarray(problem.ts), np.asarray(problem.data).ravel())
    pp = pypesto.Problem(
        pypesto.Objective(fun=objective.fun, grad=True, hess=True), lower, upper, x_guesses=x0, x_names=list(NAMES)
    )
    engine = pypesto.engine.SingleCoreEngine() if processes == 1 else pypesto.engine.MultiProcessEngine(processes)
    optimizer = pypesto.optimize.FidesOptimizer(verbose=logging.WARNING)
    t, cpu = time.perf_counter(), _cpu()
    result = pypesto.optimize.minimize(
        pp, optimizer, n_starts=len(x0), engine=engine, progress_bar=False, ids=[str(i) for i in range(len(x0))]
    )
    wall, cpu = time.perf_counter() - t, _cpu() - cpu
    by_id = {r.id: r for r in result.optimize_result.list}
    failed = np.full_like(lower, np.nan)  # a start that raised has no x
    xs = [failed if by_id[str(i)].x is None else np.clip(by_id[str(i)].x, lower, upper) for i in range(len(x0))]
    estimates = np.exp(np.array(xs))
    return estimates, by_id, wall, cpu


def _cpu() -> float:
    """CPU seconds of this process and its finished children (pyPESTO's worker processes)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def score(problem, estimates: np.ndarray) -> np.ndarray:
    """cicrjax's NLL at natural estimates (nudged 1e-9 inside the bounds, where the bounded transform is finite)."""
    lower = np.array([p.lower for p in problem.free])
    upper = np.array([p.upper for p in problem.free])
    inside = np.clip(estimates, lower * (1 + 1e-9), upper * (1 - 1e-9))
    nll = [float(fitting.neg_log_posterior(problem, problem.to_theta(e))) if np.all(np.isfinite(e)) else np.nan
           for e in inside]  # fmt: skip
    return np.array(nll)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0, help="seed of the starts (the noise seed is 0)")
    parser.add_argument("--tol", type=float, default=0.1, help="NLL tolerance of 'at the global optimum'")
    parser.add_argument("--t-end", type=float, default=12.0, help="trace length (s)")
    parser.add_argument("--rate", type=float, default=50.0, help="sampling rate (Hz)")
    parser.add_argument("--processes", type=int, default=1, help="pyPESTO worker processes (1: single core)")
    parser.add_argument("--skip-cicrjax", action="store_true", help="pyPESTO only (the optimum from the truth)")
    args = parser.parse_args(argv)
    why = missing()
    if why:
        parser.exit(1, f"pyPESTO peer unavailable: {why}\n")

    problem = gdb_problem(t_end=args.t_end, rate=args.rate, sigma=SIGMA)
    starts = np.asarray(fitting.sample_starts(problem, args.starts, seed=args.seed))
    reference = fitting.multistart(problem, starts=np.asarray(problem.to_theta(TRUTH))[None, :])
    rows = {}
    if not args.skip_cicrjax:
        t, cpu = time.perf_counter(), _cpu()
        ms = fitting.multistart(problem, starts=starts, strategy=METHODS["auto"]())
        wall, cpu = time.perf_counter() - t, _cpu() - cpu
        rows["cicrjax auto"] = (np.asarray(ms.values), np.asarray(problem.natural(jnp.asarray(ms.thetas))), wall, cpu)
        print(f"cicrjax auto: done in {wall:.1f} s, {cpu:.1f} CPU s", flush=True)
    estimates, results, wall, cpu = run_pypesto(problem, starts, args.processes)
    rows["pyPESTO fides"] = (score(problem, estimates), estimates, wall, cpu)
    print(f"pyPESTO fides: done in {wall:.1f} s, {cpu:.1f} CPU s", flush=True)
    evals = [results[str(i)].n_fval for i in range(args.starts)]
    print(f"pyPESTO objective calls a start: median {np.median(evals):.0f}, max {max(evals)}; "
          f"exit flags {sorted({int(r.exitflag) for r in results.values()})}")  # fmt: skip

    best = min([float(reference.best_value), *[float(np.nanmin(v)) for v, *_ in rows.values()]])
    truth = np.array(list(TRUTH.values()))
    print(
        f"\ngdb1990, {problem.ts.shape[0]} points over {args.t_end:g} s, VM2/VM3/KA free over a decade, "
        f"{args.starts} LHS starts (seed {args.seed}); global optimum NLL {best:.3f} "
        f"(from the truth: {float(reference.best_value):.3f}); load {os.getloadavg()[0]:.1f}"
    )
    print(f"{'method':<16}{'at optimum':>12}{'within 5%':>11}{'best NLL':>11}{'wall s':>9}{'CPU s':>8}")
    for name, (values, natural, wall, cpu) in rows.items():
        at = np.abs(values - best) <= args.tol
        close = np.all(np.abs(natural / truth - 1.0) <= 0.05, axis=1)
        print(f"{name:<16}{int(at.sum()):>6}/{len(at):<5}{int(close.sum()):>8}/{len(at):<2}{np.nanmin(values):>11.3f}"
              f"{wall:>9.1f}{cpu:>8.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
