"""Fits of the real recordings in ../shared/data: where the time goes, and a recipe that finishes in minutes.

Run: `python -m benchmarks.real_recordings [--case comb-mouse] [--starts 2] [--max-iter 60] [--rtol 1e-4]
[--settle 100] [--prepace 2] [--apd S --ap-n N] [--published] [--resettle] [--no-intervals] [--profile]`, or
`python -m benchmarks.real_recordings --case comb-mouse --png DIR --cli --rtol 1e-4 --starts 2 --max-iter 60` for the
README's one-command `cicrjax fit` of a case (its R², estimates, intervals, starts, wall and CPU time, load).
Cases: comb-mouse, comb-rat (the comb paced heart trace, BCL 140 ms,
raw fluorescence, Rhod-2 assumed, with `cardiac-mouse` or `cardiac-rat`) and spheroid-human (BeatProfiler's 100 fps
iPSC-CM spheroid, ΔF/F0, Fluo-4 assumed, `cardiac-human` paced at the detected cycle).

The recipe, step by step, as `cicrjax fit` does it (which now settles 100 beats by default too) plus changes (*):
1. `cicrjax.estimate_pacing` finds the cycle length and the first beat.
2. * The model is paced `--settle` beats at that cycle from its stored rest state, once, at the start values, and
   the state at the last beat onset is the fit's initial state: a limit cycle instead of the 1 Hz rest state
   (cardiac-mouse's diastolic Ca climbs from 0.086 to 0.26 µM at 140 ms).
3. Every objective evaluation paces `--prepace` beats before the recording from there, then the recorded beats.
4. * The solver tolerance is `--rtol` (atol = rtol × 1e-3 µM), not define_problem's 1e-6: the data's noise is
   ~3% of the transient, and at 1e-6 a 140 ms mouse beat takes 612 Ros34PW2 steps, at 1e-4 145.
5. The default free parameters, profiled offset, scale and σ, L-BFGS from `--starts` seeded starts, Laplace
   intervals.
`--profile` prints steps per beat and the time of one value-and-gradient at rtol 1e-6 and at `--rtol`.
"""

import argparse
import math
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

import cicrjax
import fitting
from fitting._signal import signal_for_kind

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
CASES = {  # recording, model, indicator, column, action-potential duration (s; None: `cicrjax.pace`'s default)
    "comb-mouse": ("comb-cardiac-paced/ca_bcl140_pacing.csv", "cardiac-mouse", "rhod2", None, None),
    "comb-rat": ("comb-cardiac-paced/ca_bcl140_pacing.csv", "cardiac-rat", "rhod2", None, 0.02),
    "spheroid-human": ("beatprofiler-ipsc-cm-ca/ca_spheroid_100fps.csv", "cardiac-human", "fluo4", "dF_over_F0", None),
}


def paced(model, period: float, count: int, start: float, apd: float | None, n: float | None = None):
    """`count` action potentials every `period` s from `start`: `cicrjax.pace`, or `cicrjax.paced` with `apd` (and
    the repolarisation steepness `n`)."""
    if apd is None:
        return cicrjax.pace(model, period, count=count, start=start)
    return cicrjax.paced(1.0 / period, count=count, start=start, apd=apd, **({} if n is None else {"n": n}))


def settled_state(model, period: float, beats: int, rtol: float, apd: float | None, n: float | None = None):
    """The state at the onset of beat `beats` + 1 when `model` is paced every `period` s from its rest state."""
    protocol = paced(model, period, beats, 0.0, apd, n)
    end = jnp.asarray([beats * period])
    sol = cicrjax.simulate(model, end, t0=0.0, protocol=protocol, rtol=rtol, atol=rtol * 1e-3, max_steps=10**6)
    return sol.ys[-1], int(sol.num_steps)


def problem_for(case: str, *, rtol: float, settle: int, prepace: int, apd=None, n=None, values=None):
    """The fitting problem of `case` by the recipe in the module docstring, and what it assumed; `apd` (s) and `n`
    replace the case's waveform, `values` (name: value) the model's parameters (the settle runs at them)."""
    path, name, indicator, column, case_apd = CASES[case]
    apd = case_apd if apd is None else apd
    rec = cicrjax.load_recording(DATA / path, **({"columns": [column]} if column else {}))
    model = cicrjax.with_parameters(cicrjax.get_model(name)(), values or {})
    found = cicrjax.estimate_pacing(rec.time, rec.traces[0])
    period, first = found.period, found.first
    y0, steps = settled_state(model, period, settle, rtol, apd, n) if settle else (None, 0)
    start = first - prepace * period
    count = math.ceil((float(rec.time[-1]) - first) / period) + 1 + prepace
    protocol = paced(model, period, count, start, apd, n)
    problem = fitting.define_problem(
        model,
        rec.time,
        rec.traces,
        free=list(model.default_free),
        protocol=protocol,
        t0=min(start, float(rec.time[0])),
        y0=y0,
        signal=signal_for_kind(rec.kind, cicrjax.parse_indicator(indicator)),
        rtol=rtol,
        atol=rtol * 1e-3,
    )
    return problem, {"period_s": period, "beats": found.beats, "settle_steps": steps, "model": name}


def profile(case: str, rtol: float, settle: int, prepace: int) -> None:
    """Steps of one solve and time of one value-and-gradient at rtol 1e-6 and at `rtol`."""
    for tol in dict.fromkeys((1e-6, rtol)):
        problem, info = problem_for(case, rtol=tol, settle=settle, prepace=prepace)
        theta = problem.to_theta(problem.initial_values())
        vg = jax.jit(lambda th, p=problem: fitting.value_and_grad(p, th))
        t = time.perf_counter()
        jax.block_until_ready(vg(theta))
        compiled = time.perf_counter() - t
        t = time.perf_counter()
        value = jax.block_until_ready(vg(theta))[0]
        run = time.perf_counter() - t
        steps = int(problem.simulate(problem.model).num_steps)
        beats = round((float(problem.ts[-1]) - float(problem.t0)) / info["period_s"])
        print(
            f"{case} rtol {tol:g}: {steps} steps ({steps / beats:.0f} per beat, budget {problem.max_steps}), "
            f"NLL {float(value):.3f}, value+gradient {run:.3f} s (compile {compiled:.1f} s)"
        )


def fit(case: str, starts: int, max_iter: int, rtol: float, settle: int, prepace: int, png: str | None, **how) -> None:
    """Fit `case` by the recipe; `how`: `apd`, `n` (waveform), `published` (the first start at the published
    values), `resettle` (then settle again at the estimates and refit from them), `intervals` (Laplace)."""
    t0 = time.perf_counter()
    ap = {"apd": how.get("apd"), "n": how.get("n")}
    problem, info = problem_for(case, rtol=rtol, settle=settle, prepace=prepace, **ap)
    setup = time.perf_counter() - t0
    strategy = fitting.SingleShooting(fitting.LBFGS(max_iter=max_iter))
    ms = fitting.multistart(problem, starts, strategy=strategy, seed=0, include_initial=how.get("published", False))
    if how.get("resettle"):
        values = dict(zip(problem.names, map(float, problem.natural(ms.best_theta)), strict=True))
        print(f"{case}: first fit NLL {ms.best_value:.6g} at {values}; settling again there")
        problem, info = problem_for(case, rtol=rtol, settle=settle, prepace=prepace, values=values, **ap)
        ms = fitting.multistart(problem, 1, strategy=strategy, include_initial=True)
    result = fitting.summarise(problem, ms, uncertainty="laplace" if how.get("intervals", True) else None)
    total = time.perf_counter() - t0
    print(
        f"{case} ({info['model']}, cycle {1e3 * info['period_s']:.1f} ms, {info['beats']} beats; settle {settle} beats"
        f" {setup:.1f} s, prepace {prepace}, rtol {rtol:g}, {starts} starts × {max_iter} L-BFGS iterations): "
        f"R² {result.r2:.4f}, {ms.n_at_best}/{starts} at the best, {int(ms.failures.sum())} solver failures, "
        f"multistart {ms.wall_time_s:.1f} s, total {total:.1f} s"
    )
    for name, value, lo, hi in zip(result.names, result.estimates, result.ci_low, result.ci_high, strict=True):
        print(f"  {name} = {value:.4g} [{lo:.4g}, {hi:.4g}]")
    if png:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(8, 3))
        ax.plot(problem.ts, problem.data[0], ".", ms=2, color="0.5", label="recording")
        ax.plot(problem.ts, np.ravel(result.prediction), color="C3", label=f"{info['model']} fit, R² {result.r2:.3f}")
        ax.set_xlabel("time (s)")
        ax.legend(frameon=False)
        fig.tight_layout()
        fig.savefig(Path(png) / f"{case}.png", dpi=120)


COMMANDS = {  # the one-command fits of README "Fitting real recordings" (recording path first, relative to DATA)
    "comb-mouse": ["comb-cardiac-paced/ca_bcl140_pacing.csv", "--model", "cardiac-mouse", "--indicator", "rhod2"],
    "comb-rat": ["comb-cardiac-paced/ca_bcl140_pacing.csv", "--model", "cardiac-rat", "--indicator", "rhod2"],
    "spheroid-human": [
        "beatprofiler-ipsc-cm-ca/ca_spheroid_100fps.csv", "--column", "dF_over_F0", "--model", "cardiac-human",
        "--indicator", "fluo4",
    ],
}  # fmt: skip


def command(case: str, options: list[str], png: str | None) -> None:
    """Run `cicrjax fit` on `case` as README shows it, with `options`; print its R², estimates, intervals, starts at
    the best, wall and CPU time and the load average; copy its fit.png to `png`/real-CASE.png."""
    import json
    import os
    import resource
    import shutil
    import tempfile

    from cicrjax._cli.main import main as cli

    path, *rest = COMMANDS[case]
    with tempfile.TemporaryDirectory() as out:
        argv = ["fit", str(DATA / path), *rest, *options, "--out", out]
        t = time.perf_counter()
        code = cli(argv)
        wall = time.perf_counter() - t
        use = resource.getrusage(resource.RUSAGE_SELF)
        print(f"cicrjax {' '.join(argv[:1] + [path] + argv[2:-2])}: exit {code}, {wall:.0f} s wall, "
              f"{use.ru_utime + use.ru_stime:.0f} CPU s, load {os.getloadavg()}")  # fmt: skip
        if code:
            return
        result = json.loads((Path(out) / "results.json").read_text())
        print(
            f"  R² {result['r2']:.4f}, {result['n_starts_at_best']}/{result['n_starts']} starts at the best, "
            f"{result['solver_failures']} solver failures, wall_time_s {result['wall_time_s']:.0f}"
        )
        for name, p in result["parameters"].items():
            if p["free"]:
                print(f"  {name} = {p['estimate']!r} {p['unit']} [{p['ci_low']:.4g}, {p['ci_high']:.4g}]")
        if png:
            shutil.copy(Path(out) / "fit.png", Path(png) / f"real-{case}.png")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=CASES, action="append")
    parser.add_argument("--starts", type=int, default=2)
    parser.add_argument("--max-iter", type=int, default=60)
    parser.add_argument("--rtol", type=float, default=1e-4)
    parser.add_argument("--settle", type=int, default=100, help="beats paced once to reach the limit cycle")
    parser.add_argument("--prepace", type=int, default=2, help="beats paced in every evaluation before the data")
    parser.add_argument("--profile", action="store_true", help="only steps per beat and value+gradient times")
    parser.add_argument("--apd", type=float, help="action-potential duration to half repolarisation (s)")
    parser.add_argument("--ap-n", type=float, help="repolarisation steepness n of the waveform (default 8)")
    parser.add_argument("--published", action="store_true", help="the first start at the published values")
    parser.add_argument("--resettle", action="store_true", help="settle again at the estimates and refit")
    parser.add_argument("--no-intervals", action="store_true", help="skip the Laplace intervals")
    parser.add_argument("--png", metavar="DIR", help="write a figure of each fit, CASE.png, into DIR")
    parser.add_argument(
        "--cli",
        nargs=argparse.REMAINDER,
        metavar="OPTION",
        help="run README's one-command `cicrjax fit` of each case instead, with these extra options (last)",
    )
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        raise SystemExit(f"{DATA} is absent: these benchmarks read the shared recordings")
    for case in args.case or list(CASES):
        if args.cli is not None:
            command(case, args.cli, args.png)
        elif args.profile:
            profile(case, args.rtol, args.settle, args.prepace)
        else:
            how = {"apd": args.apd, "n": args.ap_n, "published": args.published, "resettle": args.resettle}
            fit(case, args.starts, args.max_iter, args.rtol, args.settle, args.prepace, args.png,
                intervals=not args.no_intervals, **how)  # fmt: skip


if __name__ == "__main__":
    main()
